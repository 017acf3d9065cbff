"""Datadog saved widgets (Widgets v2): the emulator against the published OpenAPI, its search, validation,
auth, state and knobs, and the official client against it."""
