//! DJP104 `query-in-loop`.

use super::{Context, Fixable, Reads, Rule};
use crate::ast::ExprId;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::flow::Event;
use crate::source::Loc;

pub const RULE: Rule = Rule {
    code: "DJP104",
    name: "query-in-loop",
    summary: "A query is built and run inside a loop body",
    default_enabled: true,
    severity: Severity::Warning,
    doc: DOC,
    reads: Reads::CODE,
    fix: Fixable::No,
    supersedes: &[],
    check,
};

const DOC: &str = r#"## What it does
Finds a query that runs on every iteration of a `for` loop or comprehension:
`Model.objects.get(...)`, `.filter(...).first()`, `.count()`, `.exists()`, `.create()`,
iterating a fresh queryset, `x in` a queryset built in the loop, `get_object_or_404()`. A
queryset bound to a variable before the loop and evaluated in it (`if tag in featured:`,
`for t in featured:`, `len(featured)`) is not reported: the first iteration fills its result
cache, which serves the others (one query for the whole loop). A function, method, property or `__str__`
called in the loop counts when it runs such a query on every call (also through the functions
it calls, in any module of the project): `for book in books: price_of(book)` with
`def price_of(book): return Price.objects.get(book=book)`. A model instance the callee builds
and saves (`LogEntry(...).save()`) counts as an insert per call. Methods of a row are looked
up along the model's whole method resolution order: its own class, model parents, abstract
bases and plain mixin classes (`class LoggedModel(models.Model, LoggingMixin)` gets
`obj.log_action()` from the mixin). The finding is at the call, with a related location at
the query.

## Why is this slow?
Each iteration pays a database round trip. Over N items that is N queries where one or two
would do: fetch all needed rows at once with `in_bulk()` or `filter(pk__in=...)`, compute
counts with `annotate()`, create rows with `bulk_create()`, or hoist a query that does not
depend on the loop variable out of the loop.

## Example
```python
for item in order_items:
    product = Product.objects.get(pk=item["product_id"])
```

Use instead:
```python
products = Product.objects.in_bulk([item["product_id"] for item in order_items])
for item in order_items:
    product = products[item["product_id"]]
```

The help fits the call: `in_bulk()` only for lookups by primary key or one unique field
(else one `filter(<field>__in=...)` indexed in a dict by the lookups that change per iteration,
a tuple of them when there are several, the fixed lookups kept as a filter on the receiver as
written: a related manager or a queryset variable keeps its own filters;
`ContentType.objects.get_by_natural_key()` for content types), an `update()` whose values
change per iteration as one `bulk_update()`, an existence test or a count over values that are
not rows as one query collecting the keys (or counts grouped by key) before the loop, a model
whose `save()` is overridden named in the create and upsert advice, a function that calls
itself in the loop told to hand down what the levels need, `get_or_create`/`update_or_create`
as upserts (`bulk_create(update_conflicts=True, unique_fields=..., update_fields=...)` when
the lookup fields are unique together, else existing rows fetched once into a dict), and
that `bulk_create()` calls no `save()` and sends no signals.

## Known problems
`while` loops (often deliberate batching) and loops over literal collections (also a name the
function binds once to a literal list and never changes: `checks = [...]; for c in checks:`)
are not reported, nor a query on the database the iteration names (`.using(alias)` over
the configured databases), nor a lookup that needs the row the previous iteration found or
re-reads a row carried across iterations (`node = Node.objects.get(parent=node)`,
`target = X.objects.get(pk=target.pk)` after a write that moved it): no query before the loop
can know what to fetch. The loop's own item re-read by its key (`x = X.objects.get(pk=x.pk)`)
is still reported: the loop's queryset could load it fresh (`select_for_update()` included).
A queryset built before the loop and iterated whole inside it (`for t in tags`, `list(tags)`)
is not reported: its first evaluation fills the result cache the later iterations reuse
(`.count()`, `.first()`, `.iterator()` on it still query every time).
A called function counts only when its query runs on every call: a query under an `if` (a
cache check), after an early `return`, in an `except` handler, or in a function decorated as a
cache (`functools.cache`, `lru_cache`, `@cached`...) is not reported, nor one reached through
a call that is itself conditional. A query under a truth test of a parameter
(`def log_action(self, ..., save=True)` with `if save: entry.save()`) counts only at calls
whose literal argument, or the default when they pass none, makes the test hold
(`log_action(..., save=False)` is not reported). Code after a branch that can only `raise`
(an argument check) counts as running. And a called function's
query counts only in a loop over query rows or when a row of the loop is handed to it (not in a
loop over a few providers or request parameters).
"#;

