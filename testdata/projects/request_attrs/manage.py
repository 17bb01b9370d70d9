#!/usr/bin/env python
"""Fixture project for djperf: attributes the project's own code sets on requests
(`request.event = get_object_or_404(Event, ...)` in a decorator, a view's `dispatch()`, a DRF
view's `initial()`), read by views as rows of a known model.

It has no settings module on purpose: scripts/oracle generates the settings in-process
(see testdata/projects/README.md).
"""
