//! Admin facts: registered `ModelAdmin`s, what each `list_display` column reads per row, and
//! what the changelist queryset loads by itself.
//!
//! Django's `ChangeList.get_queryset()` (django/contrib/admin/views/main.py) calls
//! `apply_select_related(qs)` only when the admin's queryset has no `select_related` yet:
//! - `list_select_related = True`: `qs.select_related()` (every non-null FK, recursively);
//! - `False` (the default): `qs.select_related()` too, if some `list_display` entry names a
//!   forward FK/one-to-one field (not its `_id` column), else nothing;
//! - a list/tuple: `qs.select_related(*list_select_related)`.
//!
//! A FK column shows `str(related)`: the related model's `__str__` may read further relations.

use crate::ast::{ExprId, ExprKind, StmtKind};
use crate::flow::QsSource;
use crate::flow::Summaries;
use crate::frameworks::drf::{method_body, str_list, Classes, ListQs, MethodQuery, Read, Seg};
use crate::index::effects::LoadSet;
use crate::index::{Index, ModelId};
use crate::project::{File, FileId};
use crate::source::Span;

/// How the changelist's `select_related` is decided (for the help text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectRelated {
    /// `get_queryset()` already calls `select_related`: the changelist adds nothing.
    GetQueryset,
    /// `list_select_related = True` or the automatic `select_related()`.
    All,
    /// `list_select_related = (...)`.
    Paths(Vec<String>),
    None,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub file: FileId,
    pub span: Span,
    pub reads: Vec<Read>,
    pub queries: Vec<MethodQuery>,
}

#[derive(Debug, Clone)]
pub struct Admin {
    pub qual: String,
    pub file: FileId,
    pub model: ModelId,
    /// What every changelist row has loaded.
    pub loads: LoadSet,
    pub select_related: SelectRelated,
    pub overrides_get_queryset: bool,
    pub columns: Vec<Column>,
    /// Where fixes go: the admin class in `file` (an index into its classes).
    pub class: u32,
    /// `list_select_related` assigned in the admin class itself.
    pub own_list_select_related: Option<ExprId>,
    /// `get_queryset()` defined in the admin class itself: the queryset expressions it
    /// returns (one per branch that builds it).
    pub own_get_queryset: Option<Vec<Span>>,
}

fn is_register(q: &str) -> bool {
    q == "django.contrib.admin.register"
        || q == "django.contrib.admin.decorators.register"
        || q.ends_with("site.register")
        || q.ends_with(".register")
}

/// `(admin class qual, model)` pairs from `@admin.register(...)` and `admin.site.register(...)`.
fn registrations(classes: &Classes<'_>, ix: &Index) -> Vec<(String, ModelId)> {
    let mut out = Vec::new();
    let files = classes.files();
    let models_of = |f: &File, e: ExprId| -> Vec<ModelId> {
        let one = |x: ExprId| {
            f.ast
                .dotted(x)
                .and_then(|d| ix.model_by_qual(&f.scope.qualify(&d)))
        };
        match f.ast.kind(e) {
            ExprKind::Seq { elts, .. } => elts.iter().filter_map(|x| one(*x)).collect(),
            _ => one(e).into_iter().collect(),
        }
    };
    for f in files {
        let m = &f.ast;
        for c in &m.classes {
            if c.outer.is_some() {
                continue;
            }
            for d in &c.decorators {
                if let ExprKind::Call { func, args, .. } = m.kind(*d) {
                    let Some(fd) = m.dotted(*func) else { continue };
                    if !is_register(&f.scope.qualify(&fd)) {
                        continue;
                    }
                    for a in args.iter() {
                        for model in models_of(f, *a) {
                            out.push((format!("{}.{}", f.scope.module, c.name), model));
                        }
                    }
                }
            }
        }
        for st in &m.body {
            let StmtKind::Expr(e) = &st.kind else {
                continue;
            };
            let ExprKind::Call { func, args, kwargs } = m.kind(*e) else {
                continue;
            };
            let Some(fd) = m.dotted(*func) else { continue };
            if !fd.ends_with("register") || !is_register(&f.scope.qualify(&fd)) {
                continue;
            }
            let admin_e = args
                .get(1)
                .copied()
                .or_else(|| m.kwarg(kwargs, "admin_class").map(|k| k.value));
            let (Some(first), Some(admin_e)) = (args.first(), admin_e) else {
                continue;
            };
            let Some(ad) = m.dotted(admin_e) else {
                continue;
            };
            let admin_q = ix.resolve_alias(&f.scope.qualify(&ad));
            for model in models_of(f, *first) {
                out.push((admin_q.clone(), model));
            }
        }
    }
    out
}

