"""The package as a user installs it: the wheel, the pre-commit hook, shell completion, the version."""
