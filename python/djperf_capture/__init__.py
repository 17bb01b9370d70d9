"""djperf-capture: record the SQL queries of a Django test run for `djperf check --queries`.

- pytest: `pytest -p djperf_capture --djperf-queries=queries.jsonl` (the `-p` is optional
  once the package is installed: it registers itself as a pytest plugin);
- `manage.py test`: `TEST_RUNNER = "djperf_capture.runner.CaptureRunner"`, then
  `python manage.py test --djperf-queries=queries.jsonl` (or `DJPERF_QUERIES=...`);
- a dev server: add `"djperf_capture.middleware.QueryCaptureMiddleware"` to `MIDDLEWARE` and
  set `DJPERF_QUERIES` (a setting or an environment variable).

The line format is described in `python/README.md` and in `recorder.py`.

This module is also the pytest plugin. Its two hooks import pytest only when pytest calls
them, so importing `djperf_capture` outside pytest needs nothing but Django.
"""

from .fingerprint import fingerprint
from .recorder import FORMAT_VERSION, Recorder, __version__, activate, active

__all__ = ["FORMAT_VERSION", "Recorder", "__version__", "activate", "active", "fingerprint"]


def pytest_addoption(parser):
    group = parser.getgroup("djperf", "djperf query capture")
    group.addoption(
        "--djperf-queries",
        metavar="PATH",
        default=None,
        help="write every SQL query of the tests to PATH (JSON lines) for `djperf check --queries`",
    )


def pytest_configure(config):
    path = config.getoption("djperf_queries", None)
    if path:
        from .pytest_plugin import register

        register(config, path)
