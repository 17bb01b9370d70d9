"""Query-count oracle for djperf's fixture projects.

Every fixture project under testdata/projects/<name>/ declares *cases* next to its code and
*claims* on the lines where djperf should report. This script proves each claim with real
Django (SQLite in memory, queries counted at two seed sizes) and checks that djperf reports
exactly the claimed findings. See testdata/projects/README.md for the comment forms.

Run it through scripts/oracle, which provides the pinned virtualenv:

    scripts/oracle [-v] [--django-only] [PROJECT...]

Layout of this file: the parent process discovers cases and claims with ast/tokenize, runs
djperf once per project and compares; a worker subprocess per project (`--worker`) sets up
Django, seeds, runs every case at both sizes and writes raw counts and SQL as JSON.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tokenize
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECTS_DIR = REPO_ROOT / "testdata" / "projects"

# Seed sizes: rows per model. An N+1 case must issue more queries at LARGE than at SMALL.
SMALL, LARGE = 3, 7

# --------------------------------------------------------------------------------------
# Claim kinds: one row per code. Add a code here before a fixture may claim it.
#   "scales"        the case's query count grows with the number of rows (an N+1)
#   "fetches-rows"  the case's SQL fetches rows, not a COUNT or an EXISTS-style LIMIT 1
# A case with no claims at all must be clean: equal query counts at both sizes.
# --------------------------------------------------------------------------------------
N_PLUS_ONE_CODES = (
    "DJP101", "DJP102", "DJP103", "DJP104", "DJP105", "DJP107",
    "DJP110", "DJP111", "DJP112", "DJP120", "DJP130", "DJP131", "DJP202",
)
CLAIM_KINDS = {code: "scales" for code in N_PLUS_ONE_CODES}
# DJP401/402: the case fetches whole rows, unbounded, and never asks for COUNT/exists (the
# fix would replace the row fetch by one of those). DJP403: a COUNT query is run.
# DJP404: N+1 (it fires in loops) and a per-row fetch of one related object by key.
# DJP201: a captured row fetch selects a large column (see large_columns()).
CLAIM_KINDS.update({
    "DJP401": "fetches-rows", "DJP402": "fetches-rows",
    "DJP403": "counts",
    "DJP404": "fetches-by-key",
    "DJP201": "selects-large",
})
# DJP106: a select_related/prefetch_related lookup nothing reads. The worker runs the case a
# second time with that lookup taken out (see LoadStrip): Django must show the same output,
# no growth with the rows, and less work (fewer queries, or fewer JOINs).
CLAIM_KINDS["DJP106"] = "loads-unused"
# `# load-read` on a lookup line inside a case marks a load the case reads (a DJP106 near
# miss): with that lookup taken out Django must show the case growing with the rows.
LOAD_READ_RE = re.compile(r"#.*\bload-read\b")
# A CharField longer than this is a large column (djperf's large-charfield-max-length default).
LARGE_CHAR_LENGTH = 1000
# Static-only codes: claims about the schema and migrations (indexes) that query counts on
# SQLite cannot show. They are checked against djperf only, may stand outside cases (on a
# model or a migration), and do not change what Django must show for a case (a case whose
# only claims are static must still be clean).
STATIC_CODES = ("DJP301", "DJP302", "DJP303", "DJP310")
CLAIM_KINDS.update({code: "static" for code in STATIC_CODES})
# Index claims inside a case are also shown by SQLite's query planner (EXPLAIN QUERY PLAN of
# every captured SELECT): DJP301 must make SQLite scan a whole table for a filtered query,
# DJP302 must make it sort in a temporary B-tree. Outside cases (Meta.ordering, migrations)
# they stay static.
PLAN_KINDS = {"DJP301": "plan-scans", "DJP302": "plan-sorts"}

EXPECT_RE = re.compile(r"#\s*(todo-expect|expect)\s*:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")
ORACLE_RE = re.compile(r"#\s*oracle\s*:\s*(.*?)\s*$")
CODE_RE = re.compile(r"[A-Z]+[0-9]+")


# ======================================================================================
# Discovery (parent process)
# ======================================================================================


@dataclass
class Claim:
    file: str  # repo-relative, "/" separated
    row: int
    code: str
    todo: bool


@dataclass
class Case:
    id: str  # project/path/to/module.py::name
    project: str
    file: str  # repo-relative
    module: str  # dotted import path from the project root
    name: str
    kind: str  # "call" | "get" | "admin" | "migrate"
    url: str | None
    first: int
    last: int
    claims: list[Claim] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # --expect-clean: claims whose finding djperf no longer reports (its fix was applied)
    fixed: list[Claim] = field(default_factory=list)
    # Extra (file, first, last) ranges whose claims this case owns ('also=' in the directive).
    extra: list[tuple[str, int, int]] = field(default_factory=list)
    also: list[str] = field(default_factory=list)
    # Lookups the worker takes out in a run of their own: DJP106 claims and `# load-read`
    # markers of the case (LoadStrip.as_json()).
    strips: list[dict] = field(default_factory=list)

    def covers(self, file: str, row: int) -> bool:
        if file == self.file and self.first <= row <= self.last:
            return True
        return any(file == f and a <= row <= b for f, a, b in self.extra)


def rel(path: Path) -> str:
    return path.resolve().relative_to(REPO_ROOT).as_posix()


def import_base(project: Path) -> Path:
    """Where the project's absolute imports start: its `src/` directory in a src layout
    (`src/` without `__init__.py`), else the project directory (the one holding manage.py)."""
    src = project / "src"
    if src.is_dir() and not (src / "__init__.py").is_file():
        return src
    return project


def app_dirs(project: Path) -> list[Path]:
    """App packages: directories (any depth below the root) with __init__.py and models.py
    (or a models/ package)."""
    found = []
    for init in sorted(project.rglob("__init__.py")):
        d = init.parent
        has_models = (d / "models.py").is_file() or (d / "models" / "__init__.py").is_file()
        if has_models and "__pycache__" not in d.parts and d.name != "models":
            found.append(d)
    return found


def extra_settings(project: Path) -> dict:
    """UPPER_CASE names of an optional oracle_settings.py at the project root (for settings a
    project needs, e.g. AUTH_USER_MODEL; EXTRA_INSTALLED_APPS goes before the project's apps)."""
    path = project / "oracle_settings.py"
    if not path.is_file():
        return {}
    ns: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), ns)
    return {k: v for k, v in ns.items() if k.isupper()}


