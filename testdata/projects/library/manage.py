#!/usr/bin/env python
"""Fixture project for djperf: a small library catalogue.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