pub(crate) fn build(classes: &Classes<'_>, ix: &Index, sums: &Summaries) -> Vec<Admin> {
    let mut out = Vec::new();
    for (q, model) in registrations(classes, ix) {
        let crate::semantic::classes::Mro {
            classes: mro,
            reached,
            ..
        } = classes.mro(&q, &|x| crate::django::ADMIN_ROOTS.contains(&x));
        if !reached || mro.is_empty() {
            continue;
        }
        let Some((lf, le)) = classes.lookup_attr(&mro, "list_display") else {
            continue;
        };
        let Some(entries) = entry_list(lf, le) else {
            continue;
        };
        let Some((af, _, class)) = classes.class(&q) else {
            continue;
        };
        // Columns and what they read.
        let mut columns = Vec::new();
        let mut has_fk_field = false;
        for (name, span, callable) in entries {
            let mut col = Column {
                name: name.clone(),
                file: lf.id,
                span,
                reads: Vec::new(),
                queries: Vec::new(),
            };
            if callable {
                columns.push(col);
                continue;
            }
            if let Some((mf, fid)) = classes.lookup_method(&mro, &name) {
                method_body(
                    ix,
                    sums,
                    mf,
                    fid,
                    1,
                    model,
                    &name,
                    &mut col.reads,
                    &mut col.queries,
                );
            } else if name == "__str__" {
                str_reads(classes, ix, sums, model, Vec::new(), &mut col);
            } else {
                let parts: Vec<&str> = name.split("__").collect();
                let (segs, all_rel) = crate::frameworks::drf::resolve_path(ix, model, &parts);
                if parts.len() == 1 && all_rel && segs.first().is_some_and(|s| s.forward) {
                    has_fk_field = true;
                }
                if !segs.is_empty() && !segs.iter().any(|s| s.many) {
                    col.reads.push(Read {
                        path: segs.clone(),
                        file: lf.id,
                        span,
                        field: name.clone(),
                    });
                    if all_rel {
                        // The column shows `str(related)`.
                        if let Some(t) = crate::frameworks::drf::path_target(ix, model, &segs) {
                            str_reads(classes, ix, sums, t, segs, &mut col);
                        }
                    }
                } else if segs.is_empty() {
                    if let Some(mq) = model_class_qual(ix, model) {
                        if let Some((mf, fid)) = model_method(classes, &mq, &name) {
                            method_body(
                                ix,
                                sums,
                                mf,
                                fid,
                                0,
                                model,
                                &name,
                                &mut col.reads,
                                &mut col.queries,
                            );
                        }
                    }
                }
            }
            columns.push(col);
        }
        // With actions enabled (unless `actions = None`), Django 5 prepends the action checkbox
        // column, whose aria-label renders `str(obj)` for every row.
        let actions_off = classes.lookup_attr(&mro, "actions").is_some_and(|(f, e)| {
            matches!(f.ast.kind(e), ExprKind::Const(crate::ast::Const::None))
        });
        if !actions_off {
            let mut col = Column {
                name: "action_checkbox".to_owned(),
                file: lf.id,
                span: lf.ast.span(le),
                reads: Vec::new(),
                queries: Vec::new(),
            };
            str_reads(classes, ix, sums, model, Vec::new(), &mut col);
            if !col.reads.is_empty() {
                columns.push(col);
            }
        }
        // What the changelist loads.
        let base = ix
            .manager(model, "objects")
            .map(|(e, _)| e.loads)
            .unwrap_or_default();
        let own_gq = classes.method(&q, "get_queryset").is_some();
        let mut own_get_queryset = None;
        let (mut loads, overrides) = match classes.lookup_method(&mro, "get_queryset") {
            Some((gf, fid)) => {
                let inherited = ListQs {
                    model,
                    loads: base.clone(),
                    file: gf.id,
                    span: Span::default(),
                    fix_at: Vec::new(),
                };
                match crate::frameworks::drf::eval_qs(
                    ix,
                    gf,
                    QsSource::Method(fid),
                    Some(inherited),
                ) {
                    Some(l) if l.model == model => {
                        if own_gq && l.file == af.id {
                            own_get_queryset = Some(if l.fix_at.is_empty() {
                                vec![l.span]
                            } else {
                                l.fix_at.clone()
                            });
                        }
                        (l.loads, true)
                    }
                    _ => continue,
                }
            }
            None => (base, false),
        };
        let has_select = loads.select_all || loads.nodes.values().any(|n| !n.prefetched);
        let lsr = classes.lookup_attr(&mro, "list_select_related");
        let select_related = if has_select {
            SelectRelated::GetQueryset
        } else {
            match lsr {
                Some((sf, se)) => match sf.ast.kind(se) {
                    ExprKind::Const(crate::ast::Const::True) => SelectRelated::All,
                    ExprKind::Const(crate::ast::Const::False) if has_fk_field => SelectRelated::All,
                    ExprKind::Const(crate::ast::Const::False) => SelectRelated::None,
                    _ => match str_list(&sf.ast, se) {
                        Some(l) if l.is_empty() && has_fk_field => SelectRelated::All,
                        Some(l) => SelectRelated::Paths(l.into_iter().map(|(s, _)| s).collect()),
                        None => continue,
                    },
                },
                None if has_fk_field => SelectRelated::All,
                None => SelectRelated::None,
            }
        };
        match &select_related {
            SelectRelated::All => loads.select_all = true,
            SelectRelated::Paths(ps) => {
                for p in ps {
                    loads.add_path(p, false);
                }
            }
            SelectRelated::GetQueryset | SelectRelated::None => {}
        }
        out.push(Admin {
            qual: q.clone(),
            file: af.id,
            model,
            loads,
            select_related,
            overrides_get_queryset: overrides,
            columns,
            class,
            own_list_select_related: classes.attr(&q, "list_select_related").map(|(_, e)| e),
            own_get_queryset,
        });
    }
    out
}