def python_files(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*.py") if "__pycache__" not in p.parts)


def read_comments(path: Path) -> dict[int, str]:
    """Comment text by line number, from the tokenizer (never from string literals)."""
    out: dict[int, str] = {}
    with open(path, "rb") as fh:
        for tok in tokenize.tokenize(fh.readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string
    return out


def parse_claims(path: Path, comments: dict[int, str]) -> tuple[list[Claim], list[str]]:
    claims, problems = [], []
    for row, text in sorted(comments.items()):
        m = EXPECT_RE.search(text)
        if not m:
            if re.search(r"#\s*(todo-)?expect\b", text):
                problems.append(f"{rel(path)}:{row}: unreadable claim comment {text!r}")
            continue
        for code in CODE_RE.findall(m.group(2)):
            claims.append(Claim(rel(path), row, code, m.group(1) == "todo-expect"))
    return claims, problems


LOAD_METHODS = ("select_related", "prefetch_related")


def load_args(tree: ast.AST) -> dict[int, list[tuple[ast.Call, int, ast.expr]]]:
    """Arguments of every select_related/prefetch_related call, by the line they start on:
    (call, argument index, argument)."""
    out: dict[int, list[tuple[ast.Call, int, ast.expr]]] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in LOAD_METHODS):
            for i, a in enumerate(node.args):
                if isinstance(a, ast.Starred):
                    break
                out.setdefault(a.lineno, []).append((node, i, a))
    return out


def strip_at(path: Path, row: int, args, why: str) -> dict:
    """The lookup to take out for the claim or marker `why` on `row`: the one argument of a
    select_related/prefetch_related call that starts on that line."""
    found = args.get(row, [])
    if len(found) != 1:
        return {"row": row, "why": why,
                "problem": f"{rel(path)}:{row}: {why} needs exactly one select_related/"
                           f"prefetch_related argument starting on its line, found {len(found)}"}
    call, index, arg = found[0]
    return {"row": row, "why": why, "file": str(path.resolve()), "method": call.func.attr,
            "first": call.lineno, "last": call.end_lineno, "index": index,
            "text": ast.unparse(arg)}


def discover(project: Path) -> tuple[list[Case], list[Claim], list[str]]:
    """Cases and claims of one project. Returns (cases, all claims, problems)."""
    cases: list[Case] = []
    all_claims: list[Claim] = []
    problems: list[str] = []
    # Top-level def/class line ranges per project-relative file, for 'also=' targets.
    ranges: dict[tuple[str, str], tuple[int, int]] = {}
    all_strips: list[tuple[str, dict]] = []
    apps = app_dirs(project)
    for path in python_files(project):
        try:
            source = path.read_text()
            tree = ast.parse(source, filename=str(path))
            comments = read_comments(path)
        except (SyntaxError, tokenize.TokenError, UnicodeDecodeError) as exc:
            problems.append(f"{rel(path)}: cannot parse: {exc}")
            continue
        claims, bad = parse_claims(path, comments)
        largs = load_args(tree)
        strips = [strip_at(path, c.row, largs, "DJP106") for c in claims if c.code == "DJP106"]
        strips += [strip_at(path, row, largs, "load-read") for row, text in comments.items()
                   if LOAD_READ_RE.search(text)]
        all_strips.extend((rel(path), s) for s in strips)
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                ranges[(path.relative_to(project).as_posix(), node.name)] = (first, node.end_lineno)
        all_claims += claims
        problems += bad
        in_app = any(a in path.parents for a in apps)
        base = import_base(project) if import_base(project) in path.parents else project
        module = ".".join(path.relative_to(base).with_suffix("").parts)
        if module.endswith(".__init__"):
            module = module[: -len(".__init__")]

        def add(node: ast.AST, kind: str, url: str | None) -> None:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            cases.append(Case(
                id=f"{project.name}/{path.relative_to(project).as_posix()}::{node.name}",
                project=project.name, file=rel(path), module=module, name=node.name,
                kind=kind, url=url, first=first, last=node.end_lineno,
            ))

        if in_app:
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("case_"):
                    a = node.args
                    if a.args or a.posonlyargs or a.kwonlyargs or a.vararg or a.kwarg:
                        problems.append(f"{rel(path)}:{node.lineno}: {node.name} must take no parameters")
                    else:
                        add(node, "call", None)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            text = comments.get(first - 1)
            m = ORACLE_RE.search(text) if text else None
            if not m:
                continue
            words = m.group(1).split()
            also = [w[len("also="):] for w in words if w.startswith("also=")]
            words = [w for w in words if not w.startswith("also=")]
            if len(words) == 2 and words[0] == "get" and words[1].startswith("/"):
                add(node, "get", words[1])
                cases[-1].also = also
            elif words == ["admin"] and isinstance(node, ast.ClassDef):
                add(node, "admin", None)
                cases[-1].also = also
            elif not words and also and any(c.first == first and c.file == rel(path) for c in cases):
                # `# oracle: also=...` above a `def case_*()`: the call case owns those claims.
                next(c for c in cases if c.first == first and c.file == rel(path)).also = also
            elif words == ["migrate"] and isinstance(node, ast.FunctionDef):
                add(node, "migrate", None)
                cases[-1].also = also
            else:
                problems.append(f"{rel(path)}:{first - 1}: unknown oracle directive {text!r} "
                                "(use '# oracle: get /url/', '# oracle: admin' above a ModelAdmin "
                                "or '# oracle: migrate' above a data-migration function)")
        # Directives that are not directly above a def/class are mistakes, not silence.
        used = {c.first - 1 for c in cases if c.file == rel(path)}
        for row, text in comments.items():
            if ORACLE_RE.search(text) and row not in used and not any(
                p.startswith(f"{rel(path)}:{row}:") for p in problems
            ):
                problems.append(f"{rel(path)}:{row}: '# oracle:' comment is not directly above a def/class")

    for case in cases:
        for a in case.also:
            fname, _, name = a.partition(":")
            r = ranges.get((fname, name))
            if r is None:
                problems.append(f"{case.file}:{case.first - 1}: also={a}: no top-level def/class {name} in {fname}")
            else:
                case.extra.append((rel(project / fname), r[0], r[1]))
        case.claims = [c for c in all_claims if case.covers(c.file, c.row)]
        case.strips = [s for f, s in all_strips if case.covers(f, s["row"])]
    for f, s in all_strips:
        if s["why"] == "load-read" and not any(case.covers(f, s["row"]) for case in cases):
            problems.append(f"{f}:{s['row']}: '# load-read' is not inside any case")
    return cases, all_claims, problems


# ======================================================================================
# djperf (parent process)
# ======================================================================================


def run_djperf(project: Path) -> tuple[list[dict] | None, str]:
    """djperf's findings for one project, or (None, reason)."""
    binary = os.environ.get("DJPERF_BIN", "target/debug/djperf")
    exe = Path(binary) if Path(binary).is_absolute() else REPO_ROOT / binary
    if not exe.is_file():
        return None, f"djperf binary not found at {binary} (build it, or set DJPERF_BIN)"
    cmd = [str(exe), "check", "--output-format", "json", "--exit-zero", rel(project)]
    try:
        proc = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"djperf failed to run: {exc}"
    if proc.returncode != 0:
        return None, f"djperf exited {proc.returncode}: {proc.stderr.strip()[:500]}"
    try:
        findings = json.loads(proc.stdout)
        assert isinstance(findings, list)
        for f in findings:
            f["filename"] = Path(os.path.normpath(f["filename"])).as_posix()
            int(f["location"]["row"])
            str(f["code"])
    except (ValueError, AssertionError, KeyError, TypeError) as exc:
        return None, f"djperf printed unreadable JSON ({exc}): {proc.stdout[:300]!r}"
    return findings, ""


# ======================================================================================
# Verdicts (parent process)
# ======================================================================================


def fmt_claims(claims) -> str:
    return ", ".join(("todo:" if c.todo else "") + f"{c.code}@{c.row}" for c in claims) or "none"


def fmt_findings(findings) -> str:
    return ", ".join(f"{f['code']}@{f['location']['row']}" for f in findings) or "none"


def fetches_rows(sql: str) -> bool:
    s = sql.upper()
    if not s.lstrip().startswith("SELECT"):
        return False
    if is_count(sql):
        return False
    if re.search(r"SELECT\s+\(?1\)?\s+AS\s+\"?A\"?\s+FROM", s) and "LIMIT 1" in s:
        return False  # exists()
    return True


def is_count(sql: str) -> bool:
    """`qs.count()`: `SELECT COUNT(*) AS "__count" FROM ...` (or over a subquery), not a row
    fetch annotated with a `Count()`."""
    return re.match(r"\s*SELECT\s+COUNT\(", sql.upper()) is not None


def is_exists(sql: str) -> bool:
    s = sql.upper()
    return bool(re.search(r"SELECT\s+\(?1\)?\s+AS\s+\"?A\"?\s+FROM", s)) and "LIMIT 1" in s


def fetches_all_rows(sql: str) -> bool:
    """A row fetch with no LIMIT: every matching row crosses the wire."""
    return fetches_rows(sql) and "LIMIT" not in sql.upper()


def selects_large(sql: str, large: list[str]) -> bool:
    """A row fetch whose select list (before the first FROM) names a large column."""
    if not fetches_rows(sql):
        return False
    head = sql.split(" FROM ")[0]
    return any(col in head for col in large)


def large_columns() -> list[str]:
    """`"table"."column"` of every large column of the fixture models, as Django quotes them."""
    large_types = {"TextField", "JSONField", "BinaryField", "ArrayField", "HStoreField"}
    out = []
    for model in fixture_models():
        for f in model._meta.concrete_fields:
            t = f.get_internal_type()
            if t in large_types or (t == "CharField" and (f.max_length or 0) > LARGE_CHAR_LENGTH):
                out.append(f'"{model._meta.db_table}"."{f.column}"')
    return out


def fetches_by_key(sql: str) -> bool:
    """`obj.author` on an unloaded relation: one object by key (`get()`, so `LIMIT 21`)."""
    s = sql.upper()
    return fetches_rows(sql) and bool(re.search(r'WHERE\s+"[^"]+"\."[^"]+"\s*=\s*\S+\s+LIMIT 21', s))


def joins(queries: list[str]) -> int:
    return sum(q.upper().count(" JOIN ") for q in queries)


def judge_strips(case: Case, result: dict) -> list[str]:
    """DJP106 claims and `# load-read` markers: what Django did with the lookup taken out."""
    reasons = []
    claimed = {c.row for c in case.claims if c.code == "DJP106"}
    small, large = result["counts"]
    for st in case.strips:
        if st["why"] == "DJP106" and st["row"] not in claimed:
            continue  # fixed by djperf (--expect-clean): judged by judge_fixed
        if "problem" in st:
            reasons.append(st["problem"])
            continue
        sr = result.get("strips", {}).get(str(st["row"]))
        where = f"{st['why']} at line {st['row']} ({st['method']}: {st['text']})"
        if sr and sr.get("error"):
            # the code fails without the lookup (a Prefetch's to_attr list): it reads it
            if st["why"] == "DJP106":
                reasons.append(f"{where}: claimed unused, but without it the case fails: {sr['error']}")
            continue
        if not sr or len(sr.get("counts", [])) != 2:
            reasons.append(f"{where}: the run without the lookup did not complete")
            continue
        if not sr.get("hits"):
            reasons.append(f"{where}: no {st['method']}() call was made from those lines")
            continue
        s_small, s_large = sr["counts"]
        if st["why"] == "load-read":
            if not s_large - s_small > large - small:
                reasons.append(f"{where}: marked as read, but without it Django ran "
                               f"{s_small} -> {s_large} queries (with it {small} -> {large}): "
                               "no more growth")
            continue
        if s_large - s_small > large - small or s_small > small or s_large > large:
            reasons.append(f"{where}: claimed unused, but without it Django ran {s_small} -> "
                           f"{s_large} queries (with it {small} -> {large})")
        elif not (s_large < large or joins(sr.get("sql", [])) < joins(result.get("sql", []))):
            reasons.append(f"{where}: claimed unused, but without it Django runs as many "
                           "queries and JOINs")
        if sr.get("output") != result.get("output"):
            reasons.append(f"{where}: claimed unused, but without it the case's output differs")
    return reasons


def judge(case: Case, result: dict | None, worker_error: str, findings, djperf_error: str,
          django_only: bool) -> list[str]:
    """Reasons why the case disagrees; empty when it agrees."""
    reasons = list(case.problems)
    if result is None:
        return reasons + [worker_error or "no result from the Django worker"]
    if result.get("error"):
        return reasons + [f"case failed in Django: {result['error']}"]
    small, large = result["counts"]
    codes = sorted({c.code for c in case.claims})
    unknown = [c for c in codes if c not in CLAIM_KINDS]
    if unknown:
        reasons.append(f"no Django check for {', '.join(unknown)} (add it to CLAIM_KINDS)")
    kinds = {CLAIM_KINDS.get(c) for c in codes}
    if "scales" in kinds and not large > small:
        reasons.append(f"claims an N+1 but Django ran {small} -> {large} queries (does not scale)")
    if not [c for c in codes if CLAIM_KINDS.get(c) != "static"] and large != small:
        reasons.append(f"no claim (clean) but Django ran {small} -> {large} queries (scales)")
    elif kinds - {"static", "loads-unused"} == set() and large != small:
        reasons.append(f"claims only unused loads but Django ran {small} -> {large} queries (scales)")
    reasons += judge_strips(case, result)
    if "fetches-rows" in kinds:
        if not any(fetches_all_rows(q) for q in result["sql"]):
            reasons.append("claims rows are fetched but no captured SELECT fetches rows without LIMIT")
        if any(is_count(q) or is_exists(q) for q in result["sql"]):
            reasons.append("claims rows are fetched to be counted/tested, but the case already runs COUNT/exists()")
    if "counts" in kinds and not any(is_count(q) for q in result["sql"]):
        reasons.append("claims a count() existence test but no captured SELECT counts")
    plans = result.get("plans", [])
    for c in codes:
        kind = PLAN_KINDS.get(c)
        if kind == "plan-scans" and not any(plan_scans(p) for p in plans):
            reasons.append(f"{c}: no captured filtered SELECT makes SQLite scan a whole table")
        if kind == "plan-sorts" and not any(plan_sorts(p) for p in plans):
            reasons.append(f"{c}: no captured SELECT makes SQLite sort with a temporary B-tree")
    if "selects-large" in kinds and not any(
            selects_large(q, result.get("large_columns", [])) for q in result["sql"]):
        reasons.append("claims rows load a large column but no captured SELECT selects one")
    if "fetches-by-key" in kinds:
        if not large > small:
            reasons.append(f"claims a relation fetched per row but Django ran {small} -> {large} queries")
        if not any(fetches_by_key(q) for q in result["sql"]):
            reasons.append("claims a related object fetched by key but no captured SELECT does")

    if not django_only:
        if findings is None:
            reasons.append(djperf_error)
        else:
            got = sorted(
                (f for f in findings if case.covers(f["filename"], f["location"]["row"])),
                key=lambda f: (f["location"]["row"], f["code"]),
            )
            got_set = {(f["location"]["row"], f["code"]) for f in got}
            want = {(c.row, c.code) for c in case.claims if not c.todo}
            todo = {(c.row, c.code) for c in case.claims if c.todo}
            missing = sorted(want - got_set)
            extra = sorted(got_set - want - todo)
            fixed = sorted(got_set & todo)
            if missing or extra or fixed:
                msg = f"djperf reported [{fmt_findings(got)}], expected [{fmt_claims([c for c in case.claims if not c.todo])}]"
                if fixed:
                    msg += f"; todo-expect now reported at {', '.join(f'{c}@{r}' for r, c in fixed)}: make it '# expect:'"
                reasons.append(msg)
    return reasons


# ======================================================================================
# Worker (one subprocess per project; Django is set up once per process)
# ======================================================================================


def worker_main(project_dir: str, cases_json: str, out_path: str) -> None:
    project = Path(project_dir).resolve()
    cases = json.loads(Path(cases_json).read_text())
    base = import_base(project)
    apps = [".".join(d.relative_to(base).parts) for d in app_dirs(project)]
    sys.path.insert(0, str(project))
    if base != project:
        sys.path.insert(0, str(base))

    import django
    from django.conf import settings

    has_urls = (project / "urls.py").is_file()
    if not has_urls:
        import types
        mod = types.ModuleType("_oracle_urls")
        sys.modules["_oracle_urls"] = mod
    extra = extra_settings(project)
    extra_apps = extra.pop("EXTRA_INSTALLED_APPS", [])
    settings.configure(
        DEBUG=False,
        SECRET_KEY="oracle-not-secret",
        ALLOWED_HOSTS=["testserver", "localhost"],
        INSTALLED_APPS=[
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "rest_framework",
            *extra_apps, *apps,
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        ROOT_URLCONF="urls" if has_urls else "_oracle_urls",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [str(project / "templates")] if (project / "templates").is_dir() else [],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]},
        }],
        MIGRATION_MODULES={a.rsplit(".", 1)[-1]: None for a in apps},
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        USE_TZ=True,
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        REST_FRAMEWORK={
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
            "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        },
        LOGGING_CONFIG=None,
        **extra,
    )
    django.setup()
    if not has_urls:
        from django.contrib import admin
        from django.urls import path
        sys.modules["_oracle_urls"].urlpatterns = [path("admin/", admin.site.urls)]

    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)

    seed_mod = None
    if (project / "seed.py").is_file():
        import importlib
        seed_mod = importlib.import_module("seed")
    large = large_columns()
    results: dict[str, dict] = {c["id"]: {"counts": [], "sql": [], "error": None, "large_columns": large}
                                for c in cases}

    targets = {}
    for c in cases:
        try:
            targets[c["id"]] = resolve_case(c)
        except Exception as exc:  # noqa: BLE001 - reported per case
            results[c["id"]]["error"] = f"cannot load case: {type(exc).__name__}: {exc}"

    for n in (SMALL, LARGE):
        # A fresh database per size: seed inside a transaction and roll it back afterwards
        # (SQLite's sqlite_sequence is transactional, so primary keys restart at 1).
        with transaction.atomic():
            try:
                seed(n, seed_mod)
                client = make_client()
            except Exception as exc:  # noqa: BLE001
                for r in results.values():
                    r["error"] = r["error"] or f"seeding with n={n} failed: {type(exc).__name__}: {exc}"
                transaction.set_rollback(True)
                break
            for c in cases:
                r = results[c["id"]]
                if r["error"]:
                    continue
                try:
                    run_once(targets[c["id"]], client)  # warm-up: caches, lazy imports
                    queries, output = run_once(targets[c["id"]], client)
                    r["counts"].append(len(queries))
                    if n == LARGE:
                        r["sql"] = queries
                        r["plans"] = query_plans(queries)
                        r["output"] = output
                    # The same case with one lookup taken out, per DJP106 claim / load-read.
                    for st in c.get("strips", []):
                        LoadStrip.install()
                        sr = r.setdefault("strips", {}).setdefault(str(st["row"]), {"counts": []})
                        if sr.get("error"):
                            continue
                        LoadStrip.active = dict(st)
                        try:
                            run_once(targets[c["id"]], client)
                            LoadStrip.active["hits"] = 0
                            s_queries, s_output = run_once(targets[c["id"]], client)
                            hits = LoadStrip.active.get("hits", 0)
                        except Exception as exc:  # noqa: BLE001 - the code needs the lookup
                            sr["error"] = f"{type(exc).__name__}: {exc}"
                            continue
                        finally:
                            LoadStrip.active = None
                        sr["counts"].append(len(s_queries))
                        sr["hits"] = hits
                        if n == LARGE:
                            sr["sql"] = s_queries
                            sr["output"] = s_output
                except Exception as exc:  # noqa: BLE001
                    r["error"] = f"{type(exc).__name__}: {exc}"
            transaction.set_rollback(True)

    Path(out_path).write_text(json.dumps(results))


