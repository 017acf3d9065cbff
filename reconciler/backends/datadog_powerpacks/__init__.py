"""Datadog powerpacks (`kind: datadog/powerpack`): reusable groups of widgets, kept in git."""
