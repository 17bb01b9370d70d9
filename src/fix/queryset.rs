//! Edits that make a queryset load relations where it is built: append
//! `.select_related("a__b")` / `.prefetch_related("tags")` to the chain, or merge the lookups
//! into an existing call of that method, keeping the code's layout (one method per line,
//! backslash continuations, the quote style, one argument per line, trailing commas).
//!
//! Rules call [`load_fix`] with the span the flow analysis recorded as the rows' root
//! queryset (`Event::FkAccess::root_span`...). Any expression span works, so a DRF
//! `queryset = ...` attribute or a `get_queryset()` return can use it too.

use crate::ast::{ExprId, ExprKind, Module};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::project::File;
use crate::source::Span;

/// Which loading call to add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadCall {
    SelectRelated,
    PrefetchRelated,
    /// `.only(...)` / `.defer(...)` (DJP201): never added to a chain that already has one.
    Only,
    Defer,
    /// `.values_list("pk", flat=True)` (DJP201, rows used only for their key).
    ValuesListPk,
}

impl LoadCall {
    pub fn method(self) -> &'static str {
        match self {
            LoadCall::SelectRelated => "select_related",
            LoadCall::PrefetchRelated => "prefetch_related",
            LoadCall::Only => "only",
            LoadCall::Defer => "defer",
            LoadCall::ValuesListPk => "values_list",
        }
    }
}

/// Methods after which adding a loading call is an error or changes nothing useful:
/// combined queries reject both calls; `values()` rows are not instances; a deferred
/// foreign key cannot be traversed by `select_related` and re-queries under a prefetch.
const REFUSE: &[&str] = &[
    "union",
    "intersection",
    "difference",
    "values",
    "values_list",
    "only",
    "defer",
    "raw",
    "in_bulk",
];

/// One element of a method chain, outermost first.
#[derive(Debug, Clone, Copy)]
enum Link {
    /// `recv.name(args)`: the call expression and its receiver.
    Method { call: ExprId, recv: ExprId },
    /// `value[...]`.
    Subscript { value: ExprId },
}

/// A fix adding `lookups` to the queryset built by the expression at `root`, or `None` when
/// no edit is known to be right (see [`load_edit`]). The fix is `Unsafe` when `unsafe_why`
/// is set, when the chain takes prefetch lookups djperf cannot read (a variable, `*lookups`),
/// or when a prefetch lookup goes through a `Prefetch` whose queryset leaves columns out.
/// A prefetch lookup never goes before a `Prefetch` object it could reach (Django would raise
/// "lookup was already seen with a different queryset").
pub fn load_fix(
    file: &File,
    root: Span,
    call: LoadCall,
    lookups: &[String],
    unsafe_why: Option<&str>,
) -> Option<Fix> {
    load_fix_at(file, &[root], call, lookups, unsafe_why)
}

