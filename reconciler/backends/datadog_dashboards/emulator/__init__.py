"""The emulated Dashboards API v1, judged by replaying the recorded exchanges."""
