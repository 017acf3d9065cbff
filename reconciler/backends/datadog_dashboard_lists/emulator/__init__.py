"""The emulated Dashboard Lists API: v1 lists and v2 items over the shared state file."""
