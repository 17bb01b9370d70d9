#!/usr/bin/env python
"""Fixture project for djperf: rows whose model is known from a parameter's annotation or
from `request.user`.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
