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
iterating a fresh queryset, `x in` a queryset built in the loop, `get_object_or_404()`, and a
related manager's own writes (`book.tags.add(tag)`, `.remove()`, `.set()`, `.clear()`). A
queryset bound to a variable before the loop and evaluated in it (`if tag in featured:`,
`for t in featured:`, `len(featured)`) is not reported: the first iteration fills its result
cache, which serves the others (one query for the whole loop). A function, method, property or `__str__`
called in the loop counts when it runs such a query on every call (also through the functions
it calls, in any module of the project): `for book in books: price_of(book)` with
`def price_of(book): return Price.objects.get(book=book)`. A model instance the callee builds
and saves (`LogEntry(...).save()`) counts as an insert per call. Methods of a row are looked
up along the model's whole method resolution order: its own class, model parents, abstract
bases and plain mixin classes (`class LoggedModel(models.Model, LoggingMixin)` gets
`obj.log_action()` from the mixin). The receiver may be a row of a queryset the loop
iterates, an instance the loop body builds (`order = Order(...)`), or one of a list of
such instances built one per iteration of an earlier loop and iterated now
(`orders.append(Order(...))`, then `for o in orders: o.log_action(...)`), or the objects
`Model.objects.bulk_create(objs)` returns (also `itertools.chain()`ed together). The finding is at
the call, with a related location at the query.

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
whose `save()` is overridden named in the create and upsert advice, a query that reads
nothing the loop binds (nor, in a called function, anything the call hands it) told to run
once before the loop, a count or existence test whose lookups read the loop's row or its
columns annotated onto the queryset the loop iterates with those columns as `OuterRef`s
(`Exists(Flag.objects.filter(object_id=OuterRef("object_id")))` over `Note` rows; no annotate
advice when the loop iterates something that is not a queryset of model rows), the keys the
loop tests or counts by named as it has them (`counts.get(board.pk, 0)`), a function that calls
itself in the loop told to hand down what the levels need, `get_or_create`/`update_or_create`
as upserts (`bulk_create(update_conflicts=True, unique_fields=..., update_fields=...)` when
the lookup fields are unique together, else existing rows fetched once into a dict), a row
created and used again in the same iteration (`review = ...create(...)`, then
`review.tags.add(...)`) told to take two passes rather than "insert them after the loop", and
that `bulk_create()` calls no `save()` and sends no signals.

## Known problems
`while` loops (often deliberate batching), loops over literal collections (also a name the
function binds once to a literal list and never changes: `checks = [...]; for c in checks:`)
and loops over model classes or their fields, which the schema fixes (`apps.get_models()`, a
`get_models()` method, `Model._meta.parents`, `_meta.get_fields()`, `_meta.fields`) are not
reported, nor a query on the database the iteration names (`.using(alias)` over
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

/// What the chain at a span is built of: its keyword lookups of `get()`/`filter()`, the
/// receiver those apply to, and every other expression it reads (positional arguments such
/// as `Q(...)`, the arguments of other calls, the root of the chain).
struct Chain {
    lookups: Vec<Lookup>,
    base: Option<ExprId>,
    others: Vec<ExprId>,
    /// The positional arguments (`Q(...)`) and `**kwargs` of the `get()`/`filter()` calls,
    /// the latter marked `true`.
    unnamed: Vec<(ExprId, bool)>,
}

/// How a lookup's value relates to the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Corr {
    /// Reads nothing the loop binds: known before the loop.
    Fixed,
    /// The loop's own row (`"pk"`) or one column of it: `OuterRef(col)` in a subquery
    /// annotated onto the queryset the loop iterates.
    Outer(String),
    /// Changes per iteration some other way (a name the loop body computes).
    Varies,
}

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
    /// The positional arguments of the lookups (`Q(...)`), as written (`...` when long).
    positional: Vec<String>,
    /// Their `**kwargs`, as written (`**params`).
    spread: Vec<String>,
    /// The receiver or another part of the chain than its keyword lookups reads a name the
    /// loop binds (`row.tags.filter(...)`, `filter(Q(x=row.x))`).
    other_varies: bool,
}

