"""The pure core with no I/O: planning, its properties, replace and parents, kinds."""
