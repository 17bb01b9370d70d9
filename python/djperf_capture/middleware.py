"""Capture on a dev server: add `"djperf_capture.middleware.QueryCaptureMiddleware"` to
`MIDDLEWARE` and set `DJPERF_QUERIES` (a setting or an environment variable) to the log file.

Every request is a scope of its own (`"request": "GET /books/"` with a unique `request_id`).
The file is appended to (the autoreloader restarts the server process). Without
`DJPERF_QUERIES` and outside a capturing test run, the middleware removes itself
(`MiddlewareNotUsed`). Under a capturing test run it only makes sure the request's thread is
recorded.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

from .recorder import Recorder, activate, active, django_root


class QueryCaptureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        if active() is None:
            path = getattr(settings, "DJPERF_QUERIES", None) or os.environ.get("DJPERF_QUERIES")
            if not path:
                raise MiddlewareNotUsed("djperf-capture: DJPERF_QUERIES is not set")
            activate(Recorder(str(path), root=django_root(), mode="a"))

    def __call__(self, request):
        rec = active()
        if rec is None:
            return self.get_response(request)
        rec.install_persistent()
        state = rec._state()
        if state.request is None:
            # A handler that sent no request_started signal.
            rec.begin_request(request.method, request.path)
            try:
                return self.get_response(request)
            finally:
                rec.end_request()
        return self.get_response(request)
