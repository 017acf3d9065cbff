"""The Backend protocol's promises, one parametrised suite run against every registered backend over its
emulator, and the in-memory fake held to the same promises."""
