"""The pytest side: a test scope per item, a phase per setup/call/teardown."""

from __future__ import annotations

import inspect
import os
import unittest

import pytest

from .recorder import Recorder, activate


def _root(config) -> str:
    return os.environ.get("DJPERF_ROOT") or str(config.rootpath)


def test_info(item, recorder: Recorder) -> dict:
    """What the log says about a test: its id, where it is defined, its style."""
    path = str(getattr(item, "path", None) or getattr(item, "fspath", ""))
    cls = getattr(item, "cls", None)
    style = "unittest" if isinstance(cls, type) and issubclass(cls, unittest.TestCase) else "pytest"
    func = getattr(item, "function", None)
    params = None
    if style == "pytest" and func is not None:
        try:
            params = [p for p in inspect.signature(func).parameters if p != "self"]
        except (TypeError, ValueError):
            params = None
    line = None
    location = getattr(item, "location", None)
    if location and isinstance(location[1], int):
        line = location[1] + 1
    return {
        "test": item.nodeid,
        "file": recorder.frames.relative(path),
        "line": line,
        "function": getattr(item, "originalname", None) or item.name,
        "class": cls.__name__ if isinstance(cls, type) else None,
        "style": style,
        "params": params,
        "parametrized": hasattr(item, "callspec"),
    }


class CapturePlugin:
    def __init__(self, recorder: Recorder):
        self.recorder = recorder

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.recorder.begin_test(test_info(item, self.recorder))
        try:
            with self.recorder.installed():
                yield
        finally:
            self.recorder.end_test()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item):
        with self.recorder.phase("setup"):
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        with self.recorder.phase("call"):
            yield

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item, nextitem):
        with self.recorder.phase("teardown"):
            yield

    def pytest_terminal_summary(self, terminalreporter):
        r = self.recorder
        if r.error:
            terminalreporter.write_line(f"djperf-capture: recording stopped early: {r.error}", red=True)
        terminalreporter.write_line(
            f"djperf-capture: {r.queries} queries of {r.tests} tests written to {r.path}"
        )

    def pytest_unconfigure(self, config):
        activate(None)
        self.recorder.close()


def register(config, path: str) -> None:
    # Under pytest-xdist the controller starts the file; its workers append to it.
    worker = hasattr(config, "workerinput")
    recorder = Recorder(path, root=_root(config), mode="a" if worker else "w")
    activate(recorder)
    config.pluginmanager.register(CapturePlugin(recorder), "djperf_capture.plugin")
