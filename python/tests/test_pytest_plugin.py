import json
import os
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))

INNER_CONFTEST = """
import django
from django.conf import settings

settings.configure(
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    INSTALLED_APPS=[],
)
django.setup()
"""

INNER_TESTS = """
import pytest
from django.db import connection


def query():
    with connection.cursor() as c:
        c.execute("SELECT %s", [1])


@pytest.fixture
def prepared():
    query()
    yield
    query()


def test_ok(prepared):
    query()
    query()


def test_fails():
    query()
    raise AssertionError("boom")


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    query()
"""


def test_plugin_records_tests_and_phases(pytester):
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER_TESTS)
    log = pytester.path / "q.jsonl"
    result = pytester.runpytest_subprocess("-p", "djperf_capture", "-p", "no:django", f"--djperf-queries={log}")
    # the tests' own outcome is untouched
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*djperf-capture: 7 queries of 4 tests written to*"])
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert entries[0]["type"] == "header"
    assert entries[0]["root"] == os.path.realpath(str(pytester.path))
    tests = {e["test"]: e for e in entries if e["type"] == "test"}
    ok = tests["test_inner.py::test_ok"]
    assert ok["file"] == "test_inner.py" and ok["function"] == "test_ok"
    assert ok["style"] == "pytest" and ok["params"] == ["prepared"] and not ok["parametrized"]
    assert tests["test_inner.py::test_param[1]"]["parametrized"]
    assert tests["test_inner.py::test_param[1]"]["function"] == "test_param"
    phases = [(e["test"], e["phase"], e["stack"][0]["function"]) for e in entries if e["type"] == "query"]
    assert phases[:5] == [
        ("test_inner.py::test_ok", "setup", "query"),
        ("test_inner.py::test_ok", "call", "query"),
        ("test_inner.py::test_ok", "call", "query"),
        ("test_inner.py::test_ok", "teardown", "query"),
        ("test_inner.py::test_fails", "call", "query"),
    ]


def test_without_the_option_nothing_is_written(pytester):
    pytester.makeconftest(INNER_CONFTEST)
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess("-p", "djperf_capture", "-p", "no:django")
    result.assert_outcomes(passed=3, failed=1)
    assert not list(pytester.path.glob("*.jsonl"))
    assert "djperf-capture:" not in result.stdout.str()
