#!/usr/bin/env python
"""Fixture project for djperf: index rules (DJP301, DJP302, DJP303, DJP310).

config/settings.py says the project runs on PostgreSQL (what DJP310 looks for); the oracle
ignores it and generates SQLite settings in-process, without migrations (see
testdata/projects/README.md). pyproject.toml turns on the rules that are off by default.
"""
