"""The local Datadog Widgets v2 API: starlette app, SQLite store and the users behind keys (the knobs and
serving are shared, in `backends/emulation`)."""