def query_plans(queries: list[str]) -> list[dict]:
    """EXPLAIN QUERY PLAN of each captured SELECT (SQLite), with whether it filters."""
    from django.db import connection
    out = []
    with connection.cursor() as cur:
        for sql in queries:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            try:
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                details = [str(row[-1]) for row in cur.fetchall()]
            except Exception:  # noqa: BLE001 - a query the planner cannot take is no evidence
                continue
            out.append({"where": " WHERE " in sql.upper(), "details": details})
    return out


def plan_scans(plan: dict) -> bool:
    """A filtered query that reads a whole table or index: SQLite's `SCAN` is a full pass
    (even `USING COVERING INDEX`), only `SEARCH` seeks."""
    return plan["where"] and any(d.startswith("SCAN ") for d in plan["details"])


def plan_sorts(plan: dict) -> bool:
    return any("USE TEMP B-TREE FOR ORDER BY" in d for d in plan["details"])


def resolve_case(c: dict):
    import importlib
    mod = importlib.import_module(c["module"])
    if c["kind"] == "call":
        return ("call", getattr(mod, c["name"]))
    if c["kind"] == "get":
        return ("get", c["url"])
    if c["kind"] == "migrate":
        return ("call", data_migration(getattr(mod, c["name"])))
    from django.contrib import admin
    from django.urls import reverse
    cls = getattr(mod, c["name"])
    for model, model_admin in admin.site._registry.items():
        if type(model_admin) is cls:
            meta = model._meta
            return ("get", reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    raise LookupError(f"{c['name']} is not registered with admin.site")


def data_migration(func):
    """Call a data-migration function as `migrate` does: `apps` is the historical registry
    (models rebuilt from their migration state: relations and `use_in_migrations` managers,
    no custom methods), `schema_editor` is not used by data code (None); a `post_migrate`
    handler gets `sender=None` and its other keywords' defaults."""
    import inspect
    from django.apps import apps as global_apps
    from django.db.migrations.state import ProjectState
    historical = ProjectState.from_apps(global_apps).apps
    given = {"apps": historical, "schema_editor": None, "sender": None}
    params = inspect.signature(func).parameters
    kwargs = {n: given[n] for n in params if n in given}
    return lambda: func(**kwargs)


def run_once(target, client) -> tuple[list[str], str]:
    """Run a case in a savepoint that is rolled back; return the SQL it sent and what it
    printed (a GET: the response body)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    output = ""
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        if target[0] == "call":
            buf = io.StringIO()
            old = sys.stdout
            sys.stdout = buf
            try:
                target[1]()
            finally:
                sys.stdout = old
            output = buf.getvalue()
        else:
            resp = client.get(target[1])
            if resp.status_code != 200:
                raise AssertionError(f"GET {target[1]} returned {resp.status_code}")
            if getattr(resp, "render", None) and not getattr(resp, "is_rendered", True):
                resp.render()
            output = resp.content.decode("utf-8", "replace")
        transaction.set_rollback(True)
    return [q["sql"] for q in ctx.captured_queries], output


class LoadStrip:
    """Takes one lookup out of the select_related/prefetch_related call at a place in the
    source (file, line range, method, argument index) while active: a lookup `a__b` becomes
    `a`, a one-segment lookup or a `Prefetch(...)` goes. The caller is the first frame outside
    Django (managers forward to the queryset), so the strip hits that call only."""

    active: dict | None = None
    installed = False

    @classmethod
    def install(cls) -> None:
        if cls.installed:
            return
        import django
        from django.db.models.query import QuerySet
        django_dir = os.path.dirname(django.__file__) + os.sep
        for name in LOAD_METHODS:
            orig = getattr(QuerySet, name)

            def wrapper(self, *lookups, _orig=orig, _name=name):
                s = cls.active
                if s is not None and s["method"] == _name and s["index"] < len(lookups):
                    f = sys._getframe(1)
                    while f is not None and f.f_code.co_filename.startswith(django_dir):
                        f = f.f_back
                    if (f is not None and f.f_code.co_filename == s["file"]
                            and s["first"] <= f.f_lineno <= s["last"]):
                        s["hits"] = s.get("hits", 0) + 1
                        lookups = list(lookups)
                        item = lookups[s["index"]]
                        if isinstance(item, str) and "__" in item:
                            lookups[s["index"]] = item.rsplit("__", 1)[0]
                        else:
                            del lookups[s["index"]]
                        if not lookups:
                            return self._chain()
                return _orig(self, *lookups)

            setattr(QuerySet, name, wrapper)
        cls.installed = True


def make_client():
    from django.contrib.auth import get_user_model
    from django.test import Client
    user = get_user_model().objects.create_superuser("oracle-admin", "oracle@example.invalid", "x")
    client = Client()
    client.force_login(user)
    return client


# --------------------------------------------------------------------------------------
# Generic seeder
# --------------------------------------------------------------------------------------


def seed(n: int, seed_mod) -> None:
    """Fill the database with n rows per model (see seed.py hooks in the README)."""
    custom = getattr(seed_mod, "seed", None)
    if custom is None or getattr(seed_mod, "GENERIC", False):
        generic_seed(n, set(getattr(seed_mod, "LEAVE_NULL", ())))
    if custom is not None:
        custom(n)


def fixture_models():
    from django.apps import apps
    from django.conf import settings
    labels = {a.rsplit(".", 1)[-1] for a in settings.INSTALLED_APPS
              if not a.startswith("django.") and a != "rest_framework"}
    return [m for m in apps.get_models()
            if m._meta.app_label in labels and not m._meta.proxy and m._meta.managed]


def generic_seed(n: int, leave_null: set[str]) -> None:
    todo = fixture_models()
    # Close over FK targets outside the fixture apps (auth.User, ...): seed them too
    # unless they already have rows (content types, permissions).
    closed, stack = [], list(todo)
    while stack:
        m = stack.pop()
        if m in closed:
            continue
        closed.append(m)
        for f in m._meta.concrete_fields:
            if f.is_relation and f.related_model is not m:
                stack.append(f.related_model._meta.concrete_model)
    rows: dict[type, list] = {}
    for m in closed:
        if m not in todo and m._default_manager.exists():
            rows[m] = list(m._default_manager.order_by("pk"))
    order = [m for m in closed if m not in rows]
    pending = list(order)
    while pending:
        ready = [m for m in pending if all(
            f.related_model._meta.concrete_model in rows or f.related_model is m or f.null
            for f in m._meta.concrete_fields if f.is_relation)]
        if not ready:
            raise RuntimeError(f"cannot order models for seeding: {[m.__name__ for m in pending]}")
        # prefer models whose every FK target is seeded (nullable cycles get filled later)
        best = [m for m in ready if all(
            f.related_model._meta.concrete_model in rows or f.related_model is m
            for f in m._meta.concrete_fields if f.is_relation)] or ready
        m = best[0]
        pending.remove(m)
        rows[m] = [create_row(m, i, rows, leave_null) for i in range(n)]
    # Nullable FKs whose target was seeded later, and M2M links (each row -> 2 targets).
    for m in order:
        for f in m._meta.concrete_fields:
            key = f"{m._meta.label}.{f.name}"
            if (f.is_relation and f.null and key not in leave_null
                    and f.related_model is not m and all(getattr(o, f.attname) is None for o in rows[m])):
                targets = rows.get(f.related_model._meta.concrete_model) or []
                for i, o in enumerate(rows[m]):
                    if targets and (not f.one_to_one or i < len(targets)):
                        setattr(o, f.name, targets[i % len(targets)])
                        o.save(update_fields=[f.name])
        for f in m._meta.local_many_to_many:
            if f"{m._meta.label}.{f.name}" in leave_null or not f.remote_field.through._meta.auto_created:
                continue
            targets = rows.get(f.related_model._meta.concrete_model)
            if targets is None:
                targets = list(f.related_model._default_manager.all())
            if not targets:
                continue
            for i, o in enumerate(rows[m]):
                picks = {targets[i % len(targets)], targets[(i + 1) % len(targets)]}
                getattr(o, f.name).add(*picks)


def create_row(model, i: int, rows: dict, leave_null: set[str]):
    obj = model()
    for f in model._meta.concrete_fields:
        if f.auto_created or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.primary_key and f.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
            continue
        key = f"{model._meta.label}.{f.name}"
        if f.is_relation:
            if key in leave_null:
                continue
            target = f.related_model._meta.concrete_model
            if target is model:
                continue  # self-references stay empty (null=True) or are filled by seed.py
            targets = rows.get(target) or []
            if not targets:
                continue
            if f.one_to_one:
                if i < len(targets):
                    setattr(obj, f.name, targets[i])
            else:
                setattr(obj, f.name, targets[i % len(targets)])
            continue
        if f.has_default() and not f.unique:
            continue
        setattr(obj, f.attname, dummy_value(model, f, i))
    obj.save()
    return obj


def dummy_value(model, f, i: int):
    import datetime
    import decimal
    import uuid
    from django.utils import timezone

    if f.choices:
        values = [v for v, _ in f.flatchoices]
        return values[i % len(values)]
    t = f.get_internal_type()
    if t in ("CharField", "SlugField"):
        base = f"{f.name}-{i}" if t == "SlugField" else f"{model.__name__} {f.name} {i}"
        return base[-f.max_length:] if f.max_length and len(base) > f.max_length else base
    if t == "EmailField":
        return f"user{i}@example.invalid"
    if t == "URLField":
        return f"https://example.invalid/{i}"
    if t == "TextField":
        return f"{model.__name__} {f.name} {i}. " + "Lorem ipsum dolor sit amet. " * 20
    if t in ("IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
             "PositiveSmallIntegerField", "PositiveBigIntegerField"):
        return i + 1
    if t == "BooleanField":
        return i % 2 == 0
    if t == "DecimalField":
        return decimal.Decimal(i + 1)
    if t == "FloatField":
        return float(i) + 0.5
    if t == "DateField":
        return datetime.date(2024, 1, 1) + datetime.timedelta(days=i)
    if t == "DateTimeField":
        return timezone.now() - datetime.timedelta(days=i)
    if t == "TimeField":
        return datetime.time(hour=i % 24)
    if t == "DurationField":
        return datetime.timedelta(minutes=i)
    if t == "UUIDField":
        return uuid.uuid4()
    if t == "JSONField":
        return {"index": i, "labels": ["alpha", "beta"], "nested": {"depth": 1}}
    if t == "BinaryField":
        return b"\x00" * 16
    if t == "GenericIPAddressField":
        return f"10.0.0.{i % 250 + 1}"
    if t in ("FileField", "ImageField", "FilePathField"):
        return f"files/{i}.txt"
    raise TypeError(f"no dummy value for {model.__name__}.{f.name} ({t}); add seed.py")


# ======================================================================================
# Parent: orchestrate
# ======================================================================================


def run_worker(project: Path, cases: list[Case]) -> tuple[dict | None, str]:
    with tempfile.TemporaryDirectory(prefix="djperf-oracle-") as tmp:
        cases_path = Path(tmp) / "cases.json"
        out_path = Path(tmp) / "out.json"
        cases_path.write_text(json.dumps([
            {"id": c.id, "module": c.module, "name": c.name, "kind": c.kind, "url": c.url,
             "strips": [st for st in c.strips if "problem" not in st]}
            for c in cases
        ]))
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        try:
            proc = subprocess.run(
                [sys.executable, __file__, "--worker", str(project), str(cases_path), str(out_path)],
                cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, env=env,
            )
        except subprocess.TimeoutExpired:
            return None, "Django worker timed out after 300 s"
        if proc.returncode != 0 or not out_path.is_file():
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            return None, f"Django worker failed (exit {proc.returncode}):\n{tail}"
        return json.loads(out_path.read_text()), ""


def apply_expect_clean(cases: list[Case], findings, codes: set[str]) -> None:
    """--expect-clean: a claim of one of `codes` that djperf no longer reports was fixed.
    It leaves the case's claims, so a case left with no claim must now be clean per Django."""
    if findings is None:
        return
    got = {(f["filename"], f["location"]["row"], f["code"]) for f in findings}
    for case in cases:
        keep = []
        for c in case.claims:
            if c.code in codes and not c.todo and (c.file, c.row, c.code) not in got:
                case.fixed.append(c)
            else:
                keep.append(c)
        case.claims = keep
        # A finding the fix exposed (`obj.rel.id` -> `obj.rel_id` leaves a loop that reads no
        # large column: DJP201) becomes a claim of the case, which Django must confirm too.
        if case.fixed:
            claimed = {(c.file, c.row, c.code) for c in case.claims}
            for f in findings:
                key = (f["filename"], f["location"]["row"], f["code"])
                if case.covers(key[0], key[1]) and key not in claimed and f["code"] not in codes:
                    case.claims.append(Claim(key[0], key[1], key[2], False))
                    claimed.add(key)


def judge_fixed(case: Case, result: dict | None, base: dict | None) -> list[str]:
    """Fixed claims: a case with other claims left must scale less than before the fix; the
    efficiency rewrites must have replaced the query they claimed (`len()`/truth tests now
    run COUNT/exists(), count() tests exists(), `obj.rel.id` no longer fetches the object,
    `.only()`/`.defer()` leave the large columns out)."""
    if not case.fixed or not result or not result.get("counts") or result.get("error"):
        return []
    reasons = []
    sql = result["sql"]
    left = {CLAIM_KINDS.get(c.code) for c in case.claims}
    fixed = {CLAIM_KINDS.get(c.code) for c in case.fixed}
    if "fetches-rows" in fixed and not any(is_count(q) or is_exists(q) for q in sql):
        reasons.append("fixed DJP401/DJP402 claims, but the case runs no COUNT or exists() query")
    if "counts" in fixed:
        if not any(is_exists(q) for q in sql):
            reasons.append("fixed DJP403 claims, but the case runs no exists() query")
        if "counts" not in left and "fetches-rows" not in fixed and any(is_count(q) for q in sql):
            reasons.append("fixed DJP403 claims, but the case still counts")
    if "fetches-by-key" in fixed and not left & {"scales", "fetches-by-key"} and any(
            fetches_by_key(q) for q in sql):
        reasons.append("fixed DJP404 claims, but the case still fetches a related object by key")
    if "selects-large" in fixed and "selects-large" not in left and any(
            selects_large(q, result.get("large_columns", [])) for q in sql):
        reasons.append("fixed DJP201 claims, but a captured SELECT still selects a large column")
    if "loads-unused" in fixed:
        if not base or not base.get("counts") or base.get("error"):
            reasons.append("fixed DJP106 claims, but the baseline case did not run")
        else:
            (b_small, b_large), (f_small, f_large) = base["counts"], result["counts"]
            if f_small > b_small or f_large > b_large or f_large - f_small > b_large - b_small:
                reasons.append(f"fixed DJP106 claims, but Django now runs {f_small} -> {f_large} "
                               f"queries (before the fix: {b_small} -> {b_large})")
            elif not (f_large < b_large or joins(sql) < joins(base.get("sql", []))):
                reasons.append("fixed DJP106 claims, but the case runs as many queries and JOINs")
            if result.get("output") != base.get("output"):
                reasons.append("fixed DJP106 claims, but the case's output changed")
    if not case.claims:
        return reasons
    if not base or not base.get("counts") or base.get("error"):
        return reasons + ["fixed claims in a case with other claims, but the baseline case did not run"]
    grow = result["counts"][1] - result["counts"][0]
    base_grow = base["counts"][1] - base["counts"][0]
    if fixed & {"scales", "fetches-by-key"} and grow >= base_grow:
        reasons.append(f"claims {fmt_claims(case.fixed)} were fixed but the case still grows by {grow} "
                       f"queries (before the fix: {base_grow})")
    return reasons


def check_project(project: Path, django_only: bool, expect_clean: set[str] | None = None):
    """Returns (lines for verbose, list of (case id, reasons), agree count)."""
    cases, claims, problems = discover(project)
    results, worker_error = run_worker(project, cases) if cases else ({}, "")
    findings, djperf_error = (None, "") if django_only else run_djperf(project)
    base_results: dict = {}
    if expect_clean:
        apply_expect_clean(cases, findings, expect_clean)
        claims = [c for case in cases for c in case.claims] + [
            c for c in claims if not any(c in case.claims or c in case.fixed for case in cases)]
        # The unfixed project of the same name, for cases that keep other claims.
        base = REPO_ROOT / "testdata" / "projects" / project.name
        mixed = [c for c in cases if c.fixed and (c.claims or any(
            CLAIM_KINDS.get(f.code) == "loads-unused" for f in c.fixed))]
        if mixed and (base / "manage.py").is_file():
            base_cases, _, _ = discover(base)
            base_results = run_worker(base, base_cases)[0] or {}

    verdicts = []  # (case id, reasons, detail)
    for case in cases:
        result = (results or {}).get(case.id) if results is not None else None
        reasons = judge(case, result, worker_error, findings, djperf_error, django_only)
        if expect_clean:
            reasons += judge_fixed(case, result, base_results.get(case.id))
        counts = "->".join(map(str, result["counts"])) if result and result.get("counts") else "?"
        fixed = f", fixed [{fmt_claims(case.fixed)}]" if case.fixed else ""
        verdicts.append((case.id, reasons, f"claims [{fmt_claims(case.claims)}]{fixed}, django {counts} queries"))

    # Claims and findings that no case covers.
    covered = {(c.file, c.row) for case in cases for c in case.claims}
    for c in claims:
        if (c.file, c.row) in covered:
            continue
        if CLAIM_KINDS.get(c.code) == "static":
            # Checked against djperf only.
            if findings is not None:
                got = any(f["filename"] == c.file and f["location"]["row"] == c.row
                          and f["code"] == c.code for f in findings)
                if got == c.todo:
                    verdicts.append((f"{c.file}:{c.row}", [
                        f"todo-expect {c.code} is now reported: turn it into '# expect:'" if c.todo
                        else f"djperf did not report the claimed {c.code}"], ""))
                else:
                    verdicts.append((f"{c.file}:{c.row}", [], f"static claim {c.code}"))
            continue
        verdicts.append((f"{c.file}:{c.row}", [f"claim {c.code} is not inside any case, so Django cannot confirm it"], ""))
        covered.add((c.file, c.row))
    if findings is not None:
        claimed = {(c.file, c.row, c.code) for c in claims if not c.todo}
        in_case = {(case.file, r) for case in cases for r in range(case.first, case.last + 1)}
        in_case |= {(f, r) for case in cases for f, a, b in case.extra for r in range(a, b + 1)}
        prefix = rel(project) + "/"
        stray = {}
        for f in findings:
            key = (f["filename"], f["location"]["row"])
            if key in in_case or (f["filename"], key[1], f["code"]) in claimed:
                continue
            if not f["filename"].startswith(prefix):
                continue
            stray.setdefault(key, []).append(f)
        for (fname, row), fs in sorted(stray.items()):
            verdicts.append((f"{fname}:{row}", [f"djperf reported [{fmt_findings(fs)}] on a line with no '# expect:'"], ""))
    for p in problems:
        verdicts.append((f"{project.name}", [p], ""))
    if not cases and not problems:
        verdicts.append((project.name, ["no cases found"], ""))
    return verdicts, sum(len(c.fixed) for c in cases), sum(1 for c in cases if c.fixed)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        worker_main(*argv[1:4])
        return 0
    ap = argparse.ArgumentParser(prog="scripts/oracle", description=__doc__.split("\n\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="print every case with its query counts")
    ap.add_argument("--django-only", action="store_true",
                    help="development only: check the claims against Django, skip djperf")
    ap.add_argument("--projects-dir", default=str(PROJECTS_DIR),
                    help="where the projects are (inside the repo; default testdata/projects)")
    ap.add_argument("--expect-clean", metavar="CODES", default="",
                    help="judge projects after `djperf check --fix`: a claim of these codes "
                         "(comma-separated) that djperf no longer reports counts as fixed, and "
                         "Django must agree (a case left without claims must be clean; one with "
                         "other claims must grow less than the unfixed project of the same name)")
    ap.add_argument("projects", nargs="*", help="project names under the projects dir (default: all)")
    args = ap.parse_args(argv)
    projects_dir = Path(args.projects_dir).resolve()
    expect_clean = {c.strip() for c in args.expect_clean.split(",") if c.strip()} or None

    if args.projects:
        projects = [projects_dir / p for p in args.projects]
        for p in projects:
            if not (p / "manage.py").is_file():
                print(f"oracle: no fixture project at {rel(p) if p.exists() else p}", file=sys.stderr)
                return 1
    else:
        # A project is a directory holding manage.py, or, for a repository whose Django
        # project is nested (`monorepo/backend/manage.py`), that inner directory.
        projects = sorted(p.parent for p in projects_dir.glob("*/manage.py"))
        projects += sorted(p.parent for p in projects_dir.glob("*/*/manage.py")
                           if not (p.parent.parent / "manage.py").is_file())
    if not projects:
        print("oracle: no fixture projects found", file=sys.stderr)
        return 1

    with ThreadPoolExecutor(max_workers=max(1, min(len(projects), os.cpu_count() or 1))) as pool:
        all_verdicts = list(pool.map(lambda p: check_project(p, args.django_only, expect_clean), projects))

    agree = disagree = fixed_claims = fixed_cases = 0
    for verdicts, n_fixed, n_fixed_cases in all_verdicts:
        fixed_claims += n_fixed
        fixed_cases += n_fixed_cases
        for case_id, reasons, detail in verdicts:
            if reasons:
                disagree += 1
                print(f"DISAGREE {case_id}: {'; '.join(reasons)}" + (f" ({detail})" if detail else ""))
            else:
                agree += 1
                if args.verbose:
                    print(f"ok       {case_id}: {detail}")
    if expect_clean:
        print(f"oracle: {fixed_claims} claims of {', '.join(sorted(expect_clean))} fixed "
              f"in {fixed_cases} cases, judged by Django")
    print(f"oracle: {agree} cases agree, {disagree} disagree")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
