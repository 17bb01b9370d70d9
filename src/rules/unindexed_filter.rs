//! DJP301 `unindexed-filter`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::flow::Event;
use crate::index::{FieldKind, Index, Member, ModelId};

pub const RULE: Rule = Rule {
    code: "DJP301",
    name: "unindexed-filter",
    summary: "filter()/exclude()/get() on a column that no index leads",
    default_enabled: false,
    severity: Severity::Info,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds `filter()`, `exclude()` and `get()` lookups (`=`, `__in`, `__gt`/`__gte`/`__lt`/`__lte`,
`__range`, `__year`) on a column that is not the primary key, not `unique`, not `db_index`, not
a foreign key, and not the leading column of a `Meta.indexes` entry, `index_together`,
`unique_together` or a `UniqueConstraint`. Lookup paths are followed through relations
(`author__name` is a lookup on `Author.name`).

## Why is this slow?
Without an index the database reads the whole table to find the matching rows. On a table
that grows, the query grows with it.

## Example
```python
class Book(models.Model):
    isbn = models.CharField(max_length=13)

Book.objects.filter(isbn=isbn)
```

Use instead:
```python
class Book(models.Model):
    isbn = models.CharField(max_length=13)

    class Meta:
        indexes = [models.Index(fields=["isbn"], name="book_isbn_idx")]
```

## Known problems
Off by default: small tables are read faster without an index, and djperf cannot know a
table's size. A query that also pins an indexed column of the table by equality (a foreign
key, most often) or the primary key is not reported: that index finds the few rows to test;
nor is one with a lookup djperf cannot follow. Lookups that a
B-tree index does not serve (`__icontains`, `__iexact`,
`__regex`, `__endswith`), `IS NULL` tests and boolean columns are not reported. Models with a
base class from a library that djperf does not read are skipped (it may declare indexes).
"#;

/// Lookups a plain B-tree index on the column serves.
const INDEXABLE: &[&str] = &["exact", "in", "gt", "gte", "lt", "lte", "range", "year"];
/// A column reached by a lookup path.
pub(super) struct Column {
    pub model: ModelId,
    pub field: String,
    /// The rest of the path after the column (`["in"]`).
    pub lookup: Vec<String>,
    /// The path follows a relation before reaching the column.
    pub through_relation: bool,
}

/// Follow `author__name__in` from `model` to the column it tests. `None` when a segment is
/// unknown, or the path ends at the primary key.
pub(super) fn resolve(ix: &Index, model: ModelId, path: &str) -> Option<Column> {
    let segs: Vec<&str> = path.split("__").collect();
    let mut cur = model;
    let mut through = false;
    let mut i = 0;
    while i < segs.len() {
        let seg = segs[i];
        if seg == "pk" {
            return None;
        }
        let rest = || segs[i + 1..].iter().map(|s| (*s).to_owned()).collect();
        match ix.lookup_member(cur, seg)? {
            Member::Plain(f) => {
                return Some(Column {
                    model: cur,
                    field: f.name.clone(),
                    lookup: rest(),
                    through_relation: through,
                });
            }
            Member::ForeignKeyId(f) => {
                return Some(Column {
                    model: cur,
                    field: f.name.clone(),
                    lookup: rest(),
                    through_relation: through,
                });
            }
            m @ (Member::Forward(_) | Member::ManyToMany(_) | Member::Reverse(_)) => {
                let next = segs.get(i + 1);
                let target = ix.member_target(&m)?;
                // `author__pk`/`author__id` is the key column itself.
                let key_of_target = next.is_some_and(|n| {
                    *n == "pk"
                        || (*n == "id"
                            && !ix
                                .model(target)
                                .fields
                                .iter()
                                .any(|g| g.primary_key && g.name != "id"))
                });
                let next_is_member = next.is_some_and(|n| ix.lookup_member(target, n).is_some());
                if key_of_target || !next_is_member {
                    // The relation itself (`author=a`, `author__in=[...]`): its key column.
                    let skip = usize::from(key_of_target);
                    return match m {
                        Member::Forward(f) if f.kind == FieldKind::ForeignKey => Some(Column {
                            model: cur,
                            field: f.name.clone(),
                            lookup: segs[i + 1 + skip..]
                                .iter()
                                .map(|s| (*s).to_owned())
                                .collect(),
                            through_relation: through,
                        }),
                        _ => None,
                    };
                }
                through = true;
                cur = target;
            }
            _ => return None,
        }
        i += 1;
    }
    None
}