/// A keyword lookup of a chain: the field as written and its value.
type Lookup = (String, ExprId);

/// A lookup chain read from the source: its keyword lookups, which of them change per
/// iteration of the loop, and the receiver the lookups are applied to, as written
/// (`self.transition.fields`, `queryset`, `Tag.objects`).
struct Lookups {
    /// `(field, value, varies)`: `varies` when the value reads a name the loop binds.
    fields: Vec<(String, ExprId, bool)>,
    /// Whether the loop's bound names were found (else nothing is known to vary).
    loop_known: bool,
    /// The receiver text, when short enough to quote.
    base: Option<String>,
    /// The source text of a fixed lookup's value, when short.
    texts: Vec<Option<String>>,
}

impl Lookups {
    fn read(cx: &Context<'_>, at: Loc, loop_span: Option<Loc>) -> Lookups {
        let Some(file) = cx.files.get(at.file as usize) else {
            return Lookups::empty();
        };
        let Some((fields, base)) = lookup_fields(file, at.span) else {
            return Lookups::empty();
        };
        let m = &file.ast;
        // In the loop's body, the names the loop binds; in a function the loop calls, its
        // parameters.
        let names = match loop_span {
            Some(l) => (l.file == at.file)
                .then(|| super::loop_scope::loop_names(m, l.span))
                .flatten(),
            None => super::loop_scope::params_around(m, at.span),
        };
        let text = file.text.as_deref();
        let slice = |e: ExprId| -> Option<String> {
            let t = text?.get(m.span(e).range())?;
            (t.len() <= 60 && !t.contains('\n')).then(|| t.to_owned())
        };
        let texts = fields.iter().map(|(_, v)| slice(*v)).collect();
        let fields = fields
            .into_iter()
            .map(|(f, v)| {
                let varies = names
                    .as_ref()
                    .is_some_and(|n| super::loop_scope::mentions(m, v, n));
                (f, v, varies)
            })
            .collect();
        Lookups {
            fields,
            loop_known: names.is_some(),
            base: base.and_then(slice),
            texts,
        }
    }

    fn empty() -> Lookups {
        Lookups {
            fields: Vec::new(),
            loop_known: false,
            base: None,
            texts: Vec::new(),
        }
    }

    /// The lookups whose values change per iteration; all of them when that is not known.
    fn varying(&self) -> Vec<&str> {
        let v: Vec<&str> = self
            .fields
            .iter()
            .filter(|(_, _, varies)| *varies || !self.loop_known)
            .map(|(f, _, _)| f.as_str())
            .collect();
        if v.is_empty() {
            self.fields.iter().map(|(f, _, _)| f.as_str()).collect()
        } else {
            v
        }
    }

    /// The lookups that stay as they are, written out (`document=instance`), or `None` when
    /// there are none.
    fn fixed(&self, keys: &[&str]) -> Option<String> {
        let parts: Vec<String> = self
            .fields
            .iter()
            .zip(&self.texts)
            .filter(|((f, _, _), _)| !keys.contains(&f.as_str()))
            .map(|((f, _, _), t)| format!("{f}={}", t.as_deref().unwrap_or("...")))
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }

    /// `Tag.objects` for a model's manager, the receiver as written for a related manager
    /// or a queryset variable.
    fn base_or(&self, name: &str) -> String {
        self.base
            .clone()
            .unwrap_or_else(|| format!("{name}.objects"))
    }
}

