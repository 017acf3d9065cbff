"""Journeys across every kind: a stateful machine of the daily loop, and the bugs it found kept as short tests."""
