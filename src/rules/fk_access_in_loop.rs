//! DJP101 `fk-access-in-loop`.

use super::{Context, Fixable, Reads, Rule};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::fix::queryset::{self, LoadCall};
use crate::flow::Event;
use crate::source::{Loc, Span};
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP101",
    name: "fk-access-in-loop",
    summary: "A foreign key or one-to-one relation is read on every row of a queryset that did not load it",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a forward foreign key or one-to-one relation (or a reverse one-to-one, or a generic
foreign key) that is read on each row inside a loop, when the queryset the rows come from did
not load it with `select_related()` (or `prefetch_related()`).

## Why is this slow?
Django loads a related object lazily: the first time `book.author` is read on a row, it runs
one query for that row. In a loop over N books that is N extra queries (the "N+1" problem),
which grows with the table and usually dominates the time of a list page or API endpoint.
Reading `book.author_id` needs no query; reading `book.author.name` does.

`select_related()` with no arguments follows only non-null foreign keys, so a nullable
relation still costs one query per row.

The same per-row code runs without a loop in the project when a Django form renders a
`ModelChoiceField`/`ModelMultipleChoiceField` declared on a `Form`/`ModelForm`: each row of
its `queryset` becomes one option labelled `field.label_from_instance(obj)`, which is
`str(obj)` unless the field's class overrides it. A relation the label reads (in the model's
`__str__`, Django's own `Permission.__str__` reading `content_type` included, or in the
override) is reported at the field, with the fix at its queryset. Only forms that are
plausibly rendered are walked: the form (or a subclass) is named somewhere outside tests and
outside modules that import Django REST framework (an API that only validates input never
renders the choices), other than where it is only built to be validated (`form =
Form(request.POST)` in a function that uses `form` only for `is_valid()`, `cleaned_data`,
`errors` or `save()`). Not reported: a widget that does not list the choices (`HiddenInput`, a
widget that is not one of Django's `Select`, `SelectMultiple`, `RadioSelect`,
`CheckboxSelectMultiple`, the admin's `FilteredSelectMultiple` or a project subclass of one
that keeps how options are built), a field class djperf cannot read, and a field that code may
change after it is declared (any use of `.fields["name"]` beyond setting its label, help
text, `required`, `initial`, `disabled` or widget attributes, in the form's methods or in a
module that names the form). `to_field_name` changes the options' values, not their labels.

```python
class PagePermissionsForm(forms.Form):
    permissions = forms.ModelMultipleChoiceField(
        queryset=Permission.objects.filter(content_type__app_label="wagtailcore"),
        widget=forms.CheckboxSelectMultiple,
    )  # each checkbox's label reads permission.content_type
```

A relation read only on an error path (in an `except:`, `except Exception` or
`except BaseException` handler, or a branch that ends by raising) is not reported: it runs
for the rows that fail, not for every row.

## Example
```python
for book in Book.objects.all():
    print(book.author.name, book.author.publisher.name)
```

Use instead:
```python
for book in Book.objects.select_related("author__publisher"):
    print(book.author.name, book.author.publisher.name)
```

## Fix safety
`--fix` adds the paths to the queryset where it is built: appended as `.select_related("author__publisher")`, merged into an
existing `select_related(...)`, or `.prefetch_related(...)` when the path crosses a generic or
many-valued relation. When branches build the queryset separately (`if ...: qs = A` /
`else: qs = B`) every branch is edited, or the queryset they all narrow; if one branch cannot
take the call, no fix is offered. No fix after a bare `select_related()` (naming a field would
stop it following the others), nor on chains with `values()`, `only()`, `defer()`, `union()`
and the like. The fix is safe: the same rows, fewer queries; except on a queryset that calls
`select_for_update()`, where the join would lock the related rows too (and PostgreSQL rejects
it on a nullable relation without `of=`): unsafe there.

## Known problems
A relation read through `getattr(obj, name)` with a computed name is not seen.
A forward relation tested only to leave the loop at the first row that has it
(`for c in components: if c.owner: return c.owner`, also `is not None` and `break`) is not
reported: a null key reads as None without a query, so the loop queries it at most once.
Rows handed to functions, methods, properties and `__str__` (`str()`, f-strings, `%`,
`format()`, `print()`) are followed into them, across modules; the finding points at the
call and shows where the callee reads the relation. The bodies of `save()`, `delete()` and
`clean()` are not followed, and a function called through a variable (a callback, a
`getattr()` result) is not seen.

A relation followed recursively (a `__str__` that prints its `parent`, which prints its
`parent`...) queries as deep as the data goes, and no `select_related` path covers every
level: djperf names a repeated relation at most twice (`folder__parent__parent`) and says so in
the help; once those levels are loaded it stays silent about the deeper ones. A method that
calls itself on the row a relation leads to and reads that relation again there
(`self.parent.label()` inside `label()`) is reported while the rows do not load the first
level; once they do, how deep the recursion goes is the data's (a chain of links, or none),
and djperf stays silent about the levels below.
"#;

/// A path cut where a relation repeats for the third time: code that recurses through a
/// self-referencing relation (`parent.parent.parent...`) is only worth naming twice.
fn without_recursion(path: &[String]) -> &[String] {
    for (i, seg) in path.iter().enumerate() {
        if path[..i].iter().filter(|s| *s == seg).count() >= 2 {
            return &path[..i];
        }
    }
    path
}

