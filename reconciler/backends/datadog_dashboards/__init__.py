"""Datadog dashboards (Dashboards API v1): `kind: datadog/dashboard`."""
