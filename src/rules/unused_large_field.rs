//! DJP201 `unused-large-field`.

use super::{quoted_list, Context, Fixable, Reads, Rule};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::fix::queryset::{self, LoadCall};
use crate::flow::{large, Event};
use crate::index::ModelId;
use crate::semantic::classes::Hierarchy;
use crate::source::{Loc, Span};
use std::collections::BTreeSet;

pub const RULE: Rule = Rule {
    code: "DJP201",
    name: "unused-large-field",
    summary: "Rows loaded with large columns that are never read",
    default_enabled: false,
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

What the loop does with a row through the model's own code counts as reads too: `__str__`
when the row is formatted (`str(row)`, `f"{row}"`, `print(row)`, `%`, `format()`), its
methods and properties (`row.label()`), `row.save()` with the model's `pre_save`/`post_save`
receivers and `row.delete()` with its `pre_delete`/`post_delete` receivers, followed through
the model's classes and their `super()` calls; and every row built runs the model's
`post_init` receivers. A large column any of them reads is not reported.

It stays silent when a row is used any other way (passed to a call, returned, stored in a
list or dict, a relation read on it, its primary key assigned: `row.pk = None` and `save()` insert a copy of every column), when one of those members hands the instance on or is
defined by a base class outside the project, when the loop reads an attribute that `__init__`
sets to an object built from the instance (`self.stats = Stats(self)`), when a receiver is connected for every model
(or for a sender djperf cannot resolve), when the queryset itself is used elsewhere, when it
already uses `.only()`, `.defer()` or `.values()`, and when its manager or queryset class
is one djperf cannot read (a library's, or a `get_queryset()` whose effect is unknown, which
may defer columns itself).

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
the relations' keys too) and when the rows are saved (`save()` of a row loaded with
`.only()` writes only the loaded columns, so an `auto_now` column left out would no longer
be updated). When the loop reads nothing but the primary key, the help is
`.values_list("pk", flat=True)`: no instance is built at all.

A model whose own (or a parent's) `__init__` or `from_db` touches a large field reads it on
every instance built, so that model is left alone.

## Fix safety
The fix (`.only(...)` or `.defer(...)` appended to the queryset, `.defer(...)` on a DRF view's
queryset, or `.values_list("pk", flat=True)` with each `row.pk` of the loop rewritten to
`row`) is always unsafe, applied only with `--unsafe-fixes`: code djperf does not see (a
signal receiver connected by an installed library, a template) that reads a left-out field
runs one query per row (DJP202). No fix on chains that already call `only()`/`defer()`,
`values()` or `union()`.

## Known problems
Only the rows' own fields are considered, and fields that custom model fields subclass from
`TextField` are not recognised as large. Members are read syntactically: a method that
reads a field through `getattr(self, name)` hands `self` on, so the rows are not reported.

Off by default: a column's declared type says nothing of what it holds. On projects djperf
was not developed on, 4 of 12 findings read by hand were worth the edit; the others were
short texts on small configuration tables and JSON columns empty by convention (see the
README). Turn it on with `extend-select = ["DJP201"]` where the large columns are known to
be large.
"#;

/// Why the DJP201 fixes are unsafe.
const UNSAFE: &str = "code djperf does not see (a signal receiver of an installed library, a template) reading a left-out field would query it once per row";

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let h = Hierarchy::new(&cx.index.classes, cx.files);
    for ev in cx.events {
        let Event::LargeFieldsUnused {
            span,
            model,
            read,
            unread,
            only_ok,
            uses,
            pk_reads,
            writes,
        } = ev
        else {
            continue;
        };
        // What the members the loop uses read (`__str__` of a formatted row, `save()` with
        // its signal receivers, methods and properties), and what `post_init` receivers read
        // of every instance: those columns must stay loaded.
        let Some(consumed) = consumed(cx, &h, *model, uses) else {
            continue;
        };
        let unread: Vec<String> = unread
            .iter()
            .filter(|f| !consumed.contains(*f))
            .cloned()
            .collect();
        if unread.is_empty() {
            continue;
        }
        let read: Vec<String> = consumed
            .into_iter()
            .chain(read.iter().cloned())
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect();
        let name = &cx.index.model(*model).name;
        let cols = unread
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        // `.only()` also narrows what `save()` writes (an `auto_now` column left out is not
        // updated): only `.defer()` of the large columns when the rows are saved.
        let saved = uses.iter().any(|u| u == "save");
        let (help, fix) = if *only_ok && read.is_empty() && uses.is_empty() && !writes {
            (
                "only the primary key is read: iterate `.values_list(\"pk\", flat=True)` instead of the rows".to_owned(),
                values_list_fix(cx, span.span, pk_reads),
            )
        } else if *only_ok && !saved && read.len().max(1) < unread.len() {
            // Only the primary key read: `.only("pk")` (Django maps `pk` to the key field).
            let only = if read.is_empty() {
                vec!["pk".to_owned()]
            } else {
                read
            };
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
                    quoted_list(&unread)
                ),
                queryset::load_fix(cx.file, span.span, LoadCall::Defer, &unread, Some(UNSAFE)),
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
    serializer_views(cx, &h, rule, out);
}

/// The columns of `model` that the members `uses` and the model's `post_init` receivers
/// read, or `None` when one of them may read any.
fn consumed(
    cx: &Context<'_>,
    h: &Hierarchy<'_>,
    model: ModelId,
    uses: &[String],
) -> Option<BTreeSet<String>> {
    let mut out = large::init_signal_reads(cx.index, h, model)?;
    for u in uses {
        out.extend(large::member_reads(cx.index, h, model, u)?);
    }
    Some(out)
}

/// `.values_list("pk", flat=True)` on the queryset at `root`, and each `row.pk` of the loop
/// rewritten to `row`.
fn values_list_fix(cx: &Context<'_>, root: Span, pk_reads: &[Loc]) -> Option<Fix> {
    let (edit, _, _) =
        queryset::load_edit(cx.file, root, LoadCall::ValuesListPk, &["pk".to_owned()])?;
    let text = cx.file.text.as_deref()?;
    let mut edits = vec![edit];
    for r in pk_reads {
        if r.file != cx.file.id {
            return None;
        }
        // `row.pk` → `row`: keep the name before the dot.
        let src = text.get(r.span.range())?;
        let dot = src.rfind('.')?;
        let name = src[..dot].trim_end();
        edits.push(Edit {
            file: cx.file.id,
            span: r.span,
            content: name.to_owned(),
        });
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    if edits.windows(2).any(|w| w[1].span.start < w[0].span.end) {
        return None;
    }
    Some(Fix {
        message: format!(
            "Iterate `.values_list(\"pk\", flat=True)` and use the key itself ({UNSAFE})"
        ),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// A DRF list view whose serializers never output a large column of the model: every row
/// fetches it for nothing.
fn serializer_views(cx: &Context<'_>, h: &Hierarchy<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    for v in cx.facts.views.iter().filter(|v| v.qs.file == cx.file.id) {
        if v.detail_only || v.qs.loads.only.is_some() || v.qs.loads.opaque {
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
            || !large::init_signal_reads(ix, h, v.qs.model)
                .is_some_and(|r| unread.iter().all(|f| !r.contains(f)))
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
