//! DRF views: which queryset and which serializers each generic view or viewset uses.

use super::{is_detail_root, is_list_root, is_view_root, Classes};
use crate::ast::{ExprId, ExprKind, Module};
use crate::flow::{class_queryset, class_queryset_with, Qs, QsSource, Summaries};
use crate::index::effects::LoadSet;
use crate::index::{Index, ModelId};
use crate::project::{File, FileId};
use crate::source::Span;
use rustc_hash::FxHashMap as HashMap;

/// The queryset a view (or an admin) lists, with the file of the expression that built it.
#[derive(Debug, Clone)]
pub struct ListQs {
    pub model: ModelId,
    pub loads: LoadSet,
    pub file: FileId,
    pub span: Span,
    /// Where a fix goes when branches built the queryset (empty: `span`).
    pub fix_at: Vec<Span>,
}

impl ListQs {
    /// The plain facts of a queryset value.
    pub fn of(q: &Qs) -> ListQs {
        ListQs {
            model: q.model,
            loads: q.loads.clone(),
            file: q.span.file,
            span: q.span.span,
            fix_at: q.fix_at.iter().map(|l| l.span).collect(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct View {
    pub qual: String,
    pub file: FileId,
    pub qs: ListQs,
    /// Indices into [`Facts::serializers`].
    pub serializers: Vec<usize>,
    /// Only retrieves, updates, creates or destroys one object per request (no list action):
    /// its serializer runs once, so only reads nested under a many-valued step repeat.
    pub detail_only: bool,
}

/// Every DRF generic view or viewset with a known queryset and serializer, with the
/// queryset's value (the rows it lists).
pub(super) fn build_views(
    classes: &Classes<'_>,
    sers: &HashMap<String, usize>,
    ix: &Index,
    sums: &Summaries,
) -> Vec<(View, Qs)> {
    let mut quals: Vec<&str> = classes.quals().collect();
    quals.sort_unstable();
    quals.dedup();
    let mut out = Vec::new();
    for q in quals {
        let crate::semantic::classes::Mro {
            classes: mro,
            reached,
            ..
        } = classes.mro(q, &is_view_root);
        if !reached {
            continue;
        }
        let Some(qs) =
            view_queryset(classes, &mro, 0, ix, sums).or_else(|| unknown_rows(classes, &mro, ix))
        else {
            continue;
        };
        // `filter_queryset(self, queryset)` that builds its own rows, ignoring the queryset it
        // is given: the view's queryset is not what is serialized
        if classes
            .lookup_method(&mro, "filter_queryset")
            .is_some_and(|(f, fid)| ignores_param(f, fid, 1))
        {
            continue;
        }
        // `queryset = Model.objects.none()` with no `get_queryset()`: no rows (a placeholder
        // for the router's name)
        if classes.lookup_method(&mro, "get_queryset").is_none()
            && classes
                .lookup_attr(&mro, "queryset")
                .is_some_and(|(f, e)| f.ast.is_method_call(f.ast.span(e), &["none"]))
        {
            continue;
        }
        let mut serializers = Vec::new();
        let mut add = |f: &File, e: ExprId| {
            if let Some(d) = f.ast.dotted(e) {
                if let Some(i) = sers.get(&ix.resolve_alias(&f.scope.qualify(&d))) {
                    if !serializers.contains(i) {
                        serializers.push(*i);
                    }
                }
            }
        };
        let attr = classes.lookup_attr(&mro, "serializer_class");
        match classes.lookup_method(&mro, "get_serializer_class") {
            Some((f, fid)) => {
                let func = &f.ast.functions[fid as usize];
                for r in crate::ast::returned_values(&func.body) {
                    if f.ast.dotted(r).as_deref() == Some("self.serializer_class")
                        || is_super_get_serializer_class(&f.ast, r)
                    {
                        if let Some((af, ae)) = attr {
                            add(af, ae);
                        }
                    } else {
                        add(f, r);
                    }
                }
            }
            None => {
                if let Some((af, ae)) = attr {
                    add(af, ae);
                }
            }
        }
        if serializers.is_empty() {
            continue;
        }
        let (file, ..) = classes.class(q).expect("indexed class");
        // A view defining `list` itself, or reaching no known DRF class, counts as listing.
        // `http_method_names` without "get": it never lists (a POST answers with one object)
        let gets = classes
            .lookup_attr(&mro, "http_method_names")
            .and_then(|(f, e)| super::str_list(&f.ast, e))
            .is_none_or(|l| l.iter().any(|(m, _)| m == "get"));
        let lists = gets
            && (classes.mro(q, &is_list_root).reached
                || classes.lookup_method(&mro, "list").is_some()
                || !classes.mro(q, &is_detail_root).reached);
        // A view that only shows one object which its own `get_object()` gets without the
        // queryset (`return self.request.user`): the queryset serializes nothing.
        if !lists
            && classes
                .lookup_method(&mro, "get_object")
                .is_some_and(|(f, fid)| !object_from_queryset(f, fid))
        {
            continue;
        }
        out.push((
            View {
                qual: q.to_owned(),
                file: file.id,
                qs: ListQs::of(&qs),
                serializers,
                detail_only: !lists,
            },
            qs,
        ));
    }
    out
}

fn is_super_get_serializer_class(m: &Module, e: ExprId) -> bool {
    matches!(m.kind(e), ExprKind::Call { func, .. } if crate::flow::is_super_call(m, *func, "get_serializer_class"))
}

/// The queryset the view with this MRO lists: the `get_queryset()` found first in the MRO
/// (its `super().get_queryset()` being the next one, and the last one's `self.queryset` the
/// `queryset =` found first in the whole MRO, as on an instance), else `queryset =`.
pub(crate) fn view_queryset(
    classes: &Classes<'_>,
    mro: &[String],
    from: usize,
    ix: &Index,
    sums: &Summaries,
) -> Option<Qs> {
    let Some(i) = (from..mro.len().min(from + 32))
        .find(|i| classes.method(&mro[*i], "get_queryset").is_some())
    else {
        return classes
            .lookup_attr(mro, "queryset")
            .and_then(|(af, ae)| eval_qs(ix, af, QsSource::Expr(ae), None));
    };
    let (f, fid) = classes.method(&mro[i], "get_queryset")?;
    let inherited = view_queryset(classes, mro, i + 1, ix, sums);
    if dynamic_loads(f, QsSource::Method(fid)) {
        return None;
    }
    // only a viewset has `self.action`
    let assume = is_viewset(classes, mro).then_some(listing_action as crate::flow::Assume);
    class_queryset_with(ix, sums, f, QsSource::Method(fid), inherited, assume)
}

/// Whether a class of the MRO extends one of DRF's viewsets (which set `self.action`).
fn is_viewset(classes: &Classes<'_>, mro: &[String]) -> bool {
    mro.iter()
        .filter_map(|q| classes.table.get(q))
        .flat_map(|c| c.bases.iter())
        .any(|b| b.starts_with("rest_framework.viewsets."))
}

/// What a view's code tests about the request it answers while it lists: `self.action`
/// is `"list"` (`if self.action == "list": qs = qs.select_related(...)`, also through
/// `getattr(self, "action", None)`, `!=` and `in (...)`).
fn listing_action(m: &Module, e: ExprId) -> Option<bool> {
    let ExprKind::Compare {
        left,
        ops,
        comparators,
    } = m.kind(e)
    else {
        return None;
    };
    let [op] = &ops[..] else { return None };
    let [right] = &comparators[..] else {
        return None;
    };
    let is_action = |x: ExprId| match m.kind(x) {
        ExprKind::Attr { value, attr, .. } => {
            &**attr == "action" && matches!(m.kind(*value), ExprKind::Name(n) if &**n == "self")
        }
        ExprKind::Call { func, args, .. } => {
            m.dotted(*func).as_deref() == Some("getattr")
                && args.len() >= 2
                && matches!(m.kind(args[0]), ExprKind::Name(n) if &**n == "self")
                && m.str_value(args[1]) == Some("action")
        }
        _ => false,
    };
    let other = if is_action(*left) {
        *right
    } else if is_action(*right) && matches!(&**op, "==" | "!=") {
        *left
    } else {
        return None;
    };
    let hit = match (&**op, m.kind(other)) {
        ("==" | "!=", _) => m.str_value(other).map(|s| s == "list"),
        ("in" | "not in", ExprKind::Seq { elts, .. }) => {
            let names: Option<Vec<&str>> = elts.iter().map(|x| m.str_value(*x)).collect();
            names.map(|n| n.contains(&"list"))
        }
        _ => None,
    }?;
    Some(if matches!(&**op, "!=" | "not in") {
        !hit
    } else {
        hit
    })
}

/// The rows of a view whose queryset is built in ways djperf cannot follow (computed
/// `select_related(*fields)`, a call it cannot see into): the model its `get_queryset()` or
/// `queryset =` gives, loading relations djperf cannot name (`opaque`). Queries per row are
/// still known; missing relations are not claimed.
fn unknown_rows(classes: &Classes<'_>, mro: &[String], ix: &Index) -> Option<Qs> {
    let attr = classes
        .lookup_attr(mro, "queryset")
        .and_then(|(af, ae)| class_queryset(ix, af, QsSource::Expr(ae), None));
    let own = classes
        .lookup_method(mro, "get_queryset")
        .and_then(|(f, fid)| class_queryset(ix, f, QsSource::Method(fid), attr.clone()));
    let mut q = own.or(attr)?;
    q.loads = LoadSet {
        opaque: true,
        ..LoadSet::default()
    };
    Some(q)
}

/// Evaluate a class's queryset with the interpreter (`inherited`: what `super()` and
/// `self.queryset` stand for); `None` when what it loads is not known.
pub(crate) fn eval_qs(ix: &Index, f: &File, src: QsSource, inherited: Option<Qs>) -> Option<Qs> {
    if dynamic_loads(f, src) {
        return None;
    }
    class_queryset(ix, f, src, inherited)
}

/// The code calls `select_related`/`prefetch_related` with computed arguments
/// (`select_related(*fields)`): what it loads is unknown, so nothing is claimed about it.
fn dynamic_loads(f: &File, src: QsSource) -> bool {
    let m = &f.ast;
    let span = match src {
        QsSource::Expr(e) => m.span(e),
        QsSource::Method(fid) => m.functions[fid as usize].span,
    };
    m.exprs.iter().any(|e| {
        e.span.start >= span.start
            && e.span.end <= span.end
            && matches!(&e.kind, ExprKind::Call { func, args, .. }
                if matches!(m.kind(*func), ExprKind::Attr { attr, .. }
                    if matches!(&**attr, "select_related" | "prefetch_related"))
                && args.iter().any(|a| !matches!(m.kind(*a), ExprKind::Str(_) | ExprKind::Call { .. } | ExprKind::Const(_))))
    })
}

/// Whether method `fid` never reads its parameter number `i` (0 is `self`).
/// Whether a view's `get_object()` may take its object from the view's rows: it reads
/// `self.get_queryset()`, `self.queryset`, `self.filter_queryset(...)`, or calls
/// `super().get_object()`.
fn object_from_queryset(f: &File, fid: crate::ast::FuncId) -> bool {
    let m = &f.ast;
    let Some(func) = m.functions.get(fid as usize) else {
        return true;
    };
    m.exprs.iter().any(|e| {
        e.span.start >= func.span.start
            && e.span.end <= func.span.end
            && matches!(&e.kind, ExprKind::Attr { attr, .. } if matches!(&**attr, "get_queryset" | "queryset" | "filter_queryset" | "get_object" | "object"))
    })
}

fn ignores_param(f: &File, fid: crate::ast::FuncId, i: usize) -> bool {
    let m = &f.ast;
    let Some(func) = m.functions.get(fid as usize) else {
        return false;
    };
    let Some(p) = func.params.get(i) else {
        return false;
    };
    !m.exprs.iter().any(|e| {
        e.span.start >= func.span.start
            && e.span.end <= func.span.end
            && matches!(&e.kind, ExprKind::Name(n) if *n == p.name)
    })
}
