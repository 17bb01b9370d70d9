//! DJP303 `too-many-indexes`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::index::indexes::{IndexDef, IndexKind};

pub const RULE: Rule = Rule {
    code: "DJP303",
    name: "too-many-indexes",
    summary: "an index another index of the table already covers (and, with `max-indexes`, a table over that many)",
    default_enabled: true,
    severity: Severity::Info,
    doc: DOC,
    reads: Reads::MODELS,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds an index that another index of the same table makes redundant: one whose columns lead
another plain index (`(a)` when `(a, b)` exists), or an exact duplicate (a `Meta.indexes`
entry on a foreign key, which Django indexes already). It names both. With the `max-indexes`
option set, it also reports a table with more indexes than that besides the primary key
(foreign keys, `unique` and `db_index` fields, `Meta.indexes`, `index_together`,
`unique_together`, `UniqueConstraint`).

## Why is this slow?
Every `INSERT`, every `UPDATE` of an indexed column and every `DELETE` writes each index too,
and each index takes memory the cache could give to data. An index whose columns lead another
one adds that cost and serves no query the other does not.

## Example
```python
class Book(models.Model):
    title = models.CharField(max_length=200, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["title", "published"], name="book_title_pub_idx")]
```

Use instead:
```python
class Book(models.Model):
    title = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["title", "published"], name="book_title_pub_idx")]
```

## Known problems
Not reported, because they are no extra index: `db_index=True` on a `ForeignKey` or a
`SlugField` (Django's default spelled out), and a unique index or constraint on columns that
lead a longer one (`unique=True` on `a` next to `unique_together = [("a", "b")]`: the
shorter one enforces a stronger rule). Only plain B-tree indexes on columns are compared (no
partial, expression, `opclasses` or GIN/GiST indexes). Django's implicit index on a foreign
key that leads a `unique_together` is not reported: removing it needs `db_index=False`, which
few projects write. On PostgreSQL, `db_index=True` on a `CharField`/`TextField` also builds a
`_like` index (`varchar_pattern_ops`) for `__startswith`/`__contains`, which a composite index
does not replace: the help says so for those columns. The count of `max-indexes` is a weak
signal (a table whose every index serves a lookup is not bloated): it is off unless set.
"#;

/// Whether `d` is redundant next to `other`: both plain, `other`'s columns start with
/// `d`'s in the same (or the wholly reversed) order. A unique index is redundant only next to
/// a unique index on exactly its columns (a unique `(a)` is a stronger rule than a unique
/// `(a, b)`).
fn covered_by(d: &IndexDef, other: &IndexDef) -> bool {
    if !d.plain || !other.plain {
        return false;
    }
    if d.unique && !(other.unique && other.columns == d.columns) {
        return false;
    }
    let n = d.columns.len();
    if other.columns.len() < n || other.columns[..n] != d.columns[..] {
        return false;
    }
    // A B-tree is read in both directions: the orders must agree column by column, or be
    // all reversed (`(a, -b)` serves what `(-a, b)` serves, not what `(a, b)` does).
    let same = (0..n).all(|i| d.is_descending(i) == other.is_descending(i));
    let reversed = (0..n).all(|i| d.is_descending(i) != other.is_descending(i));
    same || reversed
}

fn label(d: &IndexDef) -> String {
    let cols: Vec<String> = d
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if d.is_descending(i) {
                format!("-{c}")
            } else {
                c.clone()
            }
        })
        .collect();
    format!("{} on ({})", d.kind.describe(), cols.join(", "))
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    let limit = ix.index_options.max_indexes;
    for (id, m) in ix.models.iter().enumerate() {
        if m.is_abstract || m.proxy || m.builtin || m.file != Some(cx.file.id) {
            continue;
        }
        let mi = ix.indexes_of(u32::try_from(id).unwrap_or(0));
        let defs: Vec<&IndexDef> = mi
            .defs
            .iter()
            .filter(|d| d.kind != IndexKind::PrimaryKey)
            .collect();
        if let Some(limit) = limit.filter(|l| defs.len() > *l) {
            out.push(Diagnostic {
                code: rule.code,
                name: rule.name,
                severity: rule.severity,
                file: cx.file.id,
                span: m.span,
                message: format!(
                    "`{}` has {} indexes besides the primary key (limit {limit})",
                    m.name,
                    defs.len()
                ),
                label: "every write updates each index".to_owned(),
                help: Some(format!(
                    "keep the indexes your queries use: {}",
                    defs.iter().map(|d| label(d)).collect::<Vec<_>>().join("; ")
                )),
                related: Vec::new(),
                fix: None,
                depends: Vec::new(),
            });
        }
        // Redundant indexes, reported where they are written in this file. Django's own
        // foreign key index is not written anywhere (removing it needs `db_index=False`).
        for (i, d) in defs.iter().enumerate() {
            if d.file != Some(cx.file.id) || d.kind == IndexKind::ForeignKey {
                continue;
            }
            // The first other index that covers it (an exact duplicate: the later one).
            let other = defs.iter().enumerate().find(|(j, o)| {
                *j != i
                    && covered_by(d, o)
                    && (o.columns.len() > d.columns.len() || (*j < i && o.unique == d.unique))
            });
            if let Some((_, o)) = other {
                let textual = d.kind == IndexKind::FieldDbIndex
                    && m.fields.iter().any(|f| {
                        f.name == d.columns[0]
                            && matches!(
                                f.class.as_str(),
                                "CharField" | "TextField" | "SlugField" | "EmailField" | "URLField"
                            )
                    });
                let like_note = if textual {
                    " (on PostgreSQL, keep it if you filter with `__startswith`: its `_like` index goes with it)"
                } else {
                    ""
                };
                // A `SlugField` is indexed without `db_index=True`: it is turned off with
                // `db_index=False`.
                let implicit_slug = d.kind == IndexKind::FieldDbIndex
                    && m.fields
                        .iter()
                        .any(|f| f.name == d.columns[0] && f.class == "SlugField" && !f.db_index);
                let (what, drop) = if implicit_slug {
                    (
                        format!("SlugField's own index on ({})", d.columns[0]),
                        format!("set `db_index=False` on `{}`", d.columns[0]),
                    )
                } else {
                    (label(d), format!("drop the {}", label(d)))
                };
                let related = o
                    .file
                    .map(|f| Related {
                        file: f,
                        span: o.span,
                        message: "this index covers it".to_owned(),
                    })
                    .into_iter()
                    .collect();
                out.push(Diagnostic {
                    code: rule.code,
                    name: rule.name,
                    severity: rule.severity,
                    file: cx.file.id,
                    span: d.span,
                    message: format!("`{}`: the {what} is covered by the {}", m.name, label(o)),
                    label: "redundant index".to_owned(),
                    help: Some(format!(
                        "{drop}: the {} serves the same lookups{like_note}",
                        label(o)
                    )),
                    related,
                    fix: None,
                    depends: Vec::new(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_count_alone_is_off_by_default() {
        let src = "from django.db import models\n\n\
            class Wide(models.Model):\n\
            \x20   a = models.IntegerField(db_index=True)\n\
            \x20   b = models.IntegerField(db_index=True)\n\
            \x20   c = models.IntegerField(db_index=True)\n\
            \x20   d = models.IntegerField(db_index=True)\n\
            \x20   e = models.IntegerField(db_index=True)\n\
            \x20   f = models.IntegerField(db_index=True)\n\
            \x20   g = models.IntegerField(unique=True)\n";
        let res = crate::check::check_source("app/models.py", src);
        assert!(
            !res.diagnostics.iter().any(|d| d.code == "DJP303"),
            "{:?}",
            res.diagnostics
        );
    }
}
