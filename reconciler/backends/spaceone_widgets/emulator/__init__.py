"""The emulated SpaceONE dashboard service's CustomWidget API."""
