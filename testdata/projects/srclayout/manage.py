#!/usr/bin/env python
"""Fixture project for djperf: a `src/` layout. The apps live in `src/` and import each other
as `catalog.models` (src/ is on sys.path, not the repository root), so djperf must resolve
absolute imports from `src/` whether it runs here or in `src/catalog/`. Also: models named
through module aliases, Django's contrib models imported from their own modules, lower-case
lazy references, default reverse accessors, and serializers reached through a package of
star imports.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
