import json

import pytest
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from djperf_capture import activate, active
from djperf_capture.middleware import QueryCaptureMiddleware
from test_recorder import run_query


def view(request):
    run_query()
    return HttpResponse("ok")


def test_without_a_log_the_middleware_removes_itself(monkeypatch):
    monkeypatch.delenv("DJPERF_QUERIES", raising=False)
    assert active() is None
    with pytest.raises(MiddlewareNotUsed):
        QueryCaptureMiddleware(view)


def test_dev_server_requests_are_recorded_and_appended(tmp_path, monkeypatch):
    log = tmp_path / "dev.jsonl"
    monkeypatch.delenv("DJPERF_QUERIES", raising=False)
    try:
        with override_settings(DJPERF_QUERIES=str(log)):
            mw = QueryCaptureMiddleware(view)
        assert mw(RequestFactory().get("/books/")).content == b"ok"
        # a restarted server appends: no second header
        activate(None)
        with override_settings(DJPERF_QUERIES=str(log)):
            mw = QueryCaptureMiddleware(view)
        assert mw(RequestFactory().post("/books/")).content == b"ok"
    finally:
        rec = active()
        activate(None)
        if rec is not None:
            rec.close()
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["type"] for e in entries] == ["header", "query", "query"]
    assert [e["request"] for e in entries[1:]] == ["GET /books/", "POST /books/"]
    assert entries[1]["test"] is None and entries[1]["stack"][0]["function"] == "run_query"
