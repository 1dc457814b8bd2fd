pytest_plugins = ["derivcheck.pytest_plugin"]
