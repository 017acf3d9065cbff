"""Datadog dashboards v1 and their shares: the emulator against the OpenAPI and the recorded exchanges, the
official client, and the kind's reconcile, sharing and trust."""