/// The advice for a lookup of one row per iteration (`get()`, `filter(...).first()`): by
/// primary key, `in_bulk(ids)`; by one unique field, `in_bulk(values, field_name=...)`;
/// otherwise one `filter(<field>__in=...)` indexed in a dict by the lookups that change per
/// iteration (a tuple of them when there are several), the fixed lookups kept as a filter,
/// on the receiver as written (a related manager stays `self.transition.fields`).
fn fetch_once_help(
    cx: &Context<'_>,
    name: &str,
    model: crate::index::ModelId,
    at: Loc,
    loop_span: Option<Loc>,
) -> String {
    let lk = Lookups::read(cx, at, loop_span);
    let ix = cx.index;
    let unique = |f: &str| {
        ix.model(model)
            .fields
            .iter()
            .any(|x| x.name == f && (x.unique || x.primary_key))
    };
    let varying = lk.varying();
    let base = lk.base_or(name);
    // Django's content types: the manager caches them by natural key.
    if name == "ContentType"
        && varying.contains(&"app_label")
        && varying.contains(&"model")
        && lk.fields.len() == 2
    {
        return "`ContentType.objects.get_by_natural_key(app_label, model)` (or `get_for_model()`) serves each content type from the manager's cache after its first lookup: use it instead of `get()`".to_owned();
    }
    // The key the rows are looked up by: the primary key, else a unique field, else the
    // lookups that change per iteration.
    let key = varying
        .iter()
        .find(|f| **f == "pk" || **f == "id")
        .or_else(|| varying.iter().find(|f| unique(f)))
        .copied();
    let filter = |keys: &[&str]| match lk.fixed(keys) {
        Some(f) => format!(".filter({f})"),
        None => String::new(),
    };
    match key {
        None if varying.is_empty() => format!(
            "fetch the `{name}` rows once before the loop with one `filter(<field>__in=...)` and look them up in a dict (by primary key: `{name}.objects.in_bulk(ids)`)"
        ),
        Some(f) if f == "pk" || f == "id" => format!(
            "fetch the `{name}` rows once before the loop with `{base}{rest}.in_bulk(ids)` and look them up in the dict it returns",
            rest = filter(&[f])
        ),
        Some(f) => format!(
            "fetch the `{name}` rows once before the loop with `{base}{rest}.in_bulk(values, field_name=\"{f}\")` and look them up in the dict it returns",
            rest = filter(&[f])
        ),
        None => {
            let fixed = lk.fixed(&varying);
            let ins: Vec<String> = varying.iter().map(|f| format!("{f}__in=...")).collect();
            let args = match fixed {
                Some(f) => format!("{f}, {}", ins.join(", ")),
                None => ins.join(", "),
            };
            let by = if varying.len() == 1 {
                format!("`{}`", varying[0])
            } else {
                format!("the tuple `({})`", varying.join(", "))
            };
            format!(
                "fetch the `{name}` rows once before the loop with `{base}.filter({args})` and index them in a dict by {by} (in_bulk() only takes the primary key or a unique field)"
            )
        }
    }
}

/// What to annotate instead of a `count()`/`exists()`/`aggregate()` per row: when the query
/// filters on a foreign key `fk` of `model` (`Review.objects.filter(book=book).count()`), the
/// reverse relation on the target model (`Count("reviews")`, `Exists(...OuterRef("pk"))`),
/// built on the receiver as written (a queryset variable keeps its filters). Without such a
/// key, an existence test or a count by the lookups that change per iteration is done once
/// before the loop (a set of the keys found, counts grouped by key).
fn annotate_help(
    cx: &Context<'_>,
    model: crate::index::ModelId,
    method: &str,
    at: Loc,
    loop_span: Option<Loc>,
) -> String {
    let ix = cx.index;
    let name = &ix.model(model).name;
    let lk = Lookups::read(cx, at, loop_span);
    let fields: Vec<&str> = lk.fields.iter().map(|(f, _, _)| f.as_str()).collect();
    let base = lk.base_or(name);
    let default_base = base == format!("{name}.objects");
    let fk = fields.iter().find_map(|f| {
        let base = f.strip_suffix("_id").unwrap_or(f);
        let field = ix.model(model).fields.iter().find(|x| x.name == base)?;
        let target = field.target?;
        let rev = ix
            .model(target)
            .reverse
            .iter()
            .find(|r| r.from_model == model && r.field == base)?;
        Some((
            (*f).to_owned(),
            base.to_owned(),
            target,
            rev.query_name.clone(),
        ))
    });
    let Some((written, fk, target, query_name)) = fk else {
        let varying = lk.varying();
        if lk.loop_known && !varying.is_empty() && matches!(method, "exists" | "count") {
            let keys: Vec<String> = varying.iter().map(|f| format!("\"{f}\"")).collect();
            let ins: Vec<String> = varying.iter().map(|f| format!("{f}__in=...")).collect();
            let args = match lk.fixed(&varying) {
                Some(f) => format!("{f}, {}", ins.join(", ")),
                None => ins.join(", "),
            };
            let value = if varying.len() == 1 {
                "value".to_owned()
            } else {
                format!("({})", varying.join(", "))
            };
            return if method == "exists" {
                format!(
                    "collect the keys once before the loop: `found = set({base}.filter({args}).values_list({}))`, then test `{value} in found`",
                    if keys.len() == 1 {
                        format!("{}, flat=True", keys[0])
                    } else {
                        keys.join(", ")
                    }
                )
            } else {
                format!(
                    "count once before the loop, grouped: `counts = dict({base}.filter({args}).values_list({}).annotate(n=Count(\"pk\")))`, then read `counts.get({value}, 0)`",
                    keys.join(", ")
                )
            };
        }
        return "annotate() the value onto the queryset the loop iterates (Count/Exists/Subquery), or hoist the query if it does not depend on the loop".to_owned();
    };
    let target = &ix.model(target).name;
    let fixed = lk.fixed(&[written.as_str()]);
    let others = fields.len() > 1 || !default_base;
    match method {
        "count" => {
            let filter = if others {
                format!(", filter=Q({query_name}__...=...)")
            } else {
                String::new()
            };
            format!(
                "annotate the number onto the `{target}` queryset the loop iterates: `.annotate({query_name}_count=Count(\"{query_name}\"{filter}))`, and read `row.{query_name}_count`"
            )
        }
        "exists" => {
            let more = match &fixed {
                Some(f) => format!(", {f}"),
                None => String::new(),
            };
            let rest = match &fixed {
                Some(f) => format!(".filter({f})"),
                None => String::new(),
            };
            format!(
                "annotate the test onto the `{target}` queryset the loop iterates: `.annotate(has_{query_name}=Exists({base}.filter({fk}=OuterRef(\"pk\"){more})))`, and read `row.has_{query_name}` (over objects that are not a `{target}` queryset: `found = set({base}{rest}.values_list(\"{fk}\", flat=True))` once before the loop, then `obj.pk in found`)"
            )
        }
        _ => format!(
            "annotate the value onto the `{target}` queryset the loop iterates with a `Subquery({base}.filter({fk}=OuterRef(\"pk\")).values(...))` or an aggregate over `\"{query_name}\"` (`Sum`, `Max`...)"
        ),
    }
}

