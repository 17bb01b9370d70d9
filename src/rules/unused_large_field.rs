//! DJP201 `unused-large-field`.

use super::{quoted_list, Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::queryset::{self, LoadCall};
use crate::flow::Event;

pub const RULE: Rule = Rule {
    code: "DJP201",
    name: "unused-large-field",
    summary: "Rows loaded with large columns that are never read",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a loop over a queryset (a `for` loop or a comprehension) whose rows are only read
through plain fields of their model, when the model has large columns (`TextField`,
`JSONField`, `BinaryField`, `ArrayField`, `HStoreField`, or a `CharField` whose `max_length`
is above `large-charfield-max-length`, 1000 by default) that none of those reads touches.

It stays silent as soon as a row is used any other way: passed to a call, returned, stored
in a list or dict, formatted whole (`f"{book}"` runs `__str__`), a method, property or
relation read on it, or the queryset itself used elsewhere. It also stays silent when the
queryset already uses `.only()`, `.defer()` or `.values()`.

## Why is this slow?
Django selects every column of the model by default. A large column moves its whole content
from the database for each row (often kilobytes per row, or a TOAST fetch on PostgreSQL),
only to be dropped unread. Leaving it out of the `SELECT` makes the query and the instances
lighter.

## Example
```python
for article in Article.objects.filter(published=True):
    print(article.title, article.views)
```

Use instead:
```python
for article in Article.objects.filter(published=True).defer("body"):
    print(article.title, article.views)
```

The help names whichever of `.only(...)` (the fields read; the primary key is always
loaded) and `.defer(...)` (the large columns not read) lists fewer names; always `.defer()`
when the queryset uses `select_related()`/`prefetch_related()` (`.only()` would have to name
the relations' keys too).

A model whose own (or a parent's) `__init__` or `from_db` touches a large field reads it on
every instance built, so that model is left alone.

## Fix safety
The fix (`.only(...)` or `.defer(...)` appended to the queryset, or `.defer(...)` on a DRF view's
queryset) is always unsafe, applied only with `--unsafe-fixes`: code djperf does not follow (a
template, a signal handler, a `save()` override) that reads a left-out field runs one query per
row. No fix on chains that already call `only()`/`defer()`, `values()` or `union()`.

## Known problems
Reads are followed only inside the loop and in `__init__`/`from_db` themselves: a large
field read by a method those call, or by a `post_init` signal handler, would after the fix
cost one query per row. Only the rows' own
fields are considered, and fields that custom model fields subclass from `TextField` are not
recognised as large.
"#;

/// Why the DJP201 fixes are unsafe.
const UNSAFE: &str = "code djperf does not follow (a template, a signal, a helper) reading a left-out field would query it once per row";

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::LargeFieldsUnused {
            span,
            model,
            read,
            unread,
            only_ok,
        } = ev
        else {
            continue;
        };
        let name = &cx.index.model(*model).name;
        let cols = unread
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        // Only the primary key read: `.only("pk")` (Django maps `pk` to the key field).
        let only = if read.is_empty() {
            vec!["pk".to_owned()]
        } else {
            read.clone()
        };
        let (help, fix) = if *only_ok && only.len() < unread.len() {
            (
                format!(
                    "load only the fields read: add `.only({})` to the queryset",
                    quoted_list(&only)
                ),
                queryset::load_fix(cx.file, span.span, LoadCall::Only, &only, Some(UNSAFE)),
            )
        } else {
            (
                format!(
                    "leave the large columns out: add `.defer({})` to the queryset",
                    quoted_list(unread)
                ),
                queryset::load_fix(cx.file, span.span, LoadCall::Defer, unread, Some(UNSAFE)),
            )
        };
        let s = if unread.len() == 1 { "" } else { "s" };
        out.push(
            rule.diagnostic(
                *span,
                format!(
                    "`{name}` rows load the large column{s} {cols}, which the loop never reads"
                ),
                format!("selects {cols} for every row"),
            )
            .with_help(help)
            .with_fix(fix)
            .with_depends(cx.depends_on(ev)),
        );
    }
    serializer_views(cx, rule, out);
}

/// A DRF list view whose serializers never output a large column of the model: every row
/// fetches it for nothing.
fn serializer_views(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    for v in cx.facts.views.iter().filter(|v| v.qs.file == cx.file.id) {
        if v.detail_only || v.qs.loads.only.is_some() {
            continue;
        }
        let sers: Vec<&crate::frameworks::drf::Serializer> = v
            .serializers
            .iter()
            .map(|i| &cx.facts.serializers[*i])
            .collect();
        // Every serializer the view may use must be known to leave the column out.
        let Some(outputs) = sers
            .iter()
            .map(|s| {
                (s.model == Some(v.qs.model))
                    .then_some(s.outputs.as_ref())
                    .flatten()
            })
            .collect::<Option<Vec<&Vec<String>>>>()
        else {
            continue;
        };
        let model = ix.model(v.qs.model);
        let unread: Vec<String> = model
            .fields
            .iter()
            .filter(|f| f.kind == crate::index::FieldKind::Plain && !f.primary_key)
            .filter(|f| crate::index::indexes::is_large(f, &ix.index_options))
            .filter(|f| !v.qs.loads.deferred.contains(&f.name))
            .filter(|f| !outputs.iter().any(|o| o.contains(&f.name)))
            .map(|f| f.name.clone())
            .collect();
        if unread.is_empty()
            || outputs.is_empty()
            || unread.iter().any(|f| ix.init_touches(v.qs.model, f))
        {
            continue;
        }
        let cols = unread
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let names: Vec<&str> = sers.iter().map(|s| s.name.as_str()).collect();
        let s = if unread.len() == 1 { "" } else { "s" };
        out.push(
            rule.diagnostic(
                crate::source::Loc::new(cx.file.id, v.qs.span),
                format!(
                    "`{}` rows load the large column{s} {cols}, which `{}` never outputs",
                    model.name,
                    names.join("`/`")
                ),
                format!("selects {cols} for every row"),
            )
            .with_help(format!(
                "leave the large columns out: add `.defer({})` to the view's queryset",
                quoted_list(&unread)
            ))
            .with_fix(queryset::load_fix_at(
                cx.file,
                &if v.qs.fix_at.is_empty() {
                    vec![v.qs.span]
                } else {
                    v.qs.fix_at.clone()
                },
                LoadCall::Defer,
                &unread,
                Some(UNSAFE),
            ))
            .with_depends(
                unread
                    .iter()
                    .filter_map(|f| super::depends::field(ix, cx.files, v.qs.model, f))
                    .collect(),
            ),
        );
    }
}
