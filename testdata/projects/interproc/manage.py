#!/usr/bin/env python
"""Fixture project for djperf: rows followed into helpers, properties, methods and __str__.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
