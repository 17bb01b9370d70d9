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

/// Methods a view may define without reading its rows beyond the serializer.
/// `get_queryset()` builds them and `get_serializer_class()` is resolved (every return must
/// name a known serializer); `perform_create()` saves a new object.
const VIEW_METHODS: &[&str] = &["get_queryset", "get_serializer_class", "perform_create"];

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
            if !VIEW_METHODS.contains(&&*func.name) {
                return false;
            }
            if &*func.name == "get_serializer_class" {
                let mut rets = Vec::new();
                super::views::collect_returns(&func.body, &mut rets);
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
