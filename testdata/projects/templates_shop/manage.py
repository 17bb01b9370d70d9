#!/usr/bin/env python
"""Fixture project for djperf: views rendering templates (DJP130, DJP131).

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md). Templates live in shop/templates/ (APP_DIRS).
"""