/// A suggested index name: Django allows at most 30 characters.
pub(super) fn index_name(ix: &Index, model: ModelId, cols: &[&str]) -> String {
    let mut name = ix.model(model).name.to_ascii_lowercase();
    for c in cols {
        name.push('_');
        name.push_str(c.trim_start_matches('-'));
    }
    name.truncate(26);
    format!("{}_idx", name.trim_end_matches('_'))
}

/// The columns of `model`'s own table that `filters` pin by equality (`=`, `__in`).
pub(super) fn fixed_columns(ix: &Index, model: ModelId, filters: &[String]) -> Vec<String> {
    filters
        .iter()
        .filter_map(|f| resolve(ix, model, f))
        .filter(|c| {
            c.model == model
                && !c.through_relation
                && c.lookup.len() <= 1
                && c.lookup.first().is_none_or(|l| l == "exact" || l == "in")
        })
        .map(|c| c.field)
        .collect()
}

/// Whether a column is worth reporting: on a project model whose indexes are all known, no
/// index serves it (with the columns in `fixed` pinned), not a boolean.
pub(super) fn unindexed(ix: &Index, col: &Column, fixed: &[String]) -> bool {
    let m = ix.model(col.model);
    if m.builtin
        || m.qual.starts_with("django.")
        || m.is_abstract
        || !ix.indexes_complete(col.model)
    {
        return false;
    }
    let Some(f) = m.fields.iter().find(|f| f.name == col.field) else {
        return false;
    };
    if matches!(f.class.as_str(), "BooleanField" | "NullBooleanField") {
        return false;
    }
    let fixed: &[String] = if col.through_relation { &[] } else { fixed };
    !ix.is_served(col.model, &col.field, fixed)
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    for ev in cx.events {
        let Event::Lookup {
            span,
            model,
            method,
            path,
            is_none,
            filters,
        } = ev
        else {
            continue;
        };
        if method == "order_by" || *is_none {
            continue;
        }
        let Some(col) = resolve(ix, *model, path) else {
            continue;
        };
        let lookup_ok = match col.lookup.as_slice() {
            [] => true,
            [l] => INDEXABLE.contains(&l.as_str()),
            _ => false,
        };
        // A lookup djperf cannot follow (a field class it does not know) or on the primary
        // key: the query is not understood well enough, or one row is found by the key.
        if filters.iter().any(|f| resolve(ix, *model, f).is_none()) {
            continue;
        }
        let fixed = fixed_columns(ix, *model, filters);
        // An equality on an indexed column of the table (a foreign key, most often) already
        // narrows the rows: the other conditions are checked on those few.
        if fixed.iter().any(|c| ix.is_served(*model, c, &[])) {
            continue;
        }
        if !lookup_ok || !unindexed(ix, &col, &fixed) {
            continue;
        }
        let mname = &ix.model(col.model).name;
        let name = index_name(ix, col.model, &[&col.field]);
        out.push(
            Diagnostic {
                code: rule.code,
                name: rule.name,
                severity: rule.severity,
                file: cx.file.id,
                span: span.span,
                message: format!(
                    "`{method}()` on `{mname}.{}`, a column no index leads",
                    col.field
                ),
                label: "the database scans the table for this lookup".to_owned(),
                help: Some(format!(
                "add `models.Index(fields=[\"{}\"], name=\"{name}\")` to `{mname}.Meta.indexes`",
                col.field
            )),
                related: Vec::new(),
                fix: None,
                depends: Vec::new(),
            }
            .with_depends(cx.depends_on(ev)),
        );
    }
}
