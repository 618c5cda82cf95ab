# Shared fixtures (broker, databases) for every test in the repository.
pytest_plugins = ["civic_testing.plugin"]
