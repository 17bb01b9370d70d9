#!/usr/bin/env python
"""Fixture project for djperf: the Django project of the monorepo fixture (see
../pyproject.toml). Its settings module is found from this directory, so this is where its
module names start.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
import os

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