/// Paths named in a help line; code called from the loop can read many more.
const HELP_PATHS: usize = 4;

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    // One finding per (queryset, first unloaded relation); the help names every path read
    // below it, so one `select_related` call fixes them all.
    let mut groups: BTreeMap<(Span, Vec<String>), Vec<&Event>> = BTreeMap::new();
    for ev in cx.events {
        if let Event::FkAccess {
            root_span,
            path,
            missing_from,
            ..
        } = ev
        {
            // Past the cap, the rows load every level djperf names: what is left is the
            // recursion itself, which no `select_related` covers (it was said once).
            if *missing_from >= without_recursion(path).len() {
                continue;
            }
            let key = path[..=(*missing_from).min(path.len() - 1)].to_vec();
            groups.entry((root_span.span, key)).or_default().push(ev);
        }
    }
    // Groups whose first read is at the same place (a call that reads several relations of
    // the rows it is handed) make one finding: one location, one help naming every path.
    let at = |e: &Event| match e {
        Event::FkAccess { span, .. } => (span.span.start, span.span.end),
        _ => (0, 0),
    };
    let mut merged: BTreeMap<(Span, (u32, u32)), Vec<&Event>> = BTreeMap::new();
    for ((root_span, _), mut evs) in groups {
        evs.sort_by_key(|e| at(e));
        merged
            .entry((root_span, at(evs[0])))
            .or_default()
            .extend(evs);
    }
    for ((root_span, _), evs) in merged {
        let Event::FkAccess {
            span,
            fix_at,
            locks,
            root_model,
            model,
            attr,
            generic,
            skipped_by_bare_select,
            many,
            via,
            ..
        } = evs[0]
        else {
            continue;
        };
        let mut paths: Vec<String> = Vec::new();
        let mut any_many = *many || *generic;
        // A relation followed recursively (`parent` of `parent`...): named at most twice.
        let mut recursive: Option<&str> = None;
        for e in &evs {
            if let Event::FkAccess {
                path,
                many,
                generic,
                ..
            } = e
            {
                any_many |= *many || *generic;
                let capped = without_recursion(path);
                if capped.len() < path.len() {
                    recursive = recursive.or(Some(path[capped.len()].as_str()));
                }
                let p = capped.join("__");
                if !paths.contains(&p) {
                    paths.push(p);
                }
            }
        }
        // keep the longest paths only ("author" is implied by "author__publisher")
        let maximal: Vec<String> = paths
            .iter()
            .filter(|p| {
                !paths.iter().any(|q| {
                    q.len() > p.len() && q.starts_with(p.as_str()) && q[p.len()..].starts_with("__")
                })
            })
            .cloned()
            .collect();
        let ix = cx.index;
        let model_name = &ix.model(*model).name;
        let root_name = &ix.model(*root_model).name;
        // Where the rows' queryset is built: each branch that builds it separately.
        let fix_at: Vec<Span> = fix_at.iter().map(|l| l.span).collect();
        let roots = if fix_at.is_empty() {
            vec![root_span]
        } else {
            let call = if any_many {
                LoadCall::PrefetchRelated
            } else {
                LoadCall::SelectRelated
            };
            queryset::lacking(cx.file, &fix_at, call, &maximal)
        };
        let at = super::queryset_lines(cx.file, root_span, &roots);
        let call = if any_many {
            "prefetch_related"
        } else {
            "select_related"
        };
        let kind = if *generic {
            "generic foreign key"
        } else {
            "relation"
        };
        // Naming fields after a bare `select_related()` would stop it following the other
        // foreign keys: no mechanical fix then.
        let fix = if *skipped_by_bare_select {
            None
        } else {
            let call = if any_many {
                LoadCall::PrefetchRelated
            } else {
                LoadCall::SelectRelated
            };
            let copier = (call == LoadCall::PrefetchRelated)
                .then(|| ix.copies_dict(*root_model))
                .flatten()
                .map(|c| queryset::copies_dict_caution(&c));
            queryset::load_fix_at(
                cx.file,
                &roots,
                call,
                &maximal,
                (*locks && call == LoadCall::SelectRelated)
                    .then_some(queryset::LOCKS)
                    .or(copier.as_deref()),
            )
        };
        let mut help = format!(
            "add .{call}({}) to the `{root_name}` {at}",
            super::shortest_first(&maximal, HELP_PATHS)
        );
        if let Some(rel) = recursive {
            help.push_str(&format!(
                " (`{rel}` is followed recursively: levels below these still query per row, \
                 as deep as the data goes; djperf names a repeated relation at most twice)"
            ));
        }
        if *generic {
            help.push_str(" (a generic foreign key cannot be joined: only a prefetch loads it)");
        } else if *skipped_by_bare_select {
            help.push_str(
                " (select_related() with no arguments skips nullable relations: name it)",
            );
        }
        out.push(
            Diagnostic {
                code: rule.code,
                name: rule.name,
                severity: rule.severity,
                file: span.file,
                span: span.span,
                message: format!(
                    "`{model_name}.{attr}` is a {kind} read on every row: one query per row"
                ),
                label: match via {
                    Some(_) => {
                        format!("the rows are handed to code that queries `{attr}` for each row")
                    }
                    None => format!("queries `{attr}` for each row"),
                },
                help: Some(help),
                related: roots
                    .iter()
                    .map(|s| Related {
                        file: cx.file.id,
                        span: *s,
                        message: format!(
                            "these `{root_name}` rows do not load {}",
                            super::shortest_first(&maximal, HELP_PATHS).replace('"', "`")
                        ),
                    })
                    .chain(via.map(|Loc { file, span }| Related {
                        file,
                        span,
                        message: format!("reads `{attr}` here"),
                    }))
                    .collect(),
                fix,
                depends: Vec::new(),
            }
            .with_depends(evs.iter().flat_map(|e| cx.depends_on(e)).collect()),
        );
    }
}
