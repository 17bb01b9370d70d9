//! DJP102 `related-manager-in-loop`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::fix::queryset::{self, LoadCall};
use crate::flow::{EvalHow, Event};
use crate::source::{Loc, Span};

pub const RULE: Rule = Rule {
    code: "DJP102",
    name: "related-manager-in-loop",
    summary: "A reverse foreign key or many-to-many manager is queried on every row without prefetch_related",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a related manager — a reverse foreign key (`author.book_set`) or a many-to-many
(`book.tags`) — that is iterated, listed, counted or checked with `.exists()` on each row of a
loop, when the rows were not fetched with `prefetch_related()` for that relation.

## Why is this slow?
Every evaluation of `book.tags.all()` is one query. Inside a loop over N rows that is N
queries; nested loops multiply it. `prefetch_related("tags")` loads the relation for all rows
in one extra query, and `.all()`, iteration, `len()`, `.count()` and `.exists()` are then
served from that cache. For counts alone, `annotate(Count("tags"))` adds them to the main
query.

## Example
```python
for book in Book.objects.all():
    names = [t.name for t in book.tags.all()]
```

Use instead:
```python
for book in Book.objects.prefetch_related("tags"):
    names = [t.name for t in book.tags.all()]
```

## Fix safety
`--fix` adds `.prefetch_related("tags")` to the queryset where it is built (every branch that
builds it, or none), or merges it into an existing call; safe when the loop iterates, lists,
tests or checks membership of the relation. When the loop calls `.count()`/`.exists()`, the
prefetch loads every related row where a small query ran: that fix is unsafe (applied with
`--unsafe-fixes`). A narrowed relation (`.filter()`) gets no fix. Django reads the lookups in
the order they are chained and raises "lookup was already seen with a different queryset"
when a plain lookup reaches a path before a `Prefetch(path, queryset=...)` does, so the
lookup goes after every `Prefetch` object and every custom queryset method of the chain (at
its end if need be); rows of a `Prefetch(..., to_attr="topic_list")` list are reached
through `topic_list__...`. Prefetch lookups djperf cannot read (a variable, `*lookups`), or
a path through a `Prefetch` whose queryset uses `only()`/`defer()`, make the fix unsafe.

## Known problems
When the relation is narrowed per row (`book.tags.filter(...)`), a plain `prefetch_related`
does not help; the message then suggests `Prefetch(..., queryset=..., to_attr=...)`.
Rows handed to functions, methods, properties and `__str__` (`str()`, f-strings, `%`,
`format()`, `print()`) are followed into them, across modules; the finding points at the
call and shows where the callee reads the relation. The bodies of `save()`, `delete()` and
`clean()` are not followed, and a function called through a variable (a callback, a
`getattr()` result) is not seen.
"#;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::RelatedEval {
            span,
            root_span,
            fix_at,
            root_model,
            path,
            model,
            rel,
            how,
            narrowed,
            via,
            ..
        } = ev
        else {
            continue;
        };
        let ix = cx.index;
        let model_name = &ix.model(*model).name;
        let root_name = &ix.model(*root_model).name;
        let root_span = root_span.span;
        let fix_at: Vec<Span> = fix_at.iter().map(|l| l.span).collect();
        let roots = if fix_at.is_empty() {
            vec![root_span]
        } else {
            queryset::lacking(
                cx.file,
                &fix_at,
                LoadCall::PrefetchRelated,
                std::slice::from_ref(&path.join("__")),
            )
        };
        let at = super::queryset_lines(cx.file, root_span, &roots);
        let lookup = path.join("__");
        let param = super::parameter_at(cx.file, root_span);
        let (what, help) = match (narrowed, how) {
            (Some(m), _) if param.is_some() => (
                format!("`.{}` on", super::called(m)),
                format!(
                    "the rows come from the caller (`{}`): prefetch exactly these rows there with Prefetch(\"{lookup}\", queryset=..., to_attr=\"...\") and read the list, or annotate() the value",
                    param.unwrap_or_default()
                ),
            ),
            (Some(m), _) => (
                format!("`.{}` on", super::called(m)),
                format!(
                    "a plain prefetch cannot serve `.{}`: add .prefetch_related(Prefetch(\"{lookup}\", queryset=..., to_attr=\"...\")) with the narrowed queryset to the `{root_name}` {at} and read the list, or annotate() the value",
                    super::called(m)
                ),
            ),
            (None, EvalHow::Count | EvalHow::Exists) => (
                match how {
                    EvalHow::Count => "counting".to_owned(),
                    _ => "checking".to_owned(),
                },
                format!(
                    "add .prefetch_related(\"{lookup}\") to the `{root_name}` {at}, or .annotate({rel}_count=Count(\"{lookup}\")) if only the number is needed"
                ),
            ),
            (None, _) => (
                "loading".to_owned(),
                format!("add .prefetch_related(\"{lookup}\") to the `{root_name}` {at}"),
            ),
        };
        // A prefetch serves iteration, len(), bool(), `in`, count() and exists(); a narrowed
        // queryset or `get()`/`first()` would still query (or bypass the cache).
        let copier = ix
            .copies_dict(*root_model)
            .map(|c| queryset::copies_dict_caution(&c));
        let caution = copier.as_deref();
        let fix = match (narrowed, how) {
            (None, EvalHow::Iterate | EvalHow::Builtin(_)) => queryset::load_fix_at(
                cx.file,
                &roots,
                LoadCall::PrefetchRelated,
                std::slice::from_ref(&lookup),
                caution,
            ),
            (None, EvalHow::Method(m)) if m == "in" => queryset::load_fix_at(
                cx.file,
                &roots,
                LoadCall::PrefetchRelated,
                std::slice::from_ref(&lookup),
                caution,
            ),
            (None, EvalHow::Count | EvalHow::Exists)
                if !queryset::is_method_call(cx.file, span.span, &["count", "exists"]) =>
            {
                // len()/bool()/`if qs:` load every row anyway: the prefetch only batches it.
                queryset::load_fix_at(
                    cx.file,
                    &roots,
                    LoadCall::PrefetchRelated,
                    std::slice::from_ref(&lookup),
                    caution,
                )
            }
            (None, EvalHow::Count | EvalHow::Exists) => queryset::load_fix_at(
                cx.file,
                &roots,
                LoadCall::PrefetchRelated,
                std::slice::from_ref(&lookup),
                Some("loads every related row where a count or exists query ran; annotate() may be cheaper"),
            ),
            _ => None,
        };
        out.push(Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: rule.severity,
            file: span.file,
            span: span.span,
            message: format!("{what} `{model_name}.{rel}` on every row: one query per row"),
            label: match via {
                Some(_) => format!("the rows are handed to code that queries `{rel}` for each row"),
                None => format!("queries `{rel}` for each row"),
            },
            help: Some(help),
            related: roots
                .iter()
                .map(|s| Related {
                    file: cx.file.id,
                    span: *s,
                    message: match param {
                        Some(p) => format!("these `{root_name}` rows are handed in as `{p}`"),
                        None => format!("these `{root_name}` rows do not prefetch `{lookup}`"),
                    },
                })
                .chain(via.map(|Loc { file, span }| Related {
                    file,
                    span,
                    message: format!("reads `{rel}` here"),
                }))
                .collect(),
            fix,
            depends: cx.depends_on(ev),
        });
    }
}
