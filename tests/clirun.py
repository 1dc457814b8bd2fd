"""Run `python -m derivcheck ARGS` as a user does, without paying for a new interpreter.

The command runs in a forked child of the test process (SymPy, numpy and the checker are already
imported there): its own working directory, stdout and stderr at the file-descriptor level, its
exit code from ``sys.exit`` or an uncaught exception, exactly as ``python -m derivcheck`` would.
A process whose hashing is randomised (pytest without workers) cannot give the child the fixed
hash seed every command runs with, so there the command starts a fresh interpreter instead.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback


def cli(*args, cwd, timeout=300, env=None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "derivcheck", *map(str, args)]
    if sys.flags.hash_randomization or not hasattr(os, "fork"):
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **env} if env else None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:                                      # the child: never returns to pytest
            _child(args, cwd, env, out.fileno(), err.fileno())
        code = _wait(pid, timeout, cmd)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(cmd, code, out.read().decode(), err.read().decode())


def _child(args, cwd, env, out_fd, err_fd):
    code = 1
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDONLY)
        for src, dst in ((devnull, 0), (out_fd, 1), (err_fd, 2)):
            os.dup2(src, dst)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        os.environ.update(env or {})
        os.chdir(cwd)
        sys.argv = ["derivcheck", *map(str, args)]
        from derivcheck.cli import main
        code = main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:                                  # as the interpreter would: traceback, 1
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 1)


def _wait(pid, timeout, cmd) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(cmd, timeout)
        time.sleep(0.005)
