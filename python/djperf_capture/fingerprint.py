"""SQL fingerprints: the query's shape with its literals stripped.

Two queries that differ only in their parameters (`WHERE "id" = 3` and `WHERE "id" = 4`) get
the same fingerprint, which is what makes an N+1 visible: the same fingerprint, many times,
from the same line.

- placeholders (`%s`, `%(name)s`, `?`, `$1`), numbers and quoted strings become `?`;
- quoted identifiers (`"shop_book"."id"`, MySQL's backticks) are kept as they are;
- `IN (?, ?, ?)` lists and the rows of `VALUES (...), (...)` collapse to `(...)`, so the
  same query over 3 or 300 keys has one fingerprint;
- runs of whitespace become one space.
"""

from __future__ import annotations

import re

_IN_LIST = re.compile(r"\bIN \(\?(?:, ?\?)*\)", re.IGNORECASE)
_VALUES = re.compile(r"\bVALUES ?\([^()]*\)(?: ?, ?\([^()]*\))*", re.IGNORECASE)


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def fingerprint(sql: str) -> str:
    """The normalised form of `sql` (see the module docstring)."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c == '"' or c == "`":
            # A quoted identifier, kept verbatim (a doubled quote escapes itself).
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i : j + 1])
            i = j + 1
        elif c == "'":
            # A string literal: '' and backslash escapes stay inside it.
            j = i + 1
            while j < n:
                if sql[j] == "\\":
                    j += 2
                    continue
                if sql[j] == "'":
                    if j + 1 < n and sql[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            out.append("?")
            i = j + 1
        elif c == "%" and sql.startswith("%s", i):
            out.append("?")
            i += 2
        elif c == "%" and sql.startswith("%(", i):
            j = sql.find(")s", i)
            if j < 0:
                out.append(c)
                i += 1
            else:
                out.append("?")
                i = j + 2
        elif c == "$" and i + 1 < n and sql[i + 1].isdigit():
            j = i + 1
            while j < n and sql[j].isdigit():
                j += 1
            out.append("?")
            i = j
        elif c.isdigit() and (i == 0 or not _word_char(sql[i - 1])):
            j = i
            while j < n and (sql[j].isdigit() or sql[j] == "."):
                j += 1
            if j < n and sql[j] in "eE" and j + 1 < n and (sql[j + 1].isdigit() or sql[j + 1] in "+-"):
                j += 2
                while j < n and sql[j].isdigit():
                    j += 1
            if j < n and _word_char(sql[j]):
                # Not a number after all (an unquoted identifier starting with a digit).
                while j < n and _word_char(sql[j]):
                    j += 1
                out.append(sql[i:j])
            else:
                out.append("?")
            i = j
        elif c.isspace():
            j = i
            while j < n and sql[j].isspace():
                j += 1
            out.append(" ")
            i = j
        else:
            j = i
            while j < n and _word_char(sql[j]) and sql[j] not in "'\"`":
                j += 1
            if j == i:
                j = i + 1
            out.append(sql[i:j])
            i = j
    text = "".join(out).strip()
    text = _IN_LIST.sub("IN (...)", text)
    text = _VALUES.sub("VALUES (...)", text)
    return text