/// [`load_fix`] on every queryset expression of `roots` (the branches that built the
/// queryset, `if ...: qs = A` / `else: qs = B`): one fix editing each one that lacks a
/// lookup, or `None` when any of them cannot take the call (a fix on some branches only
/// would leave the others querying per row).
pub fn load_fix_at(
    file: &File,
    roots: &[Span],
    call: LoadCall,
    lookups: &[String],
    unsafe_why: Option<&str>,
) -> Option<Fix> {
    let mut edits: Vec<Edit> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    let mut caution: Option<&'static str> = None;
    let mut locking = false;
    for root in roots {
        match plan(file, *root, call, lookups)? {
            Planned::Covered => {}
            Planned::Edit(e, a, why) => {
                locking |= call == LoadCall::SelectRelated && locks_rows(file, *root);
                edits.push(e);
                caution = caution.or(why);
                for l in a {
                    if !added.contains(&l) {
                        added.push(l);
                    }
                }
            }
        }
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    if edits.is_empty() || edits.windows(2).any(|w| w[1].span.start <= w[0].span.end) {
        return None;
    }
    let mut applicability = if unsafe_why.is_some() {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mut message = format!(
        "Add {} to `.{}()`",
        added
            .iter()
            .map(|l| format!("\"{l}\""))
            .collect::<Vec<_>>()
            .join(", "),
        call.method()
    );
    if let Some(why) = unsafe_why {
        message.push_str(&format!(" ({why})"));
    } else if let Some(why) = caution {
        applicability = Applicability::Unsafe;
        message.push_str(&format!(" ({why})"));
    } else if locking {
        applicability = Applicability::Unsafe;
        message.push_str(&format!(" ({LOCKS})"));
    }
    if edits.len() > 1 {
        message.push_str(&format!(
            " on the {} branches that build the queryset",
            edits.len()
        ));
    }
    Some(Fix {
        message,
        applicability,
        edits,
    })
}

/// The edit adding `lookups` (those not already loaded) to the chain at `root`, the lookups
/// it adds, and why the edit may be wrong (then the fix is `Unsafe`). `None` when the chain
/// cannot take the call safely: a syntax error in the file, `values()`/`only()`/`defer()`/
/// combined queries in the chain, a bare `select_related()` (naming fields would stop it
/// following the other foreign keys), `iterator()` without `chunk_size` for a prefetch
/// (Django 5 rejects it), or when every lookup is already there.
pub fn load_edit(
    file: &File,
    root: Span,
    call: LoadCall,
    lookups: &[String],
) -> Option<(Edit, Vec<String>, Option<&'static str>)> {
    match plan(file, root, call, lookups)? {
        Planned::Edit(e, added, why) => Some((e, added, why)),
        Planned::Covered => None,
    }
}

/// The branches of `roots` that do not load every lookup yet (where a finding should point);
/// all of them when none is known to.
/// A branch that returns `Model.objects.none()` holds no rows and needs nothing.
pub fn lacking(file: &File, roots: &[Span], call: LoadCall, lookups: &[String]) -> Vec<Span> {
    let out: Vec<Span> = roots
        .iter()
        .copied()
        .filter(|r| !file.ast.is_method_call(*r, &["none"]))
        .filter(|r| !matches!(plan(file, *r, call, lookups), Some(Planned::Covered)))
        .collect();
    if out.is_empty() {
        roots.to_vec()
    } else {
        out
    }
}

/// Why a prefetch fix next to lookups djperf cannot read is unsafe.
const UNKNOWN_PREFETCH: &str =
    "the queryset also takes prefetch lookups djperf cannot read: check the lookup path";
/// Why a prefetch fix through a `Prefetch` whose queryset leaves columns out is unsafe.
const THROUGH_NARROWED: &str = "the lookup goes through a Prefetch whose queryset uses only()/defer(): check that it loads the key the lookup follows";

/// Why a join on a `select_for_update()` queryset is unsafe.
pub const LOCKS: &str = "the queryset uses select_for_update(): the join locks the related rows too, and PostgreSQL rejects it on a nullable relation unless `of=` is given";

/// Why a prefetch is unsafe on rows of a model with a method that copies the instance's
/// `__dict__` (`copier`, as `Model.method()`): the prefetch cache is stored there, so code
/// handing the copy on (`objects.create(**values)`) raises `TypeError` once the rows are
/// prefetched (see [`crate::index::Index::copies_dict`]).
pub fn copies_dict_caution(copier: &str) -> String {
    format!("`{copier}` copies the instance's __dict__, where a prefetch leaves `_prefetched_objects_cache`: check that the copy is not handed to create() or a constructor")
}

/// The chain at `root` calls `select_for_update()`.
fn locks_rows(file: &File, root: Span) -> bool {
    let m = &file.ast;
    find_expr(m, root).is_some_and(|r| {
        chain(m, r).iter().any(|l| match *l {
            Link::Method { call, .. } => matches!(m.kind(call),
                ExprKind::Call { func, .. } if method_name(m, *func) == Some("select_for_update")),
            Link::Subscript { .. } => false,
        })
    })
}

/// What adding lookups to one queryset expression takes.
enum Planned {
    /// Every lookup is loaded there already.
    Covered,
    /// The edit, the lookups it adds, and why it may be wrong (an `Unsafe` fix) if so.
    Edit(Edit, Vec<String>, Option<&'static str>),
}

/// [`load_edit`], telling "nothing to add" (`Some(Covered)`) from "cannot" (`None`).
fn plan(file: &File, root: Span, call: LoadCall, lookups: &[String]) -> Option<Planned> {
    let text = file.text.as_deref()?;
    let m = &file.ast;
    if m.has_errors || m.truncated {
        return None;
    }
    let root_id = find_expr(m, root)?;
    let links = chain(m, root_id);
    let method = call.method();

    let mut existing: Vec<String> = Vec::new();
    // Mergeable calls of `method`, outermost first, each with how many links lie outside it.
    let mut mergeable_calls: Vec<(usize, ExprId)> = Vec::new();
    // What each link may add to the prefetch lookups after the ones before it.
    let mut later: Vec<Later> = Vec::new();
    let mut unknown_prefetch = false;
    let mut quote: Option<char> = None;
    for (i, link) in links.iter().enumerate() {
        let Link::Method { call: c, .. } = *link else {
            later.push(Later::Nothing);
            continue;
        };
        let ExprKind::Call { func, args, kwargs } = m.kind(c) else {
            later.push(Later::Nothing);
            continue;
        };
        let name = method_name(m, *func)?;
        if REFUSE.contains(&name) {
            return None;
        }
        if quote.is_none() {
            quote = args
                .iter()
                .chain(kwargs.iter().map(|k| &k.value))
                .find_map(|a| quote_of(m, text, *a));
        }
        if name == "iterator"
            && call == LoadCall::PrefetchRelated
            && m.kwarg(kwargs, "chunk_size").is_none()
            && args.is_empty()
        {
            return None;
        }
        later.push(if name == "prefetch_related" {
            let mut objects = Vec::new();
            let mut unknown = false;
            for a in args.iter() {
                if m.str_value(*a).is_some() {
                    continue;
                }
                match prefetch_object(m, *a) {
                    Some(p) => objects.push(p),
                    None => unknown = true,
                }
            }
            unknown_prefetch |= unknown;
            if unknown {
                Later::Unknown
            } else {
                Later::Prefetches(objects)
            }
        } else if crate::django::QS_METHODS.contains(&name)
            || crate::django::SINGLE_METHODS.contains(&name)
            || name == "iterator"
        {
            Later::Nothing
        } else {
            // A custom manager or queryset method may add `Prefetch` objects of its own.
            Later::Unknown
        });
        if name != method {
            continue;
        }
        if call == LoadCall::SelectRelated && args.is_empty() {
            return None;
        }
        let mut mergeable = !args.is_empty() && kwargs.is_empty();
        for a in args.iter() {
            if let Some(s) = m.str_value(*a) {
                existing.push(s.to_owned());
            } else if let Some(p) = prefetch_object(m, *a) {
                existing.push(p.to);
            } else {
                mergeable = false;
            }
        }
        if mergeable {
            mergeable_calls.push((i, c));
        }
    }
    let covered = |l: &str| {
        existing
            .iter()
            .any(|e| e == l || (e.starts_with(l) && e[l.len()..].starts_with("__")))
    };
    let mut added: Vec<String> = Vec::new();
    for l in lookups {
        if !covered(l) && !added.contains(l) {
            added.push(l.clone());
        }
    }
    if added.is_empty() {
        return Some(Planned::Covered);
    }
    // Django takes the lookups in the order the calls were chained: a plain lookup that
    // reaches `x` before a `Prefetch("x", queryset=...)` makes it raise "lookup was already
    // seen with a different queryset". So the lookups go into the outermost mergeable call
    // that no later link could conflict with, else at the end of the chain.
    let merge_into = mergeable_calls
        .iter()
        .find(|(i, _)| later[..*i].iter().all(|l| !l.conflicts(&added)))
        .map(|(_, c)| *c);
    // A lookup through a `Prefetch` whose queryset leaves columns out may need one of them
    // (the key a foreign key follows): Django would load it per row.
    let through_narrowed = call == LoadCall::PrefetchRelated
        && later.iter().any(|l| match l {
            Later::Prefetches(ps) => ps
                .iter()
                .any(|p| p.narrowed_fields && added.iter().any(|a| below(a, &p.to))),
            _ => false,
        });
    let caution = if unknown_prefetch && call == LoadCall::PrefetchRelated {
        Some(UNKNOWN_PREFETCH)
    } else if through_narrowed {
        Some(THROUGH_NARROWED)
    } else {
        None
    };
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };

    if let Some(c) = merge_into {
        let ExprKind::Call { func, args, .. } = m.kind(c) else {
            return None;
        };
        let q = args
            .iter()
            .find_map(|a| quote_of(m, text, *a))
            .or(quote)
            .unwrap_or_else(|| quote_style(file));
        let lits: Vec<String> = added.iter().map(|l| format!("{q}{l}{q}")).collect();
        let last = *args.last()?;
        let last_end = m.span(last).end as usize;
        let call_end = m.span(c).end as usize;
        let between = text.get(last_end..call_end.checked_sub(1)?)?;
        let open_gap = text.get(m.span(*func).end as usize..m.span(args[0]).start as usize)?;
        let last_start = m.span(last).start as usize;
        let line_start = text[..last_start].rfind('\n').map_or(0, |i| i + 1);
        let indent = &text[line_start..last_start];
        let one_per_line = open_gap.contains('\n') && indent.chars().all(|c| c == ' ' || c == '\t');
        let (pos, content) = match (one_per_line, between.find(',')) {
            (true, Some(comma)) => (
                last_end + comma + 1,
                lits.iter().map(|l| format!("{nl}{indent}{l},")).collect(),
            ),
            (true, None) => (
                last_end,
                lits.iter().map(|l| format!(",{nl}{indent}{l}")).collect(),
            ),
            (false, _) => (last_end, format!(", {}", lits.join(", "))),
        };
        let edit = Edit {
            file: file.id,
            span: Span::new(pos, pos),
            content,
        };
        return Some(Planned::Edit(edit, added, caution));
    }

    // Append to the chain, before any slice or `.iterator()` at its end (a sliced
    // queryset takes the call too, but the reader expects it next to the other methods).
    let mut target = root_id;
    let mut layout_from: Option<ExprId> = None;
    for link in &links {
        match *link {
            Link::Subscript { value, .. } => target = value,
            Link::Method { call: c, recv } => {
                let name = match m.kind(c) {
                    ExprKind::Call { func, .. } => method_name(m, *func),
                    _ => None,
                };
                if name == Some("iterator") {
                    target = recv;
                } else {
                    layout_from = Some(c);
                    break;
                }
            }
        }
    }
    let q = quote.unwrap_or_else(|| quote_style(file));
    let mut args = added
        .iter()
        .map(|l| format!("{q}{l}{q}"))
        .collect::<Vec<_>>()
        .join(", ");
    if call == LoadCall::ValuesListPk {
        args.push_str(", flat=True");
    }
    let sep = layout_from
        .filter(|c| *c == target)
        .and_then(|c| line_break_before_dot(m, text, c))
        .unwrap_or_default();
    // `Book.objects.all()` becomes `Book.objects.select_related(...)` (the same queryset).
    if let ExprKind::Call {
        func,
        args: a,
        kwargs,
    } = m.kind(target)
    {
        if let ExprKind::Attr {
            attr, attr_span, ..
        } = m.kind(*func)
        {
            if &**attr == "all" && a.is_empty() && kwargs.is_empty() {
                let edit = Edit {
                    file: file.id,
                    span: Span::new(attr_span.start as usize, m.span(target).end as usize),
                    content: format!("{method}({args})"),
                };
                return Some(Planned::Edit(edit, added, caution));
            }
        }
    }
    let pos = m.span(target).end as usize;
    let edit = Edit {
        file: file.id,
        span: Span::new(pos, pos),
        content: format!("{sep}.{method}({args})"),
    };
    Some(Planned::Edit(edit, added, caution))
}

/// The expression with exactly this span (a call, subscript or attribute chain).
pub(crate) fn find_expr(m: &Module, span: Span) -> Option<ExprId> {
    m.expr_at(span)
}

/// The method chain below `root`, outermost first.
fn chain(m: &Module, root: ExprId) -> Vec<Link> {
    let mut out = Vec::new();
    let mut cur = root;
    for _ in 0..512 {
        match m.kind(cur) {
            ExprKind::Call { func, .. } => match m.kind(*func) {
                ExprKind::Attr { value, .. } => {
                    out.push(Link::Method {
                        call: cur,
                        recv: *value,
                    });
                    cur = *value;
                }
                _ => break,
            },
            ExprKind::Subscript { value, .. } => {
                out.push(Link::Subscript { value: *value });
                cur = *value;
            }
            ExprKind::Attr { value, .. } => cur = *value,
            _ => break,
        }
    }
    out
}

pub(crate) fn method_name(m: &Module, func: ExprId) -> Option<&str> {
    match m.kind(func) {
        ExprKind::Attr { attr, .. } => Some(attr),
        _ => None,
    }
}

/// What a link of the chain adds to the prefetch lookups after the links inside it.
enum Later {
    Nothing,
    /// `prefetch_related(...)` with these `Prefetch` objects (and plain strings).
    Prefetches(Vec<PrefetchObj>),
    /// Lookups djperf cannot read: a variable, `*lookups`, a custom method.
    Unknown,
}

impl Later {
    /// Whether a plain lookup of `added` placed before this link could make Django raise
    /// (it reaches a path that a `Prefetch` with its own queryset stores).
    fn conflicts(&self, added: &[String]) -> bool {
        match self {
            Later::Nothing => false,
            Later::Unknown => true,
            Later::Prefetches(ps) => ps
                .iter()
                .any(|p| p.has_queryset && added.iter().any(|a| a == &p.to || below(a, &p.to))),
        }
    }
}

/// `lookup` goes through `prefix` (`a__b__c` through `a__b`).
fn below(lookup: &str, prefix: &str) -> bool {
    lookup.len() > prefix.len()
        && lookup.starts_with(prefix)
        && lookup[prefix.len()..].starts_with("__")
}

/// A `Prefetch("x__y", queryset=..., to_attr="z")` argument.
struct PrefetchObj {
    /// Where Django stores the rows: the lookup with its last part replaced by `to_attr`
    /// (`x__z`), which is also the path later lookups go through.
    to: String,
    has_queryset: bool,
    /// Its queryset leaves columns out (`only()`, `defer()`, `values()`).
    narrowed_fields: bool,
}

/// `Prefetch("tags", ...)` with a literal lookup.
fn prefetch_object(m: &Module, e: ExprId) -> Option<PrefetchObj> {
    let ExprKind::Call { func, args, kwargs } = m.kind(e) else {
        return None;
    };
    let name = m.dotted(*func)?;
    if name.rsplit('.').next() != Some("Prefetch") {
        return None;
    }
    let lookup = m.str_value(*args.first()?)?;
    let to_attr = match (m.kwarg(kwargs, "to_attr"), args.get(2)) {
        (Some(k), _) => Some(m.str_value(k.value)?),
        (None, Some(a)) => Some(m.str_value(*a)?),
        (None, None) => None,
    };
    let queryset = m
        .kwarg(kwargs, "queryset")
        .map(|k| k.value)
        .or(args.get(1).copied());
    let to = match (to_attr, lookup.rsplit_once("__")) {
        (Some(attr), Some((head, _))) => format!("{head}__{attr}"),
        (Some(attr), None) => attr.to_owned(),
        (None, _) => lookup.to_owned(),
    };
    let narrowed_fields = queryset.is_some_and(|q| {
        chain(m, q).iter().any(|l| match *l {
            Link::Method { call, .. } => matches!(m.kind(call),
                ExprKind::Call { func, .. }
                    if matches!(method_name(m, *func), Some("only" | "defer" | "values" | "values_list"))),
            Link::Subscript { .. } => false,
        })
    });
    Some(PrefetchObj {
        to,
        has_queryset: queryset.is_some_and(|q| !matches!(m.kind(q), ExprKind::Const(_))),
        narrowed_fields,
    })
}

/// The quote character of a plain string literal.
pub(crate) fn quote_of(m: &Module, text: &str, e: ExprId) -> Option<char> {
    m.str_value(e)?;
    let src = text.get(m.span(e).range())?;
    let body = src.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let prefix = &src[..src.len() - body.len()];
    if prefix.contains(['b', 'B']) {
        return None;
    }
    match body.chars().next()? {
        c @ ('"' | '\'') => Some(c),
        _ => None,
    }
}

/// The quote most string literals of the file use (double quotes on a tie), counted once per
/// file.
pub(crate) fn quote_style(file: &File) -> char {
    *file
        .quote
        .get_or_init(|| file_quote(&file.ast, file.text.as_deref().unwrap_or("")))
}

fn file_quote(m: &Module, text: &str) -> char {
    let (mut single, mut double) = (0usize, 0usize);
    for (i, _) in m.exprs.iter().enumerate() {
        let Ok(id) = ExprId::try_from(i) else {
            break;
        };
        match quote_of(m, text, id) {
            Some('\'') => single += 1,
            Some('"') => double += 1,
            _ => {}
        }
    }
    if single > double {
        '\''
    } else {
        '"'
    }
}

/// When the call `c` (`recv\n    .method(...)`) starts its `.method` on a new line, the
/// line break and indentation to put before an appended `.method(...)`.
fn line_break_before_dot(m: &Module, text: &str, c: ExprId) -> Option<String> {
    let ExprKind::Call { func, .. } = m.kind(c) else {
        return None;
    };
    let ExprKind::Attr {
        value, attr_span, ..
    } = m.kind(*func)
    else {
        return None;
    };
    let gap = text.get(m.span(*value).end as usize..attr_span.start as usize)?;
    let before_dot = &gap[..gap.rfind('.')?];
    let nl_at = before_dot.rfind('\n')?;
    let indent = &before_dot[nl_at + 1..];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let head = before_dot[..nl_at].trim_end_matches('\r');
    let nl = if before_dot[..nl_at].ends_with('\r') {
        "\r\n"
    } else {
        "\n"
    };
    let cont = if head.trim_end().ends_with('\\') {
        " \\"
    } else {
        ""
    };
    Some(format!("{cont}{nl}{indent}"))
}

/// Whether the expression at `span` is a call of one of `methods` (`x.count()`).
pub fn is_method_call(file: &File, span: Span, methods: &[&str]) -> bool {
    file.ast.is_method_call(span, methods)
}