/// `list_display` entries: strings (with spans) and callables (`False` for strings).
fn entry_list(f: &File, e: ExprId) -> Option<Vec<(String, Span, bool)>> {
    let m = &f.ast;
    let ExprKind::Seq { elts, .. } = m.kind(e) else {
        return None;
    };
    Some(
        elts.iter()
            .map(|x| match m.str_value(*x) {
                Some(s) => (s.to_owned(), m.span(*x), false),
                None => (m.dotted(*x).unwrap_or_default(), m.span(*x), true),
            })
            .collect(),
    )
}

fn model_class_qual(ix: &Index, model: ModelId) -> Option<String> {
    let m = ix.model(model);
    (!m.builtin).then(|| m.qual.clone())
}

fn model_method<'a>(
    classes: &Classes<'a>,
    qual: &str,
    name: &str,
) -> Option<(&'a File, crate::ast::FuncId)> {
    let mro = classes.mro(qual, &|q| q.starts_with("django.")).classes;
    classes.lookup_method(&mro, name)
}

/// What `str(obj)` reads for a `model` object reached by `prefix`.
fn str_reads(
    classes: &Classes<'_>,
    ix: &Index,
    sums: &Summaries,
    model: ModelId,
    prefix: Vec<Seg>,
    col: &mut Column,
) {
    let Some(mq) = model_class_qual(ix, model) else {
        return;
    };
    let Some((mf, fid)) = model_method(classes, &mq, "__str__") else {
        return;
    };
    let mut reads = Vec::new();
    let mut queries = Vec::new();
    method_body(
        ix,
        sums,
        mf,
        fid,
        0,
        model,
        "__str__",
        &mut reads,
        &mut queries,
    );
    for r in reads {
        let mut p = prefix.clone();
        p.extend(r.path);
        col.reads.push(Read {
            path: p,
            file: col.file,
            span: col.span,
            field: col.name.clone(),
        });
    }
}
