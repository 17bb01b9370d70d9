//! DJP302 `unindexed-order`.

use super::unindexed_filter::{fixed_columns, index_name, resolve, unindexed, Column};
use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::flow::Event;
use crate::index::{Index, ModelId};

pub const RULE: Rule = Rule {
    code: "DJP302",
    name: "unindexed-order",
    summary: "order_by()/Meta.ordering on a column that no index leads",
    default_enabled: false,
    severity: Severity::Info,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds `order_by("col")` and `Meta.ordering` whose first column is a column of the model's own
table that no index leads (not the primary key, `unique`, `db_index`, a foreign key, or the
leading column of a `Meta.indexes`/`index_together`/`unique_together`/`UniqueConstraint`).
When the queryset was filtered on a column of the same table first, the help names the
composite index `(filter column, order column)` that serves both.

## Why is this slow?
Without an index the database sorts every matching row before it can return the first
page: `ORDER BY created LIMIT 20` reads and sorts the whole table.

## Example
```python
Book.objects.filter(author=author).order_by("-published")
```

Use instead:
```python
class Book(models.Model):
    ...
    class Meta:
        indexes = [models.Index(fields=["author", "-published"], name="book_author_published_idx")]
```

## Known problems
Off by default: sorting a few rows is cheap, and djperf cannot know a table's size. Orderings
through relations (`author__name`) and boolean columns are not reported; models with a base
class from a library djperf does not read are skipped.
"#;

/// The first equality filter on a column of `model`'s own table, if any.
fn filter_column(ix: &Index, model: ModelId, filters: &[String]) -> Option<String> {
    filters.iter().find_map(|f| {
        let c = resolve(ix, model, f)?;
        (c.model == model && !c.through_relation && matches!(c.lookup.as_slice(), [] | [_] if c.lookup.first().is_none_or(|l| l == "exact")))
            .then_some(c.field)
    })
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    let mut push = |span,
                    model: ModelId,
                    col: &Column,
                    desc: &str,
                    order: &str,
                    filter: Option<String>,
                    depends| {
        let mname = &ix.model(model).name;
        let (fields, name) = match &filter {
            Some(fc) if *fc != col.field => (
                format!("\"{fc}\", \"{order}\""),
                index_name(ix, model, &[fc, &col.field]),
            ),
            _ => (format!("\"{order}\""), index_name(ix, model, &[&col.field])),
        };
        out.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            file: cx.file.id,
            span,
            message: format!(
                "{desc} sorts `{mname}` rows by `{}`, a column no index leads",
                col.field
            ),
            label: "the database sorts every matching row".to_owned(),
            help: Some(format!(
                "add `models.Index(fields=[{fields}], name=\"{name}\")` to `{mname}.Meta.indexes`"
            )),
            related: Vec::new(),
            fix: None,
            depends,
        });
    };
    for ev in cx.events {
        let Event::Lookup {
            span,
            model,
            method,
            path,
            filters,
            ..
        } = ev
        else {
            continue;
        };
        if method != "order_by" || path.starts_with('?') {
            continue;
        }
        let field = path.trim_start_matches('-');
        let Some(col) = resolve(ix, *model, field) else {
            continue;
        };
        let fixed = fixed_columns(ix, *model, filters);
        if col.through_relation || !col.lookup.is_empty() || !unindexed(ix, &col, &fixed) {
            continue;
        }
        let filter = filter_column(ix, *model, filters);
        push(
            span.span,
            col.model,
            &col,
            "`order_by()`",
            path,
            filter,
            cx.depends_on(ev),
        );
    }
    // Meta.ordering, reported where it is written.
    for (id, m) in ix.models.iter().enumerate() {
        let id = u32::try_from(id).unwrap_or(0);
        if m.is_abstract || m.proxy || m.file != Some(cx.file.id) {
            continue;
        }
        let mi = ix.indexes_of(id);
        let Some((fid, span)) = mi.ordering_at else {
            continue;
        };
        if fid != cx.file.id {
            continue;
        }
        let Some(first) = mi.ordering.first() else {
            continue;
        };
        if first.starts_with('?') {
            continue;
        }
        let Some(col) = resolve(ix, id, first.trim_start_matches('-')) else {
            continue;
        };
        if col.through_relation || !col.lookup.is_empty() || !unindexed(ix, &col, &[]) {
            continue;
        }
        push(
            span,
            id,
            &col,
            &format!("`{}.Meta.ordering`", m.name),
            first,
            None,
            Vec::new(),
        );
    }
}
