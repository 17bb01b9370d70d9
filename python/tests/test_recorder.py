import json
import os
import sys
import threading

import pytest
from django.db import DatabaseError, connection
from django.template import engines
from django.test import Client

from djperf_capture import FORMAT_VERSION, Recorder, activate
from djperf_capture.frames import FrameFilter

HERE = os.path.dirname(os.path.abspath(__file__))


def lines(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture
def recorder(tmp_path):
    rec = Recorder(str(tmp_path / "q.jsonl"), root=HERE)
    activate(rec)
    yield rec
    activate(None)
    rec.close()


def run_query(sql="SELECT %s", params=(1,)):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def test_header_test_and_query_lines(recorder):
    recorder.begin_test({"test": "t1", "file": "test_recorder.py", "line": 1, "function": "t1"})
    with recorder.installed(), recorder.phase("call"):
        assert run_query() == [(1,)]
    recorder.end_test()
    header, test, query = lines(recorder.path)
    assert header["v"] == FORMAT_VERSION and header["type"] == "header"
    assert header["root"] == os.path.realpath(HERE)
    assert test == {"v": 1, "type": "test", "test": "t1", "file": "test_recorder.py", "line": 1, "function": "t1"}
    assert query["type"] == "query" and query["test"] == "t1" and query["phase"] == "call"
    assert query["sql"] == "SELECT ?" and query["db"] == "default" and query["ms"] >= 0
    inner = query["stack"][0]
    assert inner["file"] == "test_recorder.py" and inner["function"] == "run_query"
    assert inner["line"] == run_query.__code__.co_firstlineno + 2
    # Python 3.11+ knows the columns of the call that ran the query
    if sys.version_info >= (3, 11):
        text = open(__file__, encoding="utf-8").read().splitlines()[inner["line"] - 1]
        assert text.encode()[inner["col"] : inner["end_col"]] == b"cursor.execute(sql, list(params))"
    assert query["stack"][1]["function"] == "test_header_test_and_query_lines"
    assert recorder.queries == 1


def test_only_inside_installed_and_never_twice(recorder):
    run_query()
    with recorder.installed():
        with recorder.installed():
            run_query()
        recorder.install_persistent()  # already there: not added again
        run_query()
    run_query()
    assert [entry["type"] for entry in lines(recorder.path)] == ["header", "query", "query"]


def test_exceptions_propagate_and_the_query_is_recorded(recorder):
    with recorder.installed():
        with pytest.raises(DatabaseError):
            run_query("SELEC broken")
        assert run_query() == [(1,)]
    entries = lines(recorder.path)
    assert [e.get("sql") for e in entries[1:]] == ["SELEC broken", "SELECT ?"]


def test_a_write_failure_never_fails_the_query(tmp_path, capsys):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    rec = Recorder("/dev/full", root=HERE)
    activate(rec)
    try:
        with rec.installed():
            assert run_query() == [(1,)]
            assert run_query() == [(1,)]
    finally:
        activate(None)
        rec.close()
    assert rec.error is not None
    assert capsys.readouterr().err.count("djperf-capture: recording stopped") == 1


def test_queries_without_project_frames_are_dropped(recorder):
    # A query issued from code outside the root only: run it from a thread started by the
    # standard library, with the root set to a directory holding none of the code.
    other = Recorder(recorder.path + ".other", root=os.path.join(HERE, "templates"))
    activate(other)
    try:
        with other.installed():
            run_query()
    finally:
        activate(recorder)
        other.close()
    assert [e["type"] for e in lines(other.path)] == ["header"]


def test_frames_are_capped(recorder):
    recorder.frames.max_frames = 3

    def nest(n):
        return run_query() if n == 0 else nest(n - 1)

    with recorder.installed():
        nest(10)
    query = lines(recorder.path)[-1]
    assert len(query["stack"]) == 3
    assert query["stack"][0]["function"] == "run_query"


def test_template_lines_are_frames(recorder):
    class Row:
        @property
        def value(self):
            return run_query()[0][0]

    template = engines["django"].get_template("rows.html")
    with recorder.installed():
        html = template.render({"rows": [Row(), Row()]})
    assert html.count("<li>1</li>") == 2
    queries = [e for e in lines(recorder.path) if e["type"] == "query"]
    assert len(queries) == 2
    files = [(f["file"], f["line"], f["function"]) for f in queries[0]["stack"]]
    assert ("templates/rows.html", 3, "<template>") in files
    assert ("templates/rows.html", 2, "<template>") in files
    assert files.index(("templates/rows.html", 3, "<template>")) < files.index(("templates/rows.html", 2, "<template>"))


def test_each_request_is_a_scope(recorder):
    client = Client()
    recorder.begin_test({"test": "t"})
    with recorder.installed(), recorder.phase("call"):
        assert client.get("/one/").status_code == 200
        assert client.get("/one/").status_code == 200
        run_query()
    queries = [e for e in lines(recorder.path) if e["type"] == "query"]
    assert [q["request"] for q in queries] == ["GET /one/", "GET /one/", None]
    assert queries[0]["request_id"] != queries[1]["request_id"]
    assert queries[2]["request_id"] is None


def test_other_threads_are_not_recorded(recorder):
    def work():
        run_query()
        connection.close()

    with recorder.installed():
        t = threading.Thread(target=work)
        t.start()
        t.join()
    assert [e["type"] for e in lines(recorder.path)] == ["header"]


def test_frame_filter_drops_library_and_outside_code(tmp_path):
    f = FrameFilter(HERE)
    assert f.relative(__file__) == "test_recorder.py"
    assert f.relative(os.__file__) is None
    assert f.relative(pytest.__file__) is None
    assert f.relative(str(tmp_path / "x.py")) is None
    assert f.relative("<string>") is None
    venv = os.path.join(HERE, ".venv", "lib", "site-packages", "x.py")
    assert f.relative(venv) is None
