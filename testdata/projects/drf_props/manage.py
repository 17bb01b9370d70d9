#!/usr/bin/env python
"""Fixture project for djperf: DRF serializer fields whose source is a model property, a
`cached_property` or a zero-argument model method (issue 17 §4/§6): the member's code runs for
every serialized object, and a nested serializer serializes what it returns.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
