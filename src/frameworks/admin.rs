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
use crate::flow::{Analyzer, Qs, QsSource, Summaries, Value};
use crate::frameworks::drf::{eval_qs, str_list, Classes};
use crate::frameworks::{Observation, Origin};
use crate::index::effects::LoadSet;
use crate::index::{Index, ModelId};
use crate::project::{File, FileId};
use crate::source::{Loc, Span};

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

/// A `list_display` column (or the action checkbox's `str(obj)`).
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub file: FileId,
    pub span: Span,
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
    /// Every single-valued relation path the columns read, loaded or not.
    pub reads: Vec<String>,
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

/// How a `list_display` entry gets its value for a row.
enum Entry {
    /// A callable (not a string): not followed.
    Callable,
    /// A method of the admin: `def column(self, obj)`.
    AdminMethod(FileId, crate::ast::FuncId),
    /// `"__str__"`.
    Str,
    /// A field path (`"author__name"`) or a model method or property.
    Model,
}

/// Every registered admin with a `list_display`, and what its columns observe when walked
/// over the changelist's rows.
pub(crate) fn build(
    classes: &Classes<'_>,
    ix: &Index,
    sums: &Summaries,
) -> (Vec<Admin>, Vec<Observation>) {
    let mut out = Vec::new();
    let mut observations = Vec::new();
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
        let Some((af, cdef, class)) = classes.class(&q) else {
            continue;
        };
        // Columns and how each gets its value.
        let mut columns = Vec::new();
        let mut has_fk_field = false;
        for (name, span, callable) in entries {
            let how = if callable {
                Entry::Callable
            } else if let Some((mf, fid)) = classes.lookup_method(&mro, &name) {
                Entry::AdminMethod(mf.id, fid)
            } else if name == "__str__" {
                Entry::Str
            } else {
                let parts: Vec<&str> = name.split("__").collect();
                let (segs, all_rel) = crate::frameworks::drf::resolve_path(ix, model, &parts);
                if parts.len() == 1 && all_rel && segs.first().is_some_and(|s| s.forward) {
                    has_fk_field = true;
                }
                Entry::Model
            };
            columns.push((
                Column {
                    name,
                    file: lf.id,
                    span,
                },
                how,
            ));
        }
        // With actions enabled (unless `actions = None`), Django 5 prepends the action checkbox
        // column, whose aria-label renders `str(obj)` for every row.
        let actions_off = classes.lookup_attr(&mro, "actions").is_some_and(|(f, e)| {
            matches!(f.ast.kind(e), ExprKind::Const(crate::ast::Const::None))
        });
        // What the changelist loads.
        let base = ix
            .manager(model, "objects")
            .map(|(e, _)| e.loads)
            .unwrap_or_default();
        let own_gq = classes.method(&q, "get_queryset").is_some();
        let mut own_get_queryset = None;
        let (mut loads, overrides) = match classes.lookup_method(&mro, "get_queryset") {
            Some((gf, fid)) => {
                let inherited = Qs::rows_of(model, base.clone(), Loc::new(gf.id, Span::default()));
                match eval_qs(ix, gf, QsSource::Method(fid), Some(inherited)) {
                    Some(l) if l.model == model => {
                        if own_gq && l.span.file == af.id {
                            own_get_queryset = Some(if l.fix_at.is_empty() {
                                vec![l.span.span]
                            } else {
                                l.fix_at.iter().map(|x| x.span).collect()
                            });
                        }
                        (l.loads, true)
                    }
                    _ => continue,
                }
            }
            None => (base, false),
        };
        let has_select =
            loads.select_all || loads.opaque || loads.nodes.values().any(|n| !n.prefetched);
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
        // Walk every column over one changelist row; once more over a row that loads
        // nothing, for every single-valued path the columns read (a complete
        // `list_select_related` names them all).
        let ai = out.len();
        let root = Loc::new(af.id, cdef.name_span);
        let mut reads: Vec<String> = Vec::new();
        {
            let mut an = Analyzer::new(ix, af, sums);
            let rows = Value::QuerySet(Qs::rows_of(model, LoadSet::default(), root));
            let row = an.enter_loop(&rows, root);
            for (col, how) in &columns {
                an.forget_seen();
                column(&mut an, classes, ix, &row, col, how);
            }
            if !actions_off {
                an.forget_seen();
                an.format(&row, Loc::new(lf.id, lf.ast.span(le)));
            }
            for e in &an.events {
                if let crate::flow::Event::FkAccess {
                    path,
                    many: false,
                    generic: false,
                    ..
                } = e
                {
                    let p = path.join("__");
                    if !reads.contains(&p) {
                        reads.push(p);
                    }
                }
            }
        }
        let mut an = Analyzer::new(ix, af, sums);
        let rows = Value::QuerySet(Qs::rows_of(model, loads.clone(), root));
        let row = an.enter_loop(&rows, root);
        let mut cols = Vec::new();
        for (col, how) in columns {
            an.forget_seen();
            column(&mut an, classes, ix, &row, &col, &how);
            let ci = cols.len();
            observations.extend(an.events.drain(..).map(|event| Observation {
                origin: Origin::AdminColumn {
                    admin: ai,
                    column: ci,
                },
                event,
            }));
            cols.push(col);
        }
        if !actions_off {
            an.forget_seen();
            let col = Column {
                name: "action_checkbox".to_owned(),
                file: lf.id,
                span: lf.ast.span(le),
            };
            an.format(&row, Loc::new(col.file, col.span));
            if !an.events.is_empty() {
                let ci = cols.len();
                observations.extend(an.events.drain(..).map(|event| Observation {
                    origin: Origin::AdminColumn {
                        admin: ai,
                        column: ci,
                    },
                    event,
                }));
                cols.push(col);
            }
        }
        out.push(Admin {
            qual: q.clone(),
            file: af.id,
            model,
            loads,
            select_related,
            overrides_get_queryset: overrides,
            columns: cols,
            class,
            own_list_select_related: classes.attr(&q, "list_select_related").map(|(_, e)| e),
            own_get_queryset,
            reads,
        });
    }
    (out, observations)
}

