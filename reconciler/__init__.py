"""widgets-as-code: keep Datadog saved widgets in git, plan and apply them like infrastructure."""

__version__ = "0.1.0"
