"""The remote side: sites, the HTTP client with its retry and rate-limit policy, and listings."""
