"""Datadog dashboard lists (`kind: datadog/dashboard-list`): v1 lists, v2 items."""
