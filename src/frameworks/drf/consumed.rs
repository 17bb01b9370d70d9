//! Whether a DRF view's serializer is the only consumer of its rows, and that serializer is
//! fully known: the condition for saying that a relation the view's queryset loads is read
//! by nothing (DJP106). Anything else that may read the rows (a method of the view, a
//! permission's `has_object_permission`, a serializer's `to_representation`, `__init__`
//! that changes the fields, `update()`, a base class djperf cannot read) makes the rows
//! count as escaped.

use super::serializers::{FieldRead, Serializer};
use super::{is_any_serializer_root, is_detail_root, is_view_root, Classes};
use crate::ast::ExprKind;
use crate::source::Loc;
use rustc_hash::FxHashMap as HashMap;

/// Methods of a view handed its rows (or one of them) by DRF: code of their own may read
/// anything of them.
const ROW_METHODS: &[&str] = &[
    "filter_queryset",
    "paginate_queryset",
    "perform_destroy",
    "get_object",
    "get_serializer",
    "check_object_permissions",
];

/// Attributes of the view that give its rows (or one of them).
const ROW_ATTRS: &[&str] = &[
    "get_object",
    "get_queryset",
    "queryset",
    "filter_queryset",
    "paginate_queryset",
    "object",
    "object_list",
];

/// Whether a method of a view may read its rows: it calls `self.get_object()`,
/// `self.get_queryset()` and the like, reads a serializer's `.instance`, or hands `self`
/// itself to other code. (`super().list(...)` and DRF's other actions serialize the rows
/// with the view's serializer, which is analysed.)
fn touches_rows(m: &crate::ast::Module, func: &crate::ast::FunctionDef) -> bool {
    let span = func.span;
    let inside = |e: &crate::ast::Expr| e.span.start >= span.start && e.span.end <= span.end;
    let mut bases = rustc_hash::FxHashSet::default();
    for e in m.exprs.iter().filter(|e| inside(e)) {
        if let ExprKind::Attr { value, attr, .. } = &e.kind {
            let on_self = matches!(m.kind(*value), ExprKind::Name(n) if &**n == "self");
            if (on_self && ROW_ATTRS.contains(&&**attr)) || &**attr == "instance" {
                return true;
            }
            bases.insert(*value);
        }
    }
    // `self` used otherwise than to read one of its attributes: passed on, stored, ...
    m.exprs.iter().enumerate().any(|(i, e)| {
        inside(e)
            && matches!(&e.kind, ExprKind::Name(n) if &**n == "self")
            && !bases.contains(&crate::ast::ExprId::try_from(i).unwrap_or(crate::ast::ExprId::MAX))
    })
}

/// Whether the rows of view `qual`, rooted at `root`, reach nothing but its serializers.
pub(super) fn view_only_serializes(
    classes: &Classes<'_>,
    by_qual: &HashMap<String, usize>,
    ix: &crate::index::Index,
    qual: &str,
    root: Loc,
) -> bool {
    let mro = classes.mro(qual, &is_view_root);
    if !mro.reached || mro.unresolved {
        return false;
    }
    let Some((file, cdef, _)) = classes.class(qual) else {
        return false;
    };
    // the queryset is built in the view's own body, and no other class inherits it
    if root.file != file.id || root.span.start < cdef.span.start || root.span.end > cdef.span.end {
        return false;
    }
    if classes.quals().any(|q| {
        q != qual
            && classes
                .mro(q, &is_view_root)
                .classes
                .iter()
                .any(|c| c == qual)
    }) {
        return false;
    }
    for q in &mro.classes {
        let Some((f, _, ci)) = classes.class(q) else {
            continue;
        };
        for func in f.ast.functions.iter().filter(|x| x.class == Some(ci)) {
            if func.parent.is_some() {
                continue;
            }
            let name = &*func.name;
            if ROW_METHODS.contains(&name)
                || (name != "get_queryset"
                    && name != "get_serializer_class"
                    && touches_rows(&f.ast, func))
            {
                return false;
            }
            if &*func.name == "get_serializer_class" {
                let rets = crate::ast::returned_values(&func.body);
                let m = &f.ast;
                let known = |e| {
                    let d = m.dotted(e);
                    d.as_deref() == Some("self.serializer_class")
                        || matches!(m.kind(e), ExprKind::Call { func, .. } if m.dotted(*func).is_some_and(|n| n.ends_with("get_serializer_class")))
                        || d.is_some_and(|d| {
                            by_qual.contains_key(&ix.resolve_alias(&f.scope.qualify(&d)))
                        })
                };
                if rets.is_empty() || !rets.into_iter().all(known) {
                    return false;
                }
            }
        }
    }
    // A view that answers for one object runs its permissions' `has_object_permission`
    // on it: only DRF's own permission classes are known to read nothing of it.
    let detail = classes.mro(qual, &is_detail_root).reached
        || mro
            .classes
            .iter()
            .filter_map(|q| classes.table.get(q))
            .flat_map(|c| c.bases.iter())
            .any(|b| b.starts_with("rest_framework.viewsets."));
    if detail {
        let Some((f, e)) = classes.lookup_attr(&mro.classes, "permission_classes") else {
            return false;
        };
        let m = &f.ast;
        let ExprKind::Seq { elts, .. } = m.kind(e) else {
            return false;
        };
        let drf = |x| {
            m.dotted(x).is_some_and(|d| {
                ix.resolve_alias(&f.scope.qualify(&d))
                    .starts_with("rest_framework.permissions.")
            })
        };
        if !elts.iter().all(|x| drf(*x)) {
            return false;
        }
    }
    true
}

/// Whether serializer `s` reads its object only through its declared fields: no method of
/// its own but its `SerializerMethodField` getters and `create()` (no `to_representation`,
/// `__init__` changing the fields, `update()` or `validate()` reading the instance), and no
/// base class djperf cannot read.
pub(super) fn serializer_known(classes: &Classes<'_>, s: &Serializer) -> bool {
    let mro = classes.mro(&s.qual, &is_any_serializer_root);
    if !mro.reached || mro.unresolved {
        return false;
    }
    let getters: Vec<(crate::project::FileId, crate::ast::FuncId)> = s
        .fields
        .iter()
        .filter_map(|f| match &f.read {
            FieldRead::Method { file, func } => Some((*file, *func)),
            _ => None,
        })
        .collect();
    for q in &mro.classes {
        let Some((f, _, ci)) = classes.class(q) else {
            continue;
        };
        for (i, func) in f.ast.functions.iter().enumerate() {
            if func.class != Some(ci) || func.parent.is_some() {
                continue;
            }
            let id = crate::ast::FuncId::try_from(i).unwrap_or(crate::ast::FuncId::MAX);
            if &*func.name != "create" && !getters.contains(&(f.id, id)) {
                return false;
            }
        }
    }
    true
}
