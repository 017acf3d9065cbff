"""Manifests: the examples, validation errors located by file and line, hostile YAML."""
