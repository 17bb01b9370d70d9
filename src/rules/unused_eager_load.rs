//! DJP106 `unused-eager-load`.

use super::{Context, Fixable, Reads, Rule};
use crate::ast::{ExprId, ExprKind, Module};
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related, Severity};
use crate::flow::{Event, RowsUse};
use crate::index::{Index, ModelId};
use crate::source::Loc;
use std::collections::BTreeMap;

pub const RULE: Rule = Rule {
    code: "DJP106",
    name: "unused-eager-load",
    summary: "A select_related/prefetch_related path whose rows nothing reads",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::Sometimes,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a `select_related(...)` or `prefetch_related(...)` path (a lookup string or a
`Prefetch(...)` object) of a queryset whose rows a loop fetches, when no code that uses
those rows reads the relation: the loop bodies and comprehensions over the queryset, and the
helpers, properties, methods and `__str__` the rows are handed to (followed through their
summaries, into other modules too). A `Prefetch(..., to_attr="x")` is read through `x`.
A lookup read only part of the way (`select_related("author__publisher")` where only
`author` is read) is reported too: the rest of the path is loaded for nothing. A lookup
that a longer one of the same queryset extends (`select_related("author")` beside
`prefetch_related("author__books")`) is reported through the longer one only: removing it
alone would save nothing.

The rows of a DRF generic view or viewset are checked against what its serializers read
(every field, nested serializers, `source=` chains, `SerializerMethodField` methods and the
model properties and methods they name), when the queryset is built in the view's own
`queryset =` or `get_queryset()`: silent when the view is subclassed, has a base djperf
cannot read, defines a method that reaches the rows (`self.get_object()`,
`self.get_queryset()`, `self.queryset`, a serializer's `.instance`, `self` handed on,
`filter_queryset()`, `paginate_queryset()`, `perform_destroy()`, `get_serializer()`), has a
`get_serializer_class()` returning a class djperf cannot name, or can answer for one object
(a retrieve/update/destroy action or a viewset) without `permission_classes` of DRF's own
(a project's permission may read the object in `has_object_permission`); and when a
serializer has methods of its own besides its method fields and `create()`
(`to_representation`, `__init__` changing the fields, `update()`, `validate()`), a base
djperf cannot read, a field of another library over a relation, or a property or method
djperf has no code for.

It reports only when every consumer of the rows is known, and stays silent when the
queryset, a row or a related object reaches code djperf does not follow: returned from the
function, stored on `self` or in a container, put in a template context, handed to a
serializer built in code, to a callee without a summary, read through `getattr()` or an attribute djperf
does not know (an annotation, a property of a class outside the project), saved (`save()`
and `delete()` run signal handlers), fetched one at a time (`first()`, `get()`, `[0]`), or
turned into `values()`. A function with a nested `def`, a `lambda`, `global`/`nonlocal` or
`locals()` lets every queryset it touches escape. A relation read only in a branch, or only
on some rows, counts as read. Loads added by custom manager or queryset methods, and the
loads of admin changelists, are not checked.

## Why is this slow?
The opposite waste of an N+1. A `select_related` path adds a join and the related table's
columns to every row; a `prefetch_related` path runs one more query and builds its objects.
When nothing reads the relation, the database and Django do that work for nothing.

## Example
```python
for book in Book.objects.select_related("author", "publisher"):
    print(book.title, book.author.name)
```

Use instead:
```python
for book in Book.objects.select_related("author"):
    print(book.title, book.author.name)
```

## Known problems
Only querysets built and iterated in one function (or handed to the helpers it calls) are
checked, besides a DRF view's rows read by its serializers; rows consumed by a template or
an admin changelist are never reported, since djperf does not claim to see everything those
read. A view's queryset also serves its write actions: a load only the code behind
`update()` needs (a signal handler, a model's `save()`) is not seen. Code that reads a
relation without naming it is not seen when djperf follows the call: a signal handler
connected to `post_init`, a model's `from_db()`, or `__getattr__` magic. `serializers.serialize()`,
`model_to_dict()` and other calls without a summary let the rows escape, so they stay silent.
On by default since its precision on 86 real projects, read by hand, passed 90% (see the
README); `ignore = ["DJP106"]` turns it off.

## Fix safety
The fix removes the lookup (the whole `.select_related(...)` call when it was its only
argument, `.all()` left in its place on a manager), or shortens it to the part that is
read. It is unsafe, applied only with `--unsafe-fixes`: code djperf does not see that reads
the relation would then run one query per row.
"#;

const UNSAFE: &str = "code djperf does not see that reads the relation would query it once per row";

/// One loaded path: an argument of a `select_related`/`prefetch_related` call.
struct Site {
    /// The argument (a string literal or a `Prefetch(...)` call).
    arg: ExprId,
    index: usize,
    /// The lookup as written (`author__publisher`).
    lookup: String,
    /// The attributes it fills below each row: the lookup's segments, the last one
    /// replaced by a `Prefetch`'s `to_attr`.
    path: Vec<String>,
    prefetch: bool,
    /// A `Prefetch(...)` object (`to_attr`, if any).
    object: Option<Option<String>>,
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    let m = &cx.file.ast;
    // A DRF view's rows, read by its serializers (escaped whole when something else may
    // read them): the file's own walk saw the view's queryset only escape into the view.
    let views: Vec<&RowsUse> = cx
        .facts
        .view_rows
        .iter()
        .filter(|u| u.root.file == cx.file.id)
        .collect();
    let uses = cx
        .events
        .iter()
        .filter_map(|e| match e {
            Event::RowsUse(u) => Some(u),
            _ => None,
        })
        .filter(|u| !views.iter().any(|v| v.root == u.root))
        .chain(views.iter().copied());
    // The load calls of this file the row sources went through, with their uses.
    let mut calls: BTreeMap<Loc, Vec<&RowsUse>> = BTreeMap::new();
    for u in uses {
        for t in &u.through {
            if t.file == cx.file.id && load_method(m, *t).is_some() {
                let e = calls.entry(*t).or_default();
                if !e.contains(&u) {
                    e.push(u);
                }
            }
        }
    }
    for (call_loc, us) in &calls {
        let Some(model) = us.iter().find(|u| u.fetched).and_then(|u| u.model) else {
            continue;
        };
        if us.iter().any(|u| cleared_after(m, &u.through, *call_loc)) {
            continue;
        }
        let Some(call) = m.expr_at(call_loc.span) else {
            continue;
        };
        let Some(method) = load_method(m, *call_loc) else {
            continue;
        };
        let all = sites(m, call, method == "prefetch_related");
        let chain = chain_sites(m, cx.file.id, us, *call_loc);
        for site in &all {
            // `a` beside `a__b` in one call, or in another load call of every chain
            // (`.select_related("a").prefetch_related("a__b")`): the longer lookup loads
            // `a` too, its finding (or its being read) says all there is; removing `a`
            // alone would save nothing
            if all.iter().chain(&chain).any(|o| {
                o.object.is_none()
                    && o.path.len() > site.path.len()
                    && o.path.starts_with(&site.path)
            }) {
                continue;
            }
            // Parent links of multi-table inheritance are joined by Django anyway.
            if site.path.iter().any(|s| s.ends_with("_ptr")) {
                continue;
            }
            let mut depth = 0;
            let mut whole = false;
            for u in us {
                let (d, w) = u.read_depth(&site.path);
                depth = depth.max(d);
                whole |= w;
            }
            if whole || depth >= site.path.len() {
                continue;
            }
            if depth > 0 && site.object.is_some() {
                // a partly read `Prefetch(...)`: no simple edit says what to keep
                continue;
            }
            let root = us.iter().find(|u| u.fetched).map_or(*call_loc, |u| u.root);
            let depends = us
                .iter()
                .flat_map(|u| cx.depends_on(&Event::RowsUse((*u).clone())))
                .collect();
            out.push(
                report(cx, rule, model, method, site, depth, call, root).with_depends(depends),
            );
        }
    }
}

/// The lookups of the other load calls (in this file) that every row source of the call at
/// `call_loc` also went through, and that no `select_related(None)`/`prefetch_related(None)`
/// clears afterwards.
fn chain_sites(
    m: &Module,
    file: crate::project::FileId,
    us: &[&RowsUse],
    call_loc: Loc,
) -> Vec<Site> {
    let Some(first) = us.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in &first.through {
        if *t == call_loc || t.file != file {
            continue;
        }
        let Some(method) = load_method(m, *t) else {
            continue;
        };
        if !us
            .iter()
            .all(|u| u.through.contains(t) && !cleared_after(m, &u.through, *t))
        {
            continue;
        }
        if let Some(e) = m.expr_at(t.span) {
            out.extend(sites(m, e, method == "prefetch_related"));
        }
    }
    out
}

/// The diagnostic for `site`, read down to `depth` segments (0: not at all).
#[allow(clippy::too_many_arguments)]
fn report(
    cx: &Context<'_>,
    rule: &Rule,
    model: ModelId,
    method: &str,
    site: &Site,
    depth: usize,
    call: ExprId,
    root: Loc,
) -> Diagnostic {
    let ix = cx.index;
    let m = &cx.file.ast;
    let name = &ix.model(model).name;
    let at = Loc::new(cx.file.id, m.span(site.arg));
    let what = match &site.object {
        Some(Some(to)) => format!("`{}` (into `{to}`)", site.lookup),
        _ => format!("`{}`", site.lookup),
    };
    let shown = match &site.object {
        Some(_) => "Prefetch(...)".to_owned(),
        None => format!("\"{}\"", site.lookup),
    };
    let (message, label, help, fix) = if depth == 0 {
        let only = matches!(m.kind(call), ExprKind::Call { args, .. } if args.len() == 1);
        let help = if only {
            format!("remove the `.{method}({shown})` call")
        } else {
            format!("remove {shown} from `.{method}()`")
        };
        let label = if site.prefetch {
            "one more query and its objects, never read".to_owned()
        } else {
            let target = target_name(ix, model, &site.path);
            format!("joins {target} into every row, never read")
        };
        let fix = crate::fix::unload::remove_arg(cx.file, call, site.index).map(|e| Fix {
            message: format!("{}{} ({UNSAFE})", &help[..1].to_uppercase(), &help[1..]),
            applicability: Applicability::Unsafe,
            edits: vec![e],
        });
        (
            format!("`{name}` rows {} {what}, which nothing reads", verb(site)),
            label,
            help,
            fix,
        )
    } else {
        let kept = site.path[..depth].join("__");
        let unread = site.path[depth..].join("__");
        let help = format!("load only \"{kept}\": replace {shown} with \"{kept}\"");
        let fix = crate::fix::unload::replace_lookup(cx.file, site.arg, &kept).map(|e| Fix {
            message: format!("Load only \"{kept}\" ({UNSAFE})"),
            applicability: Applicability::Unsafe,
            edits: vec![e],
        });
        (
            format!(
                "`{name}` rows {} {what}, but only `{kept}` is read",
                verb(site)
            ),
            format!("`{unread}` is loaded and never read"),
            help,
            fix,
        )
    };
    let mut d = rule
        .diagnostic(at, message, label)
        .with_help(help)
        .with_fix(fix);
    if root.file != at.file || root.span != at.span {
        d = d.with_related(vec![Related {
            file: root.file,
            span: root.span,
            message: "the rows are used here".to_owned(),
        }]);
    }
    d
}

fn verb(site: &Site) -> &'static str {
    if site.prefetch {
        "prefetch"
    } else {
        "join"
    }
}

/// `Author` for `["author"]` from `Book`, or the path when it does not resolve.
fn target_name(ix: &Index, model: ModelId, path: &[String]) -> String {
    let parts: Vec<&str> = path.iter().map(String::as_str).collect();
    let (segs, all) = crate::frameworks::drf::resolve_path(ix, model, &parts);
    match crate::frameworks::drf::path_target(ix, model, &segs) {
        Some(t) if all => format!("`{}`", ix.model(t).name),
        _ => format!("`{}`", path.join("__")),
    }
}

/// `select_related` or `prefetch_related` when the expression at `at` calls one.
fn load_method(m: &Module, at: Loc) -> Option<&'static str> {
    let e = m.expr_at(at.span)?;
    let ExprKind::Call { func, .. } = m.kind(e) else {
        return None;
    };
    match m.kind(*func) {
        ExprKind::Attr { attr, .. } if &**attr == "select_related" => Some("select_related"),
        ExprKind::Attr { attr, .. } if &**attr == "prefetch_related" => Some("prefetch_related"),
        _ => None,
    }
}

/// A `select_related(None)`/`prefetch_related(None)` after `call` in the chain clears what
/// it loads.
fn cleared_after(m: &Module, through: &[Loc], call: Loc) -> bool {
    let Some(pos) = through.iter().position(|t| *t == call) else {
        return false;
    };
    through[pos + 1..].iter().any(|t| {
        load_method(m, *t).is_some()
            && m.expr_at(t.span).is_some_and(|e| {
                matches!(m.kind(e), ExprKind::Call { args, .. }
                    if args.iter().any(|a| matches!(m.kind(*a), ExprKind::Const(crate::ast::Const::None))))
            })
    })
}

/// The loaded paths of a loading call's arguments (literal lookups and `Prefetch(...)`
/// objects with a literal lookup).
fn sites(m: &Module, call: ExprId, prefetch: bool) -> Vec<Site> {
    let ExprKind::Call { args, .. } = m.kind(call) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, a) in args.iter().enumerate() {
        if let Some(s) = m.str_value(*a) {
            if matches!(m.kind(*a), ExprKind::Str(_)) && !s.is_empty() {
                out.push(Site {
                    arg: *a,
                    index,
                    lookup: s.to_owned(),
                    path: s.split("__").map(str::to_owned).collect(),
                    prefetch,
                    object: None,
                });
            }
            continue;
        }
        let ExprKind::Call {
            func,
            args: pargs,
            kwargs,
        } = m.kind(*a)
        else {
            continue;
        };
        if !prefetch
            || m.dotted(*func)
                .is_none_or(|d| d.rsplit('.').next() != Some("Prefetch"))
        {
            continue;
        }
        let lookup = m
            .kwarg(kwargs, "lookup")
            .map(|k| k.value)
            .or_else(|| pargs.first().copied())
            .and_then(|e| m.str_value(e));
        let Some(lookup) = lookup.filter(|l| !l.is_empty()) else {
            continue;
        };
        let to_attr_e = m
            .kwarg(kwargs, "to_attr")
            .map(|k| k.value)
            .or_else(|| pargs.get(2).copied());
        let to_attr = match to_attr_e {
            Some(e) => match m.str_value(e) {
                Some(s) => Some(s.to_owned()),
                // a computed `to_attr`: which attribute it fills is not known
                None => continue,
            },
            None => None,
        };
        let mut path: Vec<String> = lookup.split("__").map(str::to_owned).collect();
        if let (Some(t), Some(last)) = (&to_attr, path.last_mut()) {
            last.clone_from(t);
        }
        out.push(Site {
            arg: *a,
            index,
            lookup: lookup.to_owned(),
            path,
            prefetch: true,
            object: Some(to_attr),
        });
    }
    out
}
