//! DJP120 `admin-list-n-plus-one`.

use super::{quoted_list, Context, Fixable, Reads, Rule};
use crate::ast::{Const, ExprKind};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related, Severity};
use crate::fix::class;
use crate::fix::queryset::{self, LoadCall};
use crate::frameworks::admin::{Admin, SelectRelated};
use crate::frameworks::drf::maximal;
use crate::frameworks::{Need, Origin};
use crate::source::Loc;
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP120",
    name: "admin-list-n-plus-one",
    summary: "An admin changelist column runs a query for every row",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a `list_display` column of a registered `ModelAdmin` that reads a relation the
changelist queryset did not load: a `"author__name"` path, a nullable foreign key, the
`__str__` of a related model that reads a further relation, or a method (on the admin or the
model) reading `obj.author` or querying `obj.tags`. It knows what Django's `ChangeList` loads
by itself: `list_select_related = True` and, by default, any foreign key field in
`list_display` make it call `select_related()` with no arguments (non-null foreign keys only);
a `list_select_related` tuple joins just those paths; a `get_queryset()` that calls
`select_related` turns all of that off. With actions enabled (the default), Django 5 also
renders `str(obj)` on every row (the action checkbox's label), so the model's own `__str__`
counts: that finding points at the whole `list_display`.

## Why is this slow?
The changelist renders every row of the page; a column that queries runs one query per row,
100 rows per page by default.

## Example
```python
@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author__name"]
```

Use instead:
```python
@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "author__name"]
    list_select_related = ["author"]
```

## Fix safety
`--fix` extends a `list_select_related` tuple or list of the admin (keeping its layout), or adds
`list_select_related = ("author",)` after `list_display`, naming every path the columns read.
When `get_queryset()` already calls `select_related` (the changelist then ignores
`list_select_related`) the paths go there; many-valued relations go into `get_queryset()` as
`prefetch_related`, adding an override `return super().get_queryset(request).prefetch_related(...)`
when the admin has none. Replacing `list_select_related = True` (or the automatic
`select_related()` a foreign key column triggers) by named paths is unsafe: it drops the joins
of every other non-null foreign key, which a column djperf does not follow may need. A
prefetch for a column's `.count()`/`.exists()` is unsafe too (it loads every related row).

## Known problems
Columns rendered by callables that are not methods of the admin or the model are not followed.
"#;

/// What one admin column needs per row: relation paths read (single-valued, then through a
/// many-valued relation), where they are read, and the queries it runs.
#[derive(Default)]
struct ColumnNeeds {
    single: Vec<(String, Loc)>,
    many: Vec<(String, Loc)>,
    queries: Vec<Need>,
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let ix = cx.index;
    let facts = cx.facts;
    // (admin, column) → what it needs, in observation order
    let mut needs: BTreeMap<(usize, usize), ColumnNeeds> = BTreeMap::new();
    for o in &facts.observations {
        let Origin::AdminColumn { admin, column } = o.origin else {
            continue;
        };
        let Some(need) = o.need(|id| cx.file_by_id(id)) else {
            continue;
        };
        let n = needs.entry((admin, column)).or_default();
        match need {
            Need::Read { path, many, at, .. } => {
                let p = path.join("__");
                if many {
                    n.many.push((p, at));
                } else {
                    n.single.push((p, at));
                }
            }
            q @ Need::Query { .. } => n.queries.push(q),
        }
    }
    for (ai, a) in facts.admins.iter().enumerate() {
        // Every single-valued path the columns need, for one complete `list_select_related`.
        let all_single: Vec<String> = a.reads.clone();
        // One relation read by two columns is fetched once per row (the instance caches it):
        // report it at the first column only.
        let mut reported: Vec<String> = Vec::new();
        for (ci, c) in a.columns.iter().enumerate() {
            let Some(n) = needs.get(&(ai, ci)) else {
                continue;
            };
            if c.file != cx.file.id {
                continue;
            }
            let fresh = |ps: &[(String, Loc)], reported: &[String]| -> Vec<String> {
                let mut v: Vec<String> = Vec::new();
                for (p, _) in ps {
                    if !reported.contains(p) && !v.contains(p) {
                        v.push(p.clone());
                    }
                }
                v
            };
            let single = fresh(&n.single, &reported);
            let many = fresh(&n.many, &reported);
            let queries: Vec<&Need> = n.queries.iter().collect();
            reported.extend(single.iter().cloned());
            reported.extend(many.iter().cloned());
            let model = &ix.model(a.model).name;
            let help = if !single.is_empty() {
                let paths = maximal(&single);
                match &a.select_related {
                    SelectRelated::GetQueryset => format!(
                        "add .select_related({}) in get_queryset()",
                        quoted_list(&paths)
                    ),
                    SelectRelated::All | SelectRelated::None | SelectRelated::Paths(_) => {
                        let mut all = all_single.clone();
                        if let SelectRelated::Paths(ps) = &a.select_related {
                            all.extend(ps.iter().cloned());
                        }
                        format!(
                            "set list_select_related = ({},)",
                            quoted_list(&maximal(&all))
                        )
                    }
                }
            } else if many.is_empty() {
                String::new()
            } else {
                format!(
                    "override get_queryset() to add .prefetch_related({})",
                    quoted_list(&maximal(&many))
                )
            };
            let fix = if !single.is_empty() {
                select_fix(cx, a, &maximal(&single), &all_single)
            } else if !many.is_empty() {
                prefetch_fix(cx, a, &maximal(&many), None)
            } else {
                let rels: Vec<String> = queries
                    .iter()
                    .filter_map(|q| match q {
                        Need::Query {
                            rel: Some(rel),
                            served_by_prefetch: true,
                            ..
                        } => Some(rel.join("__")),
                        _ => None,
                    })
                    .collect();
                if rels.is_empty() || rels.len() < queries.len() {
                    None
                } else {
                    prefetch_fix(
                        cx,
                        a,
                        &maximal(&rels),
                        Some("loads every related row where a count or exists query ran; annotate() may be cheaper"),
                    )
                }
            };
            let (message, help) = if !single.is_empty() || !many.is_empty() {
                let mut paths = single.clone();
                paths.extend(many.iter().cloned());
                let what = if c.name == "action_checkbox" {
                    format!("the action checkbox column (it shows `str()` of each `{model}`)")
                } else {
                    format!("admin column `{}`", c.name)
                };
                (
                    format!(
                        "{what} reads `{}` on every `{model}` row, which the changelist does not load: one query per row",
                        maximal(&paths).join("`, `")
                    ),
                    help,
                )
            } else if let Some(Need::Query {
                rel,
                method,
                model: queried,
                served_by_prefetch,
                ..
            }) = queries.first()
            {
                let what = if method == "iterate" {
                    format!("a `{}` query", ix.model(*queried).name)
                } else {
                    format!("`.{method}()`")
                };
                (
                    format!(
                        "admin column `{}` runs {what} on every `{model}` row: one query per row",
                        c.name
                    ),
                    match (rel, served_by_prefetch) {
                        (Some(rel), true) => format!(
                            "override get_queryset() to add .prefetch_related(\"{}\"), or annotate(...) the value",
                            rel.join("__")
                        ),
                        _ => "override get_queryset() to annotate(...) the value".to_owned(),
                    },
                )
            } else {
                continue;
            };
            let column_at = Loc::new(c.file, c.span);
            let mut related: Vec<Related> = Vec::new();
            let mut add = |at: Loc| {
                if at != column_at
                    && !related
                        .iter()
                        .any(|r| r.file == at.file && r.span == at.span)
                {
                    related.push(Related {
                        file: at.file,
                        span: at.span,
                        message: "read here".to_owned(),
                    });
                }
            };
            for (_, at) in n.single.iter().chain(&n.many) {
                add(*at);
            }
            for q in &queries {
                if let Need::Query { at, via, .. } = q {
                    add(*at);
                    if let Some((_, v)) = via {
                        add(*v);
                    }
                }
            }
            out.push(
                rule.diagnostic(column_at, message, "queries for each row".to_owned())
                    .with_help(help)
                    .with_related(related)
                    .with_fix(fix)
                    .with_depends(
                        n.single
                            .iter()
                            .chain(&n.many)
                            .flat_map(|(p, _)| {
                                super::depends::path(ix, cx.files, a.model, p.split("__"))
                            })
                            .collect(),
                    ),
            );
        }
    }
}

/// Join the single-valued `paths` a column needs: in the admin's own `get_queryset()` when
/// that already calls `select_related` (the changelist then ignores `list_select_related`),
/// else in `list_select_related`, extended or set to every path the columns read.
fn select_fix(cx: &Context<'_>, a: &Admin, paths: &[String], all_single: &[String]) -> Option<Fix> {
    let f = cx.file_by_id(a.file)?;
    if a.select_related == SelectRelated::GetQueryset {
        // Naming fields after a bare `select_related()` would stop it following the other
        // foreign keys.
        if a.loads.select_all {
            return None;
        }
        return match &a.own_get_queryset {
            Some(roots) => queryset::load_fix_at(f, roots, LoadCall::SelectRelated, paths, None),
            None => override_get_queryset(f, a, LoadCall::SelectRelated, paths, None),
        };
    }
    let existing: Vec<String> = match &a.select_related {
        SelectRelated::Paths(ps) => ps.clone(),
        _ => Vec::new(),
    };
    let mut all = all_single.to_vec();
    all.extend(existing.iter().cloned());
    let all = maximal(&all);
    // Naming paths replaces the changelist's select_related() of every non-null foreign key.
    let replaces_all = a.select_related == SelectRelated::All;
    let why = "replaces select_related() of every non-null foreign key by the paths named: a column djperf does not follow may lose its join";
    let q = class::quote_for(f, a.own_list_select_related);
    let (edit, message) = match a.own_list_select_related.map(|e| (e, f.ast.kind(e))) {
        Some((e, ExprKind::Seq { .. })) => {
            let covered = |l: &str| {
                existing
                    .iter()
                    .any(|x| x == l || (x.starts_with(l) && x[l.len()..].starts_with("__")))
            };
            let add: Vec<String> = all.iter().filter(|p| !covered(p)).cloned().collect();
            let edit = class::extend_seq(f, e, &add)?;
            (
                edit,
                format!("Add {} to `list_select_related`", super::quoted_list(&add)),
            )
        }
        Some((e, ExprKind::Const(Const::True | Const::False))) => {
            let lit = class::tuple_literal(&all, q);
            (
                class::replace_expr(f, e, lit.clone())?,
                format!("Set `list_select_related = {lit}`"),
            )
        }
        Some(_) => return None,
        None => {
            let lit = class::tuple_literal(&all, q);
            let line = format!("list_select_related = {lit}");
            (
                class::add_attr(f, a.class, "list_display", &line)?,
                format!("Set `{line}`"),
            )
        }
    };
    Some(Fix {
        message: if replaces_all {
            format!("{message} ({why})")
        } else {
            message
        },
        applicability: if replaces_all {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: vec![edit],
    })
}

/// Prefetch many-valued `paths` in the admin's own `get_queryset()`, or in a new override.
fn prefetch_fix(
    cx: &Context<'_>,
    a: &Admin,
    paths: &[String],
    unsafe_why: Option<&str>,
) -> Option<Fix> {
    let f = cx.file_by_id(a.file)?;
    match &a.own_get_queryset {
        Some(roots) => {
            queryset::load_fix_at(f, roots, LoadCall::PrefetchRelated, paths, unsafe_why)
        }
        None => override_get_queryset(f, a, LoadCall::PrefetchRelated, paths, unsafe_why),
    }
}

/// The admin class defines `get_queryset` itself, but its returned queryset is not known.
fn has_own_method(f: &crate::project::File, a: &Admin) -> bool {
    f.ast
        .functions
        .iter()
        .any(|func| func.class == Some(a.class) && &*func.name == "get_queryset")
}

/// A `get_queryset()` override in the admin class that adds the loading call to
/// `super().get_queryset(request)`.
fn override_get_queryset(
    f: &crate::project::File,
    a: &Admin,
    call: LoadCall,
    paths: &[String],
    unsafe_why: Option<&str>,
) -> Option<Fix> {
    if has_own_method(f, a) {
        return None;
    }
    let q = class::quote_for(f, None);
    let args = paths
        .iter()
        .map(|p| format!("{q}{p}{q}"))
        .collect::<Vec<_>>()
        .join(", ");
    let edit = class::add_method(
        f,
        a.class,
        &[
            "def get_queryset(self, request):".to_owned(),
            format!(
                "return super().get_queryset(request).{}({args})",
                call.method()
            ),
        ],
    )?;
    let mut message = format!(
        "Override `get_queryset()` to add .{}({args})",
        call.method()
    );
    if let Some(why) = unsafe_why {
        message.push_str(&format!(" ({why})"));
    }
    Some(Fix {
        message,
        applicability: if unsafe_why.is_some() {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: vec![edit],
    })
}
