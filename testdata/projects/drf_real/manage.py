#!/usr/bin/env python
"""Fixture project for djperf: DRF as real projects write it (plain serializers, library base
classes, computed `Meta.fields`, every kind of related field, serializers used in functions).

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