/// The keyword lookups of the `get()`/`filter()` calls of the chain at `span`
/// (`Tag.objects.filter(slug=s).first()` gives `slug` and its value), `__exact` dropped, and
/// the receiver of the innermost of those calls (`Tag.objects`).
fn lookup_fields(
    file: &crate::project::File,
    span: crate::source::Span,
) -> Option<(Vec<Lookup>, Option<ExprId>)> {
    use crate::ast::ExprKind;
    let m = &file.ast;
    let mut cur = m.expr_at(span)?;
    let mut out = Vec::new();
    let mut base = None;
    let named = |kwargs: &[crate::ast::Keyword]| -> Vec<(String, ExprId)> {
        kwargs
            .iter()
            .filter_map(|k| {
                k.name
                    .as_deref()
                    .map(|n| (n.strip_suffix("__exact").unwrap_or(n).to_owned(), k.value))
            })
            .collect()
    };
    for _ in 0..64 {
        match m.kind(cur) {
            ExprKind::Call { func, kwargs, .. } => {
                if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                    if matches!(&**attr, "get" | "filter") {
                        out.extend(named(kwargs));
                        base = Some(*value);
                    }
                    cur = *value;
                } else {
                    // `get_object_or_404(Model, slug=...)`
                    out.extend(named(kwargs).into_iter().filter(|(n, _)| n != "klass"));
                    break;
                }
            }
            ExprKind::Attr { value, .. } | ExprKind::Subscript { value, .. } => cur = *value,
            _ => break,
        }
    }
    Some((out, base))
}

/// The fields an `.update(f=value)` at `at` sets to values that change per iteration of the
/// loop (`update(_order=i)` in `for i, page in enumerate(pages)`), when there are any.
fn update_values(cx: &Context<'_>, at: Loc, loop_span: Option<Loc>) -> Option<Vec<String>> {
    use crate::ast::ExprKind;
    let loop_span = loop_span?;
    let file = cx.files.get(at.file as usize)?;
    let m = &file.ast;
    let names = super::loop_scope::loop_names(m, loop_span.span)?;
    let call = m.expr_at(at.span)?;
    let ExprKind::Call { func, kwargs, .. } = m.kind(call) else {
        return None;
    };
    if !matches!(m.kind(*func), ExprKind::Attr { attr, .. } if &**attr == "update") {
        return None;
    }
    let fields: Vec<String> = kwargs
        .iter()
        .filter_map(|k| Some((k.name.as_deref()?, k.value)))
        .filter(|(_, v)| super::loop_scope::mentions(m, *v, &names))
        .map(|(n, _)| n.to_owned())
        .collect();
    (!fields.is_empty() && kwargs.iter().all(|k| k.name.is_some())).then_some(fields)
}

