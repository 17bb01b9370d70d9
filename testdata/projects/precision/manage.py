#!/usr/bin/env python
"""Fixture project for djperf: precision on patterns real projects ship.

Each module holds one class of code where a static N+1 checker is easily wrong, with the
true positive beside it. No settings module: scripts/oracle generates them
(see testdata/projects/README.md).
"""
