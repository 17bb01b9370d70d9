"""Which Python frames belong to the project, and the template lines being rendered.

A frame is a project frame when its file lies under the project root and not in the standard
library, a `site-packages`/`dist-packages` directory, Django, pytest, pluggy or this package.
The decision is made once per code object.

Django templates have no Python frames of their own: while a template renders, every node on
the stack is in `django/template/base.py`. For each `Node.render_annotated` frame, the node's
template file and line (`node.origin.name`, `node.token.lineno`) become a frame of their own
(function `<template>`), so a query made by `{{ book.author.name }}` points at that line.
"""

from __future__ import annotations

import os
import sys
import sysconfig

#: At most this many frames are kept per query (the innermost ones).
MAX_FRAMES = 24

_DROP, _PROJECT, _TEMPLATE, _PHASE = 0, 1, 2, 3

# unittest's own methods around a test: a query below one of them is in that phase.
_UNITTEST_PHASES = {
    "_callSetUp": "setup",
    "_callTestMethod": "call",
    "_callTearDown": "teardown",
    "_callCleanup": "teardown",
    "doCleanups": "teardown",
    "_handleClassSetUp": "setup",
    "_handleModuleFixture": "setup",
    "_tearDownPreviousClass": "teardown",
    "_handleModuleTearDown": "teardown",
}


def _dir_of(module_name: str) -> str | None:
    mod = sys.modules.get(module_name)
    path = getattr(mod, "__file__", None)
    if not path:
        return None
    return os.path.dirname(os.path.realpath(path))


class FrameFilter:
    """Turns a stack into project frames, innermost first: `{"file", "line", "function"}`
    and, where Python knows them, `"col"`/`"end_col"` (0-based UTF-8 byte columns of the
    expression running on that line)."""

    def __init__(self, root: str, max_frames: int = MAX_FRAMES):
        self.root = os.path.realpath(root)
        self.max_frames = max_frames
        self._prefix = self.root.rstrip(os.sep) + os.sep
        self._files: dict[str, str | None] = {}
        self._codes: dict[object, tuple[int, object]] = {}
        self._positions: dict[object, list] = {}
        excluded = set()
        paths = sysconfig.get_paths()
        for key in ("stdlib", "platstdlib", "purelib", "platlib"):
            if paths.get(key):
                excluded.add(os.path.realpath(paths[key]))
        for name in ("django", "pytest", "_pytest", "pluggy", "pytest_django"):
            d = _dir_of(name)
            if d:
                excluded.add(d)
        excluded.add(os.path.dirname(os.path.realpath(__file__)))
        self._excluded = tuple(sorted(p.rstrip(os.sep) + os.sep for p in excluded))
        self._unittest_files = {
            os.path.realpath(f)
            for f in (
                getattr(sys.modules.get("unittest.case"), "__file__", None),
                getattr(sys.modules.get("unittest.suite"), "__file__", None),
            )
            if f
        }
        self._render_code = None
        try:
            from django.template.base import Node

            self._render_code = Node.render_annotated.__code__
        except Exception:  # noqa: BLE001 - no templates then
            pass

    def relative(self, filename: str) -> str | None:
        """`filename` relative to the root with `/` separators, or None if it is not project
        code."""
        try:
            return self._files[filename]
        except KeyError:
            pass
        rel = None
        if filename and not filename.startswith("<"):
            path = os.path.realpath(filename)
            parts = path.split(os.sep)
            if (
                path.startswith(self._prefix)
                and not path.startswith(self._excluded)
                and "site-packages" not in parts
                and "dist-packages" not in parts
            ):
                rel = path[len(self._prefix) :].replace(os.sep, "/")
        self._files[filename] = rel
        return rel

    def _kind(self, code) -> tuple[int, object]:
        try:
            return self._codes[code]
        except KeyError:
            pass
        if code is self._render_code:
            kind = (_TEMPLATE, None)
        else:
            rel = self.relative(code.co_filename)
            if rel is not None:
                kind = (_PROJECT, rel)
            elif code.co_name in _UNITTEST_PHASES and (
                os.path.realpath(code.co_filename) in self._unittest_files
            ):
                kind = (_PHASE, _UNITTEST_PHASES[code.co_name])
            else:
                kind = (_DROP, None)
        self._codes[code] = kind
        return kind

    def _columns(self, frame, line: int) -> tuple[int, int] | None:
        """The 0-based UTF-8 byte columns of the expression the frame is running (Python
        3.11+ `co_positions`), when it sits on `line` alone."""
        code = frame.f_code
        positions = self._positions.get(code)
        if positions is None:
            getter = getattr(code, "co_positions", None)
            positions = list(getter()) if getter is not None else []
            self._positions[code] = positions
        i = frame.f_lasti // 2
        if 0 <= i < len(positions):
            start_line, end_line, col, end_col = positions[i]
            if start_line == end_line == line and col is not None and end_col is not None:
                return col, end_col
        return None

    def _template_frame(self, frame) -> tuple | None:
        node = frame.f_locals.get("self")
        origin = getattr(node, "origin", None)
        name = getattr(origin, "name", None)
        lineno = getattr(getattr(node, "token", None), "lineno", None)
        if not isinstance(name, str) or not isinstance(lineno, int):
            return None
        rel = self.relative(name)
        if rel is None:
            return None
        return (rel, lineno, "<template>", None)

    def walk(self, frame) -> tuple[list[dict], str | None]:
        """The project frames from `frame` outwards (innermost first, consecutive repeats of
        one line folded, at most `max_frames`), and the unittest phase the stack is in."""
        frames: list[dict] = []
        phase = None
        last = None
        while frame is not None:
            kind, data = self._kind(frame.f_code)
            item = None
            if kind == _PROJECT:
                line = frame.f_lineno
                if line is None:
                    line = frame.f_code.co_firstlineno
                item = (data, line, frame.f_code.co_name, self._columns(frame, line))
            elif kind == _TEMPLATE:
                item = self._template_frame(frame)
            elif kind == _PHASE and phase is None:
                phase = data
            if item is not None and item != last:
                last = item
                if len(frames) < self.max_frames:
                    entry = {"file": item[0], "line": item[1], "function": item[2]}
                    if item[3] is not None:
                        entry["col"], entry["end_col"] = item[3]
                    frames.append(entry)
            frame = frame.f_back
        return frames, phase
