"""The recorder: one JSON line per SQL query, streamed to a file.

Line format version 1 (`FORMAT_VERSION`), documented in `python/README.md`:

    {"v": 1, "type": "header", "tool": "djperf-capture", "version": "0.1.0", "root": "/abs/root", ...}
    {"v": 1, "type": "test", "test": "<id>", "file": "shop/tests.py", "line": 12, "function": "test_x", ...}
    {"v": 1, "type": "query", "test": "<id>", "phase": "call", "request": "GET /books/",
     "request_id": "4242-3", "db": "default", "sql": "<fingerprint>", "ms": 0.081,
     "many": false, "stack": [{"file": "shop/views.py", "line": 9, "function": "book_list"}, ...]}

Nothing is kept in memory per query: each line is written with one `os.write` on a file
opened with `O_APPEND` (whole lines, even from several processes). Recording never changes
what a test does: the query runs exactly as before, its exceptions propagate, and a failure to
write disables the recorder (reported once on stderr) instead of failing the test.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import sys
import threading
import time

from .fingerprint import fingerprint
from .frames import FrameFilter

FORMAT_VERSION = 1
__version__ = "0.1.0"

_active: Recorder | None = None
_signals_connected = False


def active() -> Recorder | None:
    """The recorder in use in this process, if any."""
    return _active


def activate(recorder: Recorder | None) -> None:
    """Make `recorder` the one queries are recorded by (None: stop recording)."""
    global _active
    _active = recorder
    if recorder is not None:
        _connect_signals()


def _connect_signals() -> None:
    """Request boundaries from Django's own signals: the test client and the WSGI/ASGI
    handlers send them, so every request is a scope of its own."""
    global _signals_connected
    if _signals_connected:
        return
    from django.core.signals import request_finished, request_started

    request_started.connect(_on_request_started, dispatch_uid="djperf_capture.started")
    request_finished.connect(_on_request_finished, dispatch_uid="djperf_capture.finished")
    _signals_connected = True


def _on_request_started(sender, environ=None, scope=None, **kwargs):
    rec = _active
    if rec is None:
        return
    if environ is not None:
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
    elif scope is not None:
        method, path = scope.get("method", "GET"), scope.get("path", "/")
    else:
        return
    rec.begin_request(method, path)


def _on_request_finished(sender, **kwargs):
    rec = _active
    if rec is not None:
        rec.end_request()


def django_root() -> str:
    """The project root outside pytest: `DJPERF_ROOT`, else `settings.BASE_DIR`, else the
    current directory."""
    env = os.environ.get("DJPERF_ROOT")
    if env:
        return env
    try:
        from django.conf import settings

        base = getattr(settings, "BASE_DIR", None)
        if base:
            return str(base)
    except Exception:  # noqa: BLE001 - settings not configured
        pass
    return os.getcwd()


class Recorder:
    """Writes the capture log. `mode` "w" starts the file afresh (with a header line), "a"
    appends (a header is written when the file is empty)."""

    def __init__(self, path: str, root: str | None = None, mode: str = "w"):
        self.path = os.path.abspath(path)
        self.frames = FrameFilter(root or os.getcwd())
        self.root = self.frames.root
        self.error: str | None = None
        self.queries = 0
        self.tests = 0
        self._local = threading.local()
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid: int | None = None
        self._requests = itertools.count(1)
        if mode == "w":
            self._open(truncate=True)

    # -- the file -----------------------------------------------------------------------

    def _header(self) -> dict:
        try:
            import django

            django_version = django.get_version()
        except Exception:  # noqa: BLE001
            django_version = None
        return {
            "v": FORMAT_VERSION,
            "type": "header",
            "tool": "djperf-capture",
            "version": __version__,
            "root": self.root,
            "python": platform.python_version(),
            "django": django_version,
            "pid": os.getpid(),
        }

    def _open(self, truncate: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | (os.O_TRUNC if truncate else 0)
        try:
            self._fd = os.open(self.path, flags, 0o666)
            self._pid = os.getpid()
            if truncate or os.fstat(self._fd).st_size == 0:
                self._write_locked(self._header())
        except OSError as exc:
            self._fail(exc)

    def _write_locked(self, obj: dict) -> None:
        data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def write(self, obj: dict) -> None:
        if self.error is not None:
            return
        try:
            with self._lock:
                if self._fd is None or self._pid != os.getpid():
                    # First use, or a forked worker: append to the same file.
                    self._open(truncate=False)
                    if self.error is not None:
                        return
                self._write_locked(obj)
        except (OSError, TypeError, ValueError) as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = f"{type(exc).__name__}: {exc}"
            print(
                f"djperf-capture: recording stopped, cannot write {self.path}: {self.error}",
                file=sys.stderr,
            )

    def close(self) -> None:
        with self._lock:
            if self._fd is not None and self._pid == os.getpid():
                try:
                    os.close(self._fd)
                except OSError:
                    pass
            self._fd = None

    # -- scopes (per thread) ------------------------------------------------------------

    def _state(self):
        s = self._local
        if not hasattr(s, "test"):
            s.test = None
            s.phase = None
            s.request = None
            s.request_id = None
        return s

    def begin_test(self, info: dict) -> None:
        """Start a test: `info` holds at least `test` (its id); see `python/README.md`."""
        s = self._state()
        s.test = info["test"]
        s.phase = None
        s.request = None
        s.request_id = None
        self.tests += 1
        self.write({"v": FORMAT_VERSION, "type": "test", **info})

    def end_test(self) -> None:
        s = self._state()
        s.test = None
        s.phase = None

    @contextlib.contextmanager
    def phase(self, name: str):
        s = self._state()
        before = s.phase
        s.phase = name
        try:
            yield
        finally:
            s.phase = before

    def begin_request(self, method: str, path: str) -> None:
        s = self._state()
        s.request = f"{method} {path}"
        s.request_id = f"{os.getpid()}-{next(self._requests)}"

    def end_request(self) -> None:
        s = self._state()
        s.request = None
        s.request_id = None

    # -- database connections -----------------------------------------------------------

    def _connections(self):
        from django.conf import settings

        if not settings.configured:
            return []
        from django.db import connections

        return [connections[alias] for alias in connections]

    @contextlib.contextmanager
    def installed(self):
        """Record the queries of this thread's database connections inside the block."""
        with contextlib.ExitStack() as stack:
            try:
                conns = self._connections()
            except Exception:  # noqa: BLE001 - no usable database settings: nothing to record
                conns = []
            for conn in conns:
                if self.execute not in conn.execute_wrappers:
                    stack.enter_context(conn.execute_wrapper(self.execute))
            yield

    def install_persistent(self) -> None:
        """Record this thread's connections from now on (the dev-server middleware)."""
        try:
            conns = self._connections()
        except Exception:  # noqa: BLE001
            return
        for conn in conns:
            if self.execute not in conn.execute_wrappers:
                conn.execute_wrappers.append(self.execute)

    def execute(self, execute, sql, params, many, context):
        """The `execute_wrapper`: run the query unchanged, then write its line."""
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - start
            try:
                self._record(sql, elapsed, many, context)
            except Exception as exc:  # noqa: BLE001 - never fail the test for the recorder
                self._fail(exc)

    def _record(self, sql, elapsed, many, context) -> None:
        if self.error is not None or _active is not self:
            return
        stack, unittest_phase = self.frames.walk(sys._getframe(2))
        if not stack:
            # Django's own work with no project code on the stack (creating the test
            # database, flushing tables): not the project's queries.
            return
        s = self._state()
        conn = context.get("connection") if isinstance(context, dict) else None
        self.queries += 1
        self.write(
            {
                "v": FORMAT_VERSION,
                "type": "query",
                "test": s.test,
                "phase": unittest_phase or s.phase,
                "request": s.request,
                "request_id": s.request_id,
                "db": getattr(conn, "alias", None),
                "sql": fingerprint(sql if isinstance(sql, str) else str(sql)),
                "ms": round(elapsed * 1000.0, 3),
                "many": bool(many),
                "stack": stack,
            }
        )
