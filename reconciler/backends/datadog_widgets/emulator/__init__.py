"""The local Datadog Widgets v2 API: starlette app, SQLite store, knobs, and how it is served."""
