//! DJP105 `save-in-loop`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::flow::Event;

pub const RULE: Rule = Rule {
    code: "DJP105",
    name: "save-in-loop",
    summary: "A model instance is saved or deleted on every row of a loop",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds `obj.save()` or `obj.delete()` called on each row of a loop over a queryset, or on an
object created with `Model(...)` in the loop.

## Why is this slow?
Every `save()` is an UPDATE or INSERT (and often a SELECT first); every `delete()` collects
related rows and issues its own DELETEs. Over N rows that is N round trips or more.
`queryset.update(...)`, `Model.objects.bulk_update(objs, fields)`,
`Model.objects.bulk_create(objs)` and `queryset.delete()` do the same work in one or a few
queries.

## Example
```python
for book in Book.objects.filter(published=False):
    book.published = True
    book.save()
```

Use instead:
```python
Book.objects.filter(published=False).update(published=True)
```

A row copied in the loop (`obj.pk = None` then `obj.save()`) is an insert: the help advises
`bulk_create()` for the copies.

## Known problems
`bulk_update()`, `update()` and `bulk_create()` do not call a custom `save()` method nor send
`pre_save`/`post_save` signals; `queryset.delete()` sends delete signals but not a custom
`delete()` method. When the model overrides `save()`/`delete()` the help says so instead of
advising the bulk call; signal receivers are not looked for, so the help reminds of them.
"#;

/// The variable a `var.save()` call at `span` saves.
fn receiver(cx: &Context<'_>, span: crate::source::Span) -> Option<String> {
    use crate::ast::ExprKind;
    let m = &cx.file.ast;
    let call = m.expr_at(span)?;
    let ExprKind::Call { func, .. } = m.kind(call) else {
        return None;
    };
    let ExprKind::Attr { value, .. } = m.kind(*func) else {
        return None;
    };
    m.dotted(*value)
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::SaveInLoop {
            span,
            loop_span,
            model,
            method,
            created,
        } = ev
        else {
            continue;
        };
        let name = &cx.index.model(*model).name;
        let overridden = cx
            .summaries
            .model_member(cx.index, *model, method)
            .is_some();
        // `row.pk = None; row.save()` copies the row: the save inserts.
        let copies = !created
            && method == "save"
            && receiver(cx, span.span).is_some_and(|var| {
                super::loop_scope::clears_pk(&cx.file.ast, loop_span.span, &var)
            });
        let mti = cx
            .index
            .concrete_parent(*model)
            .map(|p| &cx.index.model(p).name);
        let help = match (method.as_str(), *created || copies, overridden) {
            ("save", true, _) if mti.is_some() => format!(
                "`{name}` is a multi-table child of `{}`: bulk_create() refuses it (ValueError), so these INSERTs cannot be batched with it: keep the loop",
                mti.map_or("", |p| p.as_str())
            ),
            ("save", true, false) if copies => format!(
                "each `save()` inserts a copy (its primary key was cleared): collect the copies and insert them with one `{name}.objects.bulk_create(objs)` after the loop (it sends no pre/post_save signals: check for receivers)"
            ),
            ("save", true, true) if copies => format!(
                "each `save()` inserts a copy (its primary key was cleared), but `{name}.save()` is overridden: `bulk_create(objs)` would skip it (and the pre/post_save signals); move what it does into the loop that builds the copies before switching, or keep the loop"
            ),
            ("save", true, false) => format!(
                "collect the new `{name}` objects and insert them with one `{name}.objects.bulk_create(objs)` after the loop (it sends no pre/post_save signals: check for receivers)"
            ),
            ("save", false, false) => format!(
                "use one queryset `.update(...)` if every row gets the same values, else `{name}.objects.bulk_update(objs, [fields])` after the loop (neither sends pre/post_save signals: check for receivers)"
            ),
            ("save", _, true) => format!(
                "`{name}.save()` is overridden: `bulk_create()`, `update()` and `bulk_update()` would skip it (and the pre/post_save signals); move what it does into the bulk path before switching, or keep the loop"
            ),
            (_, _, true) => format!(
                "`{name}.delete()` is overridden: a queryset `.delete()` would skip it; move what it does into the bulk path before switching, or keep the loop"
            ),
            _ => "delete the rows with one queryset `.delete()` outside the loop (it still sends the delete signals per row)".to_owned(),
        };
        // `for f in failures[:n]: f.delete()`: Django cannot delete or update a slice
        let help = match super::loop_scope::iterates_slice(&cx.file.ast, loop_span.span) {
            Some(iter) if !(overridden || *created || copies) => {
                let slice = cx
                    .file
                    .text
                    .as_deref()
                    .and_then(|t| t.get(cx.file.ast.span(iter).range()))
                    .filter(|t| !t.contains('\n'))
                    .unwrap_or("qs[...]");
                let verb = if method == "save" {
                    "update(...)"
                } else {
                    "delete()"
                };
                format!(
                    "Django cannot `.{verb}` a sliced queryset: take its keys once (`pks = list({slice}.values_list(\"pk\", flat=True))`) and run one `{name}.objects.filter(pk__in=pks).{verb}` instead of the loop{}",
                    if method == "save" {
                        " if every row gets the same values, else `bulk_update(objs, [fields])` (neither sends pre/post_save signals: check for receivers)"
                    } else {
                        " (it still sends the delete signals per row)"
                    }
                )
            }
            _ => help,
        };
        out.push(
            rule.diagnostic(
                *span,
                format!("`{name}.{method}()` runs a query on every loop iteration"),
                format!(
                    "one {} per row",
                    if method == "save" { "write" } else { "delete" }
                ),
            )
            .with_help(help)
            .with_related(vec![Related {
                file: cx.file.id,
                span: super::header_span(cx.file, loop_span.span),
                message: "the loop".to_owned(),
            }])
            .with_depends(cx.depends_on(ev)),
        );
    }
}
