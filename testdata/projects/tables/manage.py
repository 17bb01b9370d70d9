#!/usr/bin/env python
"""Fixture project for djperf: django-tables2 tables rendered by SingleTableMixin views
(DJP130, DJP131 at the view's queryset, the table's columns as related locations).

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md); oracle_settings.py adds django_tables2 to the apps.
"""
