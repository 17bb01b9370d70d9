#!/usr/bin/env python
"""Fixture project for djperf: querysets and rows that travel through functions.

Helpers, model methods and properties, manager and queryset methods that return querysets;
querysets handed to functions that iterate them; receivers known from annotations and from
the request. It has no settings module on purpose: scripts/oracle generates the settings
in-process (see testdata/projects/README.md).
"""