impl Lookups {
    fn read(cx: &Context<'_>, at: Loc, loop_span: Option<Loc>) -> Lookups {
        let Some(file) = cx.files.get(at.file as usize) else {
            return Lookups::empty();
        };
        let Some(chain) = lookup_fields(file, at.span) else {
            return Lookups::empty();
        };
        let m = &file.ast;
        // In the loop's body, the names the loop binds; in a function the loop calls, its
        // parameters and the names it assigns.
        let names = match loop_span {
            Some(l) => (l.file == at.file)
                .then(|| super::loop_scope::loop_names(m, l.span))
                .flatten(),
            None => super::loop_scope::function_names(m, at.span),
        };
        let text = file.text.as_deref();
        let slice = |e: ExprId| -> Option<String> {
            let t = text?.get(m.span(e).range())?;
            (t.len() <= 60 && !t.contains('\n')).then(|| t.to_owned())
        };
        let fields = chain.lookups;
        let texts = fields.iter().map(|(_, v)| slice(*v)).collect();
        let reads = |e: ExprId| {
            names
                .as_ref()
                .is_some_and(|n| super::loop_scope::mentions(m, e, n))
        };
        let other_varies = chain.others.iter().any(|e| reads(*e));
        let text_of = |e: ExprId| slice(e).unwrap_or_else(|| "...".to_owned());
        let positional = chain
            .unnamed
            .iter()
            .filter(|(_, star)| !star)
            .map(|(e, _)| text_of(*e))
            .collect();
        let spread = chain
            .unnamed
            .iter()
            .filter(|(_, star)| *star)
            .map(|(e, _)| format!("**{}", text_of(*e)))
            .collect();
        let fields = fields
            .into_iter()
            .map(|(f, v)| {
                let varies = reads(v);
                (f, v, varies)
            })
            .collect();
        Lookups {
            fields,
            loop_known: names.is_some(),
            base: chain.base.and_then(slice),
            texts,
            positional,
            spread,
            other_varies,
        }
    }

    fn empty() -> Lookups {
        Lookups {
            fields: Vec::new(),
            loop_known: false,
            base: None,
            texts: Vec::new(),
            positional: Vec::new(),
            spread: Vec::new(),
            other_varies: false,
        }
    }

