"""`manage.py test` with capture: `TEST_RUNNER = "djperf_capture.runner.CaptureRunner"`.

`python manage.py test --djperf-queries=queries.jsonl` (or the environment variable
`DJPERF_QUERIES`) records every query; without either, it is Django's `DiscoverRunner`.
"""

from __future__ import annotations

import inspect
import os
import sys
import unittest

from django.test.runner import DiscoverRunner

from .recorder import Recorder, activate, django_root


def test_info(test, recorder: Recorder) -> dict:
    cls = type(test)
    name = getattr(test, "_testMethodName", None)
    method = getattr(cls, name, None) if name else None
    file = line = None
    try:
        file = recorder.frames.relative(inspect.getsourcefile(cls) or "")
    except TypeError:
        pass
    code = getattr(method, "__code__", None)
    if code is not None:
        line = code.co_firstlineno
    return {
        "test": test.id(),
        "file": file,
        "line": line,
        "function": name,
        "class": cls.__name__,
        "style": "unittest",
        "params": None,
        "parametrized": False,
    }


class CaptureRunner(DiscoverRunner):
    def __init__(self, *args, djperf_queries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.djperf_queries = djperf_queries or os.environ.get("DJPERF_QUERIES") or None
        self.recorder: Recorder | None = None

    @classmethod
    def add_arguments(cls, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--djperf-queries",
            metavar="PATH",
            help="write every SQL query of the tests to PATH (JSON lines) for `djperf check --queries`",
        )

    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        if self.djperf_queries:
            self.recorder = Recorder(self.djperf_queries, root=django_root(), mode="w")
            activate(self.recorder)

    def build_suite(self, *args, **kwargs):
        if self.recorder is not None and isinstance(self.parallel, int) and self.parallel > 1:
            # Worker processes would run the tests with their own result class, unseen.
            print(
                "djperf-capture: running the tests in one process (--parallel ignored) "
                "so that every query is recorded",
                file=sys.stderr,
            )
            self.parallel = 1
        return super().build_suite(*args, **kwargs)

    def get_resultclass(self):
        base = super().get_resultclass()
        recorder = self.recorder
        if recorder is None:
            return base

        class CaptureResult(base or unittest.TextTestResult):
            def startTest(self, test):
                recorder.begin_test(test_info(test, recorder))
                super().startTest(test)

            def stopTest(self, test):
                super().stopTest(test)
                recorder.end_test()

        return CaptureResult

    def run_suite(self, suite, **kwargs):
        if self.recorder is None:
            return super().run_suite(suite, **kwargs)
        with self.recorder.installed():
            return super().run_suite(suite, **kwargs)

    def teardown_test_environment(self, **kwargs):
        if self.recorder is not None:
            r = self.recorder
            activate(None)
            r.close()
            if r.error:
                print(f"djperf-capture: recording stopped early: {r.error}", file=sys.stderr)
            print(
                f"djperf-capture: {r.queries} queries of {r.tests} tests written to {r.path}",
                file=sys.stderr,
            )
        super().teardown_test_environment(**kwargs)