/// A query in the loop's own body that is not one query per row of something one query could
/// fetch: the loop walks a literal list bound in the function (`checks = [...]`), the query
/// runs on the database the iteration names (`.using(alias)`), or the row it looks up depends
/// on what the previous iteration found (`node = Node.objects.get(parent=node)`, a refresh
/// `target = X.objects.get(pk=target.pk)` of a row carried across iterations).
fn not_per_row(cx: &Context<'_>, span: Loc, loop_span: Loc, method: &str) -> bool {
    use super::loop_scope;
    use crate::ast::ExprKind;
    if span.file != loop_span.file {
        return false;
    }
    let Some(file) = cx.files.get(span.file as usize) else {
        return false;
    };
    let m = &file.ast;
    if loop_scope::iterates_local_literal(m, loop_span.span) {
        return true;
    }
    let Some(names) = loop_scope::loop_names(m, loop_span.span) else {
        return false;
    };
    // `.using(alias)` with an alias of the iteration.
    if let Some(mut cur) = m.expr_at(span.span) {
        for _ in 0..64 {
            match m.kind(cur) {
                ExprKind::Call { func, args, .. } => {
                    let ExprKind::Attr { value, attr, .. } = m.kind(*func) else {
                        break;
                    };
                    if &**attr == "using"
                        && args.iter().any(|a| loop_scope::mentions(m, *a, &names))
                    {
                        return true;
                    }
                    cur = *value;
                }
                ExprKind::Attr { value, .. } | ExprKind::Subscript { value, .. } => cur = *value,
                _ => break,
            }
        }
    }
    if matches!(method, "get" | "first" | "last" | "[index]") {
        // A variable carried from one iteration to the next, not the loop's own item: the
        // item re-read by its key (`gc = GiftCard.objects.select_for_update().get(pk=gc.pk)`)
        // could come fresh (and locked) from the loop's queryset.
        let targets = loop_scope::for_targets(m, loop_span.span);
        let assigned: Vec<_> = loop_scope::assigned_to(m, loop_span.span, span.span)
            .into_iter()
            .filter(|n| !targets.contains(n))
            .collect();
        if !assigned.is_empty() {
            if let Some((fields, _)) = lookup_fields(file, span.span) {
                if fields
                    .iter()
                    .any(|(_, v)| loop_scope::mentions(m, *v, &assigned))
                {
                    return true;
                }
            }
        }
    }
    false
}

