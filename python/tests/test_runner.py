import json
import unittest

from djperf_capture import activate
from djperf_capture.runner import CaptureRunner
from test_recorder import run_query


class Sample(unittest.TestCase):
    __test__ = False  # run by the test below, not by pytest

    def setUp(self):
        run_query()

    def test_queries(self):
        self.assertEqual(run_query(), [(1,)])

    def test_fails(self):
        run_query()
        self.assertEqual(1, 2)


def test_runner_records_each_test_and_changes_no_outcome(tmp_path):
    log = tmp_path / "u.jsonl"
    runner = CaptureRunner(djperf_queries=str(log), verbosity=0)
    runner.setup_test_environment()
    try:
        suite = unittest.TestSuite([Sample("test_queries"), Sample("test_fails")])
        result = runner.run_suite(suite)
    finally:
        runner.teardown_test_environment()
        activate(None)
    assert result.testsRun == 2 and len(result.failures) == 1 and not result.errors
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    tests = [e for e in entries if e["type"] == "test"]
    assert [t["function"] for t in tests] == ["test_queries", "test_fails"]
    assert tests[0]["test"] == "test_runner.Sample.test_queries"
    assert tests[0]["style"] == "unittest" and tests[0]["class"] == "Sample"
    assert tests[0]["file"] == "test_runner.py"
    assert tests[0]["line"] == Sample.test_queries.__code__.co_firstlineno
    queries = [(e["test"].rsplit(".", 1)[1], e["phase"]) for e in entries if e["type"] == "query"]
    assert queries == [
        ("test_queries", "setup"),
        ("test_queries", "call"),
        ("test_fails", "setup"),
        ("test_fails", "call"),
    ]


def test_without_a_log_it_is_discover_runner(monkeypatch):
    monkeypatch.delenv("DJPERF_QUERIES", raising=False)
    runner = CaptureRunner(verbosity=0)
    assert runner.get_resultclass() is None
