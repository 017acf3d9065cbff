"""Every command end to end (validate, plan, apply, drift, show, list, export) over loopback HTTP, with Datadog saved
widgets as the kind; what only another kind does is in that kind's folder."""
