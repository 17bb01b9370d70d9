#!/usr/bin/env python
"""Fixture project for djperf: DRF serializers and views in different files, and the admin.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
