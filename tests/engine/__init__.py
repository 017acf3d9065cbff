"""The engine that runs plans, over the in-memory fake backend: planning, applying, replacing."""
