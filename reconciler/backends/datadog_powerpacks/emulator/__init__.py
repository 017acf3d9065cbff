"""The emulated Powerpacks API v2, mounted at `/api/v2/powerpacks` beside the other emulators."""
