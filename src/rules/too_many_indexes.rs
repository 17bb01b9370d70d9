//! DJP303 `too-many-indexes`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::index::indexes::{IndexDef, IndexKind};

pub const RULE: Rule = Rule {
    code: "DJP303",
    name: "too-many-indexes",
    summary: "a table with more indexes than the limit, or an index another one already covers",
    default_enabled: true,
    severity: Severity::Info,
    doc: DOC,
    reads: Reads::MODELS,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Counts the indexes of each model's table besides the primary key: foreign keys, `unique`
and `db_index` fields, `Meta.indexes`, `index_together`, `unique_together` and
`UniqueConstraint`. Reports a model with more than the limit (5 by default), and an index
whose columns lead another index of the same table: `(a)` when `(a, b)` exists, or
`db_index=True` on a foreign key (Django indexes foreign keys already).

## Why is this slow?
Every `INSERT`, every `UPDATE` of an indexed column and every `DELETE` writes each index too,
and each index takes memory the cache could give to data. An index whose columns lead another
one adds that cost and serves no query the other does not.

## Example
```python
class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, db_index=True)
    title = models.CharField(max_length=200, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["title", "published"], name="book_title_pub_idx")]
```

Use instead:
```python
class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    title = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["title", "published"], name="book_title_pub_idx")]
```

## Known problems
The limit is a rule of thumb: a read-mostly table can carry more indexes. Only plain B-tree
indexes on columns are compared for redundancy (no partial, expression, `opclasses` or
GIN/GiST indexes). Django's implicit index on a foreign key that leads a `unique_together`
is not reported: removing it needs `db_index=False`, which few projects write. On
PostgreSQL, `db_index=True` on a `CharField`/`TextField` also builds a `_like` index
(`varchar_pattern_ops`) for `__startswith`/`__contains`, which a composite index does not
replace: the help says so for those columns.
"#;

/// Why `d` is redundant next to `other`, if it is.
fn covered_by(d: &IndexDef, other: &IndexDef) -> bool {
    if !d.plain || !other.plain || d.unique && !other.unique {
        return false;
    }
    other.columns.len() >= d.columns.len() && other.columns[..d.columns.len()] == d.columns[..]
}

fn label(d: &IndexDef) -> String {
    format!("{} on ({})", d.kind.describe(), d.columns.join(", "))
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
        if defs.len() > limit {
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
            });
        }
        // Redundant indexes, reported where they are written in this file.
        for (i, d) in defs.iter().enumerate() {
            if d.file != Some(cx.file.id) || d.kind == IndexKind::ForeignKey && !d.explicit_on_fk {
                continue;
            }
            if d.explicit_on_fk {
                out.push(Diagnostic {
                    code: rule.code,
                    name: rule.name,
                    severity: rule.severity,
                    file: cx.file.id,
                    span: d.span,
                    message: format!(
                        "`db_index=True` on the foreign key `{}.{}`: Django indexes it already",
                        m.name, d.columns[0]
                    ),
                    label: "redundant".to_owned(),
                    help: Some("remove `db_index=True`".to_owned()),
                    related: Vec::new(),
                    fix: None,
                });
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
                    message: format!(
                        "`{}`: the {} is covered by the {}",
                        m.name,
                        label(d),
                        label(o)
                    ),
                    label: "redundant index".to_owned(),
                    help: Some(format!(
                        "drop the {}: the {} serves the same lookups{like_note}",
                        label(d),
                        label(o)
                    )),
                    related,
                    fix: None,
                });
            }
        }
    }
}
