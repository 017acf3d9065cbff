"""widgets-as-code: dashboards and widgets kept in git as YAML; plan, apply and drift like infrastructure."""

# The one place the version is written: the package metadata (pyproject.toml) reads it from here.
__version__ = "0.1.0"
