"""Datadog powerpacks: replayed recordings, the official client, wac end to end, hostile answers."""