fn check(cx: &Context<'_>, rule: &Rule, out: &mut Vec<Diagnostic>) {
    for ev in cx.events {
        let Event::QueryInLoop {
            span,
            loop_span,
            model,
            method,
            root,
            via,
        } = ev
        else {
            continue;
        };
        if via.is_none() && not_per_row(cx, *span, *loop_span, method) {
            continue;
        }
        let name = &cx.index.model(*model).name;
        let at = via.as_ref().map_or(*span, |(_, at)| *at);
        // The loop binds names only the query written in its own body can read.
        let in_loop = via.is_none().then_some(*loop_span);
        let saves = || {
            if cx
                .summaries
                .model_member(cx.index, *model, "save")
                .is_some()
            {
                format!(
                    "`{name}.save()` is overridden and bulk_create() skips it (and the pre/post_save signals): move what it does into the loop that builds the objects before switching, or keep the loop"
                )
            } else {
                "bulk_create() calls no save() method and sends no pre/post_save signals".to_owned()
            }
        };
        // A recursive call: the function the loop is in calls itself on every item.
        let recursion = via.as_ref().and_then(|(shown, q)| {
            let f = cx.files.get(span.file as usize)?;
            (q.file == span.file
                && super::loop_scope::same_function(&f.ast, q.span, loop_span.span))
            .then(|| {
                format!(
                    "`{shown}` calls the function it is in, so every level of the recursion runs its queries again for each item: fetch what the calls need for all the items at once (one `filter(<field>__in=...)` over them) and hand it down, or walk the levels without recursing"
                )
            })
        });
        let help = match method.as_str() {
            _ if recursion.is_some() => recursion.clone().unwrap_or_default(),
            "get" | "get_object_or_404" | "first" | "last" | "[index]" => {
                fetch_once_help(cx, name, *model, at, in_loop)
            }
            "count" | "exists" | "aggregate" => annotate_help(cx, *model, method, at, in_loop),
            // only through a callee: a direct save in a loop is DJP105's
            "save" => format!(
                "build the `{name}` objects without saving them in the loop (let the method return them unsaved if it can) and insert them with one `{name}.objects.bulk_create(objs)` after it ({})",
                saves()
            ),
            "create" => format!(
                "build the `{name}` objects in the loop and insert them with one `{name}.objects.bulk_create(objs)` after it ({})",
                saves()
            ),
            "get_or_create" => format!(
                "an upsert per row: fetch the existing `{name}` rows once before the loop into a dict by their lookup fields, and create the missing ones with one `{name}.objects.bulk_create(objs)` after it (`ignore_conflicts=True` if others may insert them; {})",
                saves()
            ),
            "update_or_create" => format!(
                "an upsert per row: when the lookup fields are unique together, one `{name}.objects.bulk_create(objs, update_conflicts=True, unique_fields=[...], update_fields=[...])` after the loop; else fetch the existing rows once into a dict, then `bulk_update()` the changed and `bulk_create()` the new ones ({})",
                if cx.summaries.model_member(cx.index, *model, "save").is_some() {
                    format!("`{name}.save()` is overridden and neither calls it: move what it does into the bulk path before switching, or keep the loop")
                } else {
                    "neither calls save() nor sends signals".to_owned()
                }
            ),
            "update" => match update_values(cx, at, in_loop) {
                Some(fields) => {
                    let by_pk = cx
                        .files
                        .get(at.file as usize)
                        .and_then(|f| lookup_fields(f, at.span))
                        .is_some_and(|(l, _)| {
                            !l.is_empty() && l.iter().all(|(f, _)| f == "pk" || f == "id")
                        });
                    let sets = fields
                        .iter()
                        .map(|f| format!("{f}=..."))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let list = fields
                        .iter()
                        .map(|f| format!("\"{f}\""))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let objs = if by_pk {
                        format!("set it on objects that carry only their key (`{name}(pk=..., {sets})`)")
                    } else {
                        "fetch the rows once before the loop, set it on each".to_owned()
                    };
                    format!(
                        "each row gets its own value: {objs} and write them with one `{name}.objects.bulk_update(objs, [{list}])` after the loop (it calls no save() and sends no signals)"
                    )
                }
                None => "express the change as one queryset `.update()`/`.delete()` over all rows, outside the loop".to_owned(),
            },
            "delete" => {
                "express the change as one queryset `.update()`/`.delete()` over all rows, outside the loop".to_owned()
            }
            "in" => format!(
                "build the `{name}` queryset once before the loop (its result cache then serves every `in`), or collect the keys once with `set(....values_list(\"pk\", flat=True))` and test `obj.pk in keys`"
            ),
            _ if !root => "prefetch the relation on the outer queryset, or fetch all rows at once with `filter(<relation>__in=...)`".to_owned(),
            _ => format!(
                "fetch all the `{name}` rows needed with one `filter(<field>__in=...)` before the loop (or prefetch_related on the outer queryset)"
            ),
        };
        let what = match method.as_str() {
            "iterate" => format!("a `{name}` queryset is evaluated"),
            "[index]" => format!("a `{name}` queryset is indexed"),
            "in" => format!("`in` evaluates a `{name}` queryset built"),
            b if b.ends_with("()") => format!("a `{name}` queryset is evaluated by `{b}`"),
            "get_object_or_404" => format!("`get_object_or_404({name}, ...)` runs a query"),
            "save" => format!("a new `{name}` is saved"),
            m if *root => format!("`{name}.objects.{m}()` runs a query"),
            m => format!("`.{m}()` on a related `{name}` manager runs a query"),
        };
        let mut related = vec![Related {
            file: loop_span.file,
            span: super::header_span(cx.file, loop_span.span),
            message: "the loop".to_owned(),
        }];
        let message = match via {
            Some((shown, at)) => {
                related.push(Related {
                    file: at.file,
                    span: at.span,
                    message: format!("{what} here"),
                });
                if method == "save" {
                    format!("`{shown}` inserts a new `{name}` row on every loop iteration")
                } else {
                    format!("`{shown}` runs a query on every loop iteration")
                }
            }
            None => format!("{what} on every loop iteration"),
        };
        out.push(
            rule.diagnostic(*span, message, "one query per iteration".to_owned())
                .with_help(help)
                .with_related(related)
                .with_depends(cx.depends_on(ev)),
        );
    }
}
