#!/usr/bin/env python
"""Fixture project for djperf: a SQLite project, where DJP310 stays silent.

config/settings.py names SQLite; the oracle generates its own settings.
"""
