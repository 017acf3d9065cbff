"""What every backend's emulator shares: the test knobs (latency, rate limit, faults), request counts,
routing by path prefix and serving over loopback; no API of its own."""
