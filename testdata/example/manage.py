#!/usr/bin/env python
"""The example project djperf's README runs on."""