/// Run one column's code for `row`: what Django's changelist does to render the cell.
fn column<'a>(
    an: &mut Analyzer<'a>,
    classes: &Classes<'a>,
    ix: &Index,
    row: &Value,
    col: &Column,
    how: &Entry,
) {
    let at = Loc::new(col.file, col.span);
    match how {
        Entry::Callable => {}
        Entry::AdminMethod(mf, fid) => {
            if let Some(f) = classes.file(*mf) {
                for r in an.call_bound(f, *fid, &[(1, row.clone())]) {
                    // the cell renders the returned value: a queryset's rows are fetched
                    if let Value::QuerySet(q) = &r {
                        let at = q.span;
                        an.evaluate(&r, at, crate::flow::EvalHow::Iterate);
                    }
                }
            }
        }
        Entry::Str => an.format(row, at),
        Entry::Model => model_entry(an, ix, row, &col.name, at),
    }
}

/// A `list_display` string naming a model field path (`"author__name"`: the relations are
/// read, and a path ending on a relation shows `str()` of the related object) or a model
/// method or property.
fn model_entry(an: &mut Analyzer<'_>, ix: &Index, row: &Value, name: &str, at: Loc) {
    let parts: Vec<&str> = name.split("__").collect();
    let Value::Instance(inst) = row else { return };
    let (segs, all_rel) = crate::frameworks::drf::resolve_path(ix, inst.model, &parts);
    if segs.is_empty() {
        if parts.len() == 1 {
            an.call_member(row, name, at);
        }
        return;
    }
    // a path through a many-valued relation is not a column Django can show
    if segs.iter().any(|s| s.many) {
        return;
    }
    let mut cur = row.clone();
    for s in &segs {
        cur = an.lookup(&cur, &s.name, at);
    }
    if all_rel {
        // the column shows `str(related)`
        an.format(&cur, at);
    }
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