    /// The query reads nothing the loop (or the called function) binds: it gives the same
    /// answer on every iteration.
    fn invariant(&self) -> bool {
        self.loop_known && !self.other_varies && self.fields.iter().all(|(_, _, v)| !v)
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
            .positional
            .iter()
            .cloned()
            .chain(
                self.fields
                    .iter()
                    .zip(&self.texts)
                    .filter(|((f, _, _), _)| !keys.contains(&f.as_str()))
                    .map(|((f, _, _), t)| format!("{f}={}", t.as_deref().unwrap_or("..."))),
            )
            .chain(self.spread.iter().cloned())
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

    /// The key the loop tests or reads for the varying lookup `i`, as the code writes it:
    /// the value's text, with `.pk` after a row handed to a relation lookup
    /// (`filter(book=book)` is keyed by `book.pk` in `values_list("book")`); `None` when it
    /// cannot be written out.
    fn key(&self, cx: &Context<'_>, model: crate::index::ModelId, i: usize) -> Option<String> {
        let (field, _, _) = &self.fields[i];
        let text = self.texts[i].as_deref()?;
        let ix = cx.index;
        // Whether the path ends on a relation (`book`, `book__author`): its values_list()
        // gives the related row's key. A path that does not resolve is not written out.
        let mut cur = model;
        let mut relation = false;
        for seg in field.split("__") {
            if seg == "pk" {
                relation = false;
                continue;
            }
            let mb = ix.lookup_member(cur, seg)?;
            relation = matches!(
                mb,
                crate::index::Member::Forward(_)
                    | crate::index::Member::ManyToMany(_)
                    | crate::index::Member::Reverse(_)
            );
            if relation {
                cur = ix.member_target(&mb)?;
            }
        }
        let dotted = text
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
        let is_key = [".pk", ".id", "_id", "_pk"]
            .iter()
            .any(|s| text.ends_with(s))
            || text == "pk"
            || text == "id";
        if !relation || is_key {
            Some(text.to_owned())
        } else if dotted {
            Some(format!("{text}.pk"))
        } else {
            None
        }
    }

    /// How each lookup's value relates to the rows of the loop, when the loop iterates the
    /// rows of a queryset of `loop_model` bound to one name and every lookup that changes
    /// per iteration reads that row or one column of it; the name and the relations.
    /// `call` is the call in the loop's body through which the query runs (a function the
    /// row is handed to), `None` when the query is written in the loop's body.
    fn correlate(
        &self,
        cx: &Context<'_>,
        model: crate::index::ModelId,
        at: Loc,
        loop_span: Loc,
        loop_model: Option<crate::index::ModelId>,
        call: Option<Loc>,
    ) -> Option<(String, Vec<Corr>)> {
        use crate::ast::ExprKind;
        use crate::index::Member;
        let loop_model = loop_model?;
        if !self.loop_known || self.other_varies {
            return None;
        }
        let ix = cx.index;
        let loop_file = cx.files.get(loop_span.file as usize)?;
        let target = super::loop_scope::loop_target(&loop_file.ast, loop_span.span)?;
        let m = &cx.files.get(at.file as usize)?.ast;
        // Through a call: the row must be handed to it as it is (`price_of(book)`,
        // `book.price()`); a parameter then stands for the row.
        let mut params: Vec<crate::ast::Name> = Vec::new();
        let mut receiver = false;
        if let Some(c) = call {
            let lm = &loop_file.ast;
            let e = lm.expr_at(c.span)?;
            let is_target = |x: ExprId| matches!(lm.kind(x), ExprKind::Name(n) if *n == target);
            let handed = match lm.kind(e) {
                ExprKind::Call { func, args, kwargs } => {
                    receiver =
                        matches!(lm.kind(*func), ExprKind::Attr { value, .. } if is_target(*value));
                    args.iter().any(|a| is_target(*a)) || kwargs.iter().any(|k| is_target(k.value))
                }
                // a property of the row: `book.in_stock`
                ExprKind::Attr { value, .. } => {
                    receiver = is_target(*value);
                    false
                }
                _ => return None,
            };
            if !receiver && !handed {
                return None;
            }
            params = super::loop_scope::params_around(m, at.span)?;
        }
        let column = |attr: &str| -> Option<String> {
            if attr == "pk" || attr == "id" {
                return Some("pk".to_owned());
            }
            matches!(
                ix.member(loop_model, attr),
                Some(Member::Forward(_) | Member::ForeignKeyId(_) | Member::Plain(_))
            )
            .then(|| attr.to_owned())
        };
        // A lookup on a relation to the loop's model takes the row itself.
        let to_loop_model = |field: &str| {
            let f = field.strip_suffix("_id").unwrap_or(field);
            ix.lookup_member(model, f)
                .and_then(|mb| ix.member_target(&mb))
                == Some(loop_model)
        };
        let mut out = Vec::new();
        for (field, v, varies) in &self.fields {
            if !varies {
                out.push(Corr::Fixed);
                continue;
            }
            let c = match (call, m.kind(*v)) {
                (None, ExprKind::Name(n)) if *n == target => Some("pk".to_owned()),
                (None, ExprKind::Attr { value, attr, .. }) => match m.kind(*value) {
                    ExprKind::Name(n) if *n == target => column(attr),
                    _ => None,
                },
                (Some(_), ExprKind::Name(n)) if params.contains(n) && to_loop_model(field) => {
                    Some("pk".to_owned())
                }
                (Some(_), ExprKind::Attr { value, attr, .. }) => match m.kind(*value) {
                    ExprKind::Name(n)
                        if params.contains(n)
                            && (attr.as_ref() == "pk" || attr.as_ref() == "id")
                            && to_loop_model(field) =>
                    {
                        Some("pk".to_owned())
                    }
                    // a method of the row: `self.f` is the row's column
                    ExprKind::Name(n) if receiver && params.first() == Some(n) => column(attr),
                    _ => None,
                },
                _ => None,
            };
            out.push(c.map_or(Corr::Varies, Corr::Outer));
        }
        (out.iter().all(|c| *c != Corr::Varies) && out.iter().any(|c| matches!(c, Corr::Outer(_))))
            .then(|| (target.to_string(), out))
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

/// Where a query in a loop sits and what the loop iterates, for the help.
struct Site {
    /// Where the query is written (in the loop's body, or in a function it calls).
    at: Loc,
    /// The loop.
    loop_span: Loc,
    /// The loop, when the query is written in its body.
    in_loop: Option<Loc>,
    /// The call in the loop's body that runs it, when it runs in a called function.
    call: Option<Loc>,
    /// The model of the rows the loop iterates (model instances of a queryset).
    loop_model: Option<crate::index::ModelId>,
}

/// Lookup names Django applies to a field (`title__iexact`): not a column to collect keys by.
const LOOKUP_NAMES: &[&str] = &[
    "exact",
    "iexact",
    "contains",
    "icontains",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "range",
    "date",
    "year",
    "iso_year",
    "month",
    "day",
    "week",
    "week_day",
    "iso_week_day",
    "quarter",
    "time",
    "hour",
    "minute",
    "second",
    "isnull",
    "regex",
    "iregex",
    "search",
    "unaccent",
    "trigram_similar",
    "contained_by",
    "overlap",
    "has_key",
    "has_keys",
    "has_any_keys",
    "len",
];

/// What to annotate instead of a `count()`/`exists()`/`aggregate()` per row. When the loop
/// iterates the rows of a queryset and the query's lookups read that row or its columns
/// (`filter(book=book)`, `filter(content_type=item.content_type)`), the value is annotated
/// onto that queryset with the row's columns as `OuterRef`s (or as a `Count` over the
/// relation between the two models). Otherwise an existence test or a count by the lookups
/// that change per iteration is done once before the loop (a set of the keys found, counts
/// grouped by key), filtered only on values known before the loop, and the loop reads it by
/// the keys it has (`counts.get(book.pk, 0)`).
fn annotate_help(
    cx: &Context<'_>,
    model: crate::index::ModelId,
    method: &str,
    site: &Site,
) -> String {
    let ix = cx.index;
    let name = &ix.model(model).name;
    let lk = Lookups::read(cx, site.at, site.in_loop);
    let base = lk.base_or(name);
    let default_base = base == format!("{name}.objects");
    let quote = |i: usize| lk.texts[i].clone().unwrap_or_else(|| "...".to_owned());
    if let Some((row, corr)) = lk.correlate(
        cx,
        model,
        site.at,
        site.loop_span,
        site.loop_model,
        site.call,
    ) {
        let target = site
            .loop_model
            .map(|m| ix.model(m).name.clone())
            .unwrap_or_default();
        let lower = name.to_lowercase();
        let args: Vec<String> = lk
            .positional
            .iter()
            .cloned()
            .chain(
                lk.fields
                    .iter()
                    .zip(&corr)
                    .enumerate()
                    .map(|(i, ((f, _, _), c))| match c {
                        Corr::Outer(col) => format!("{f}=OuterRef(\"{col}\")"),
                        _ => format!("{f}={}", quote(i)),
                    }),
            )
            .chain(lk.spread.iter().cloned())
            .collect();
        let sub = format!("{base}.filter({})", args.join(", "));
        let outers: Vec<&str> = lk
            .fields
            .iter()
            .zip(&corr)
            .filter(|(_, c)| matches!(c, Corr::Outer(_)))
            .map(|((f, _, _), _)| f.as_str())
            .collect();
        let group = outers
            .iter()
            .map(|f| format!("\"{f}\""))
            .collect::<Vec<_>>()
            .join(", ");
        // The relation between the loop's model and the queried one, named from the loop's
        // side (`reviews`, `tags`), when the row itself is the only correlated value.
        let relation = (outers.len() == 1
            && corr.iter().any(|c| *c == Corr::Outer("pk".to_owned())))
        .then(|| {
            let f = outers[0].strip_suffix("_id").unwrap_or(outers[0]);
            let lm = site.loop_model?;
            match ix.lookup_member(model, f)? {
                crate::index::Member::Reverse(r) if r.from_model == lm => Some(r.field.clone()),
                crate::index::Member::Forward(fd) | crate::index::Member::ManyToMany(fd)
                    if fd.target == Some(lm) =>
                {
                    ix.model(lm)
                        .reverse
                        .iter()
                        .find(|r| r.from_model == model && r.field == fd.name)
                        .map(|r| r.query_name.clone())
                }
                _ => None,
            }
        })
        .flatten();
        return match method {
            "exists" => {
                let attr = format!("has_{}", relation.as_deref().unwrap_or(&lower));
                format!(
                    "annotate the test onto the `{target}` queryset the loop iterates: `.annotate({attr}=Exists({sub}))`, and read `{row}.{attr}`"
                )
            }
            "count" => match relation
                .filter(|_| default_base && lk.positional.is_empty() && lk.spread.is_empty())
            {
                Some(rel) => {
                    let conds: Vec<String> = lk
                        .fields
                        .iter()
                        .zip(&corr)
                        .enumerate()
                        .filter(|(_, (_, c))| **c == Corr::Fixed)
                        .map(|(i, ((f, _, _), _))| format!("{rel}__{f}={}", quote(i)))
                        .collect();
                    let filter = if conds.is_empty() {
                        String::new()
                    } else {
                        format!(", filter=Q({})", conds.join(", "))
                    };
                    format!(
                        "annotate the number onto the `{target}` queryset the loop iterates: `.annotate({rel}_count=Count(\"{rel}\"{filter}))`, and read `{row}.{rel}_count`"
                    )
                }
                None => format!(
                    "annotate the number onto the `{target}` queryset the loop iterates: `.annotate({lower}_count=Coalesce(Subquery({sub}.order_by().values({group}).annotate(n=Count(\"pk\")).values(\"n\")), 0))`, and read `{row}.{lower}_count`"
                ),
            },
            _ => format!(
                "annotate the value onto the `{target}` queryset the loop iterates: `.annotate(value=Subquery({sub}.order_by().values({group}).annotate(value=...).values(\"value\")))` with the aggregate (`Sum`, `Max`...), and read `{row}.value`"
            ),
        };
    }
    // Keys collected once before the loop: every lookup that changes per iteration is a
    // column (not `title__iexact`), and the rest of the query is known before the loop.
    let varying: Vec<usize> = (0..lk.fields.len()).filter(|i| lk.fields[*i].2).collect();
    let columns = varying.iter().all(|i| {
        let f = &lk.fields[*i].0;
        !f.rsplit("__")
            .next()
            .is_some_and(|l| LOOKUP_NAMES.contains(&l))
            || !f.contains("__")
    });
    if lk.loop_known
        && !lk.other_varies
        && !varying.is_empty()
        && columns
        && matches!(method, "exists" | "count")
    {
        let fields: Vec<&str> = varying.iter().map(|i| lk.fields[*i].0.as_str()).collect();
        let keys: Vec<String> = fields.iter().map(|f| format!("\"{f}\"")).collect();
        let ins: Vec<String> = fields.iter().map(|f| format!("{f}__in=...")).collect();
        let args = match lk.fixed(&fields) {
            Some(f) => format!("{f}, {}", ins.join(", ")),
            None => ins.join(", "),
        };
        let named: Vec<String> = varying
            .iter()
            .map(|i| {
                // a called function's names mean nothing at the loop
                site.call
                    .is_none()
                    .then(|| lk.key(cx, model, *i))
                    .flatten()
                    .unwrap_or_else(|| "value".to_owned())
            })
            .collect();
        let value = if named.len() == 1 {
            named[0].clone()
        } else {
            format!("({})", named.join(", "))
        };
        let qs = format!("{base}.filter({args})");
        return if method == "exists" {
            format!(
                "collect the keys once before the loop: `found = set({qs}.values_list({}))`, then test `{value} in found`",
                if keys.len() == 1 {
                    format!("{}, flat=True", keys[0])
                } else {
                    keys.join(", ")
                }
            )
        } else if keys.len() == 1 {
            format!(
                "count once before the loop, grouped: `counts = dict({qs}.values_list({}).annotate(n=Count(\"pk\")))`, then read `counts.get({value}, 0)`",
                keys[0]
            )
        } else {
            let vars: Vec<String> = (1..=keys.len()).map(|i| format!("k{i}")).collect();
            format!(
                "count once before the loop, grouped: `counts = {{({}): n for {}, n in {qs}.values_list({}).annotate(n=Count(\"pk\"))}}`, then read `counts.get({value}, 0)`",
                vars.join(", "),
                vars.join(", "),
                keys.join(", ")
            )
        };
    }
    if site.loop_model.is_some() {
        return "annotate() the value onto the queryset the loop iterates (Count/Exists/Subquery with `OuterRef`), or compute it for all the items with one query before the loop".to_owned();
    }
    "compute it for all the items with one query before the loop (`filter(<field>__in=...)`, grouped with `values(...).annotate(...)` for counts) and look it up per item".to_owned()
}

/// The help for a query that reads nothing the loop binds (nor, in a called function,
/// anything the call hands it): it gives the same answer on every iteration.
/// `writes`: the model's name, when the loop writes rows of the model the query reads.
fn hoist_help(
    cx: &Context<'_>,
    site: &Site,
    shown: Option<&str>,
    writes: Option<&str>,
) -> Option<String> {
    let lk = Lookups::read(cx, site.at, site.in_loop);
    if !lk.invariant() {
        return None;
    }
    let file = cx.files.get(site.at.file as usize)?;
    // A lock taken per iteration (each in its own transaction) is not one to take once.
    let whole = file
        .text
        .as_deref()
        .and_then(|t| t.get(site.at.span.range()));
    if whole.is_none_or(|t| t.contains("select_for_update")) {
        return None;
    }
    // State the loop changes in place (`self.n += 1`) read by the query.
    if let Some(l) = site.in_loop {
        let roots = super::loop_scope::mutated_roots(&file.ast, l.span);
        let e = file.ast.expr_at(site.at.span)?;
        if !roots.is_empty() && super::loop_scope::mentions(&file.ast, e, &roots) {
            return None;
        }
    }
    let text = file
        .text
        .as_deref()
        .and_then(|t| t.get(site.at.span.range()))
        .filter(|t| t.len() <= 80 && !t.contains('\n'));
    let query = text.map_or_else(|| "the query".to_owned(), |t| format!("`{t}`"));
    Some(match (shown, writes) {
        (_, Some(model)) => format!(
            "{query} reads nothing the loop binds, but the loop writes `{model}` rows it may see: run it once before the loop and keep the result up to date as the loop writes (or write after the loop)"
        ),
        (None, None) => format!(
            "{query} reads nothing the loop changes: run it once before the loop, keep the result in a variable and reuse it (unless the loop writes the rows it reads)"
        ),
        (Some(call), None) => format!(
            "{query} in `{call}` reads nothing the call hands it: run it once before the loop and pass the result in (or cache it), unless the loop writes the rows it reads"
        ),
    })
}

/// The keyword lookups of the `get()`/`filter()` calls of the chain at `span`
/// (`Tag.objects.filter(slug=s).first()` gives `slug` and its value), `__exact` dropped, the
/// receiver of the innermost of those calls (`Tag.objects`), and what else the chain reads.
fn lookup_fields(file: &crate::project::File, span: crate::source::Span) -> Option<Chain> {
    use crate::ast::ExprKind;
    let m = &file.ast;
    let mut cur = m.expr_at(span)?;
    let mut out = Vec::new();
    let mut base = None;
    let mut others = Vec::new();
    let mut unnamed = Vec::new();
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
            ExprKind::Call { func, args, kwargs } => {
                if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                    if matches!(&**attr, "get" | "filter") {
                        out.extend(named(kwargs));
                        others.extend(kwargs.iter().filter(|k| k.name.is_none()).map(|k| k.value));
                        unnamed.extend(args.iter().map(|a| (*a, false)));
                        unnamed.extend(
                            kwargs
                                .iter()
                                .filter(|k| k.name.is_none())
                                .map(|k| (k.value, true)),
                        );
                        base = Some(*value);
                    } else {
                        others.extend(kwargs.iter().map(|k| k.value));
                    }
                    others.extend(args.iter().copied());
                    cur = *value;
                } else {
                    // `get_object_or_404(Model, slug=...)`
                    out.extend(named(kwargs).into_iter().filter(|(n, _)| n != "klass"));
                    others.extend(args.iter().copied());
                    others.extend(kwargs.iter().filter(|k| k.name.is_none()).map(|k| k.value));
                    break;
                }
            }
            ExprKind::Attr { value, .. } => cur = *value,
            ExprKind::Subscript { value, index } => {
                others.push(*index);
                cur = *value;
            }
            _ => {
                others.push(cur);
                break;
            }
        }
    }
    Some(Chain {
        lookups: out,
        base,
        others,
        unnamed,
    })
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
            if let Some(chain) = lookup_fields(file, span.span) {
                if chain
                    .lookups
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

/// Whether the loop at `loop_span` writes rows of `model` (a save, create, update or delete
/// in its body or in what it calls): a query of that model may then see them change.
fn writes_in_loop(cx: &Context<'_>, loop_span: Loc, model: crate::index::ModelId) -> bool {
    cx.events.iter().any(|e| match e {
        Event::QueryInLoop {
            loop_span: l,
            model: m,
            method,
            ..
        } => {
            *l == loop_span
                && *m == model
                && matches!(
                    method.as_str(),
                    "save"
                        | "create"
                        | "get_or_create"
                        | "update_or_create"
                        | "update"
                        | "delete"
                        | "bulk_create"
                        | "bulk_update"
                )
        }
        Event::SaveInLoop {
            loop_span: l,
            model: m,
            ..
        } => *l == loop_span && *m == model,
        _ => false,
    })
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
            loop_model,
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
        let site = Site {
            at,
            loop_span: *loop_span,
            in_loop,
            call: via.is_some().then_some(*span),
            loop_model: *loop_model,
        };
        // The same answer on every iteration: hoisted, unless the loop writes that model.
        let reads = matches!(
            method.as_str(),
            "get"
                | "get_object_or_404"
                | "first"
                | "last"
                | "[index]"
                | "count"
                | "exists"
                | "aggregate"
                | "iterate"
        ) || method.ends_with("()");
        let hoist = (reads && recursion.is_none())
            .then(|| {
                let writes = writes_in_loop(cx, *loop_span, *model).then_some(name.as_str());
                hoist_help(
                    cx,
                    &site,
                    via.as_ref().map(|(shown, _)| shown.as_str()),
                    writes,
                )
            })
            .flatten();
        let reused = matches!(method.as_str(), "create" | "get_or_create")
            .then(|| reused_row(cx, at, in_loop))
            .flatten();
        let help = match method.as_str() {
            _ if recursion.is_some() => recursion.clone().unwrap_or_default(),
            _ if hoist.is_some() => hoist.clone().unwrap_or_default(),
            "save" | "create" | "get_or_create" | "update_or_create"
                if cx.index.concrete_parent(*model).is_some() =>
            {
                let parent = cx
                    .index
                    .concrete_parent(*model)
                    .map_or("", |p| cx.index.model(p).name.as_str());
                format!(
                    "`{name}` is a multi-table child of `{parent}`: bulk_create() refuses it (ValueError), so these INSERTs cannot be batched with it: keep the loop"
                )
            }
            "get" | "get_object_or_404" | "first" | "last" | "[index]" => {
                fetch_once_help(cx, name, *model, at, in_loop)
            }
            "count" | "exists" | "aggregate" => annotate_help(cx, *model, method, &site),
            // only through a callee: a direct save in a loop is DJP105's
            "save" => format!(
                "build the `{name}` objects without saving them in the loop (let the method return them unsaved if it can) and insert them with one `{name}.objects.bulk_create(objs)` after it ({})",
                saves()
            ),
            "create" | "get_or_create" if reused.is_some() => {
                let (var, line) = reused.clone().unwrap_or_default();
                format!(
                    "the new `{var}` is used again in the same iteration (line {line}), so it cannot simply be built in the loop and inserted after it: make two passes (build every `{name}` object, insert them with one `{name}.objects.bulk_create(objs)`, which sets their keys on PostgreSQL, SQLite and MariaDB but not MySQL, then do the rest), or keep the loop ({})",
                    saves()
                )
            }
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
                        .map(|c| c.lookups)
                        .is_some_and(|l| {
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
            "add:same" | "remove:same" => {
                let m = method.trim_end_matches(":same");
                format!(
                    "the loop calls `.{m}()` on the same manager each time: collect the objects in the loop and call it once after it, `.{m}(*objs)`"
                )
            }
            "set:same" => "the loop calls `.set()` on the same manager each time, and only the last call counts: build the final list in the loop and call `.set(objs)` once after it".to_owned(),
            "clear:same" => "the loop clears the same manager each time: call `.clear()` once, before the loop".to_owned(),
            "add" | "remove" | "set" | "clear" => format!(
                "each `.{method}()` runs its own queries: collect what changes in the loop and write it once after it: for a many-to-many relation, one `bulk_create()` (`ignore_conflicts=True` skips links that exist), a filtered `delete()` or an `update()` that moves links on the relation's `through` model, none of which sends `m2m_changed`; for a reverse foreign key, one `{name}.objects.filter(pk__in=...).update(<key>=...)`"
            ),
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
            m => format!(
                "`.{}()` on a related `{name}` manager runs a query",
                m.trim_end_matches(":same")
            ),
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

/// The name a row created in the loop at `in_loop` is assigned to (`obj = M.objects.create()`,
/// `obj, created = M.objects.get_or_create()`), when the same iteration reads it again after
/// the call, with the line of that read.
fn reused_row(cx: &Context<'_>, at: Loc, in_loop: Option<Loc>) -> Option<(String, usize)> {
    let lp = in_loop?;
    if lp.file != at.file {
        return None;
    }
    let f = cx.files.get(at.file as usize)?;
    let names = super::loop_scope::assigned_to(&f.ast, lp.span, at.span);
    let var = names.first()?;
    if &**var == "_" {
        return None;
    }
    let read = super::loop_scope::read_again(&f.ast, lp.span, at.span, var)?;
    Some((var.to_string(), f.lines.line_of(read.start as usize) + 1))
}
