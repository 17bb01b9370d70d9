#!/usr/bin/env python
"""Fixture project for djperf: over-fetching and query-efficiency rules (DJP2xx, DJP4xx).

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
