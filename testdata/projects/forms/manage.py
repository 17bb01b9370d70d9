#!/usr/bin/env python
"""Fixture project for djperf: model choice fields of rendered Django forms, whose choice
labels (`label_from_instance`, `str()` of each row) read relations their querysets do not
load (DJP101 at the field).

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
