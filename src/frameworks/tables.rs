//! django-tables2 tables: the per-row code of a `Table`'s columns, run over one row of the
//! view that renders the table (`SingleTableView`, or `SingleTableMixin` with a `ListView`,
//! and `table_class = ...`).
//!
//! What django-tables2 does for every row of a page (django_tables2/rows.py,
//! `BoundRow._get_and_render_with`): each column's accessor (`accessor="author__name"`, by
//! default the column's name) is resolved on the record bit by bit, with `.` or `__` as the
//! separator, calling callables that are not marked `do_not_call_in_templates` (a related
//! manager is not called, its `count` is); then the table's `render_<column>()` method, when
//! it has one, is called with the arguments it names (`value`, `record`...), else the value
//! is rendered as text (`str()` of a related object), and a `ManyToManyColumn` renders
//! `str()` of every object of `value.all()`.
//!
//! Columns come from `Meta.model` (every concrete field, or the names of `Meta.fields`),
//! then from the columns declared in the class bodies (bases first), minus `Meta.exclude`.
//! A table whose classes define `__init__` may change its data (a project base that
//! prefetches what its columns read): nothing is claimed for it. Columns djperf cannot
//! follow (`TemplateColumn`, a project's own column class) are left out.

use crate::ast::{ExprId, ExprKind};
use crate::flow::{Analyzer, EvalHow, Event, Value};
use crate::frameworks::meta::{names, Meta};
use crate::index::{FieldKind, Index};
use crate::project::File;
use crate::semantic::classes::Hierarchy;
use crate::source::Loc;

/// Columns followed per table at most.
const MAX_COLUMNS: usize = 64;

/// How a column turns its value into the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Render {
    /// `str(value)` (`Column`, `LinkColumn`, the columns generated for model fields...).
    Text,
    /// `", ".join(str(x) for x in value.all())`.
    ManyToMany,
}

#[derive(Debug, Clone)]
struct Col {
    name: String,
    /// The accessor's bits.
    accessor: Vec<String>,
    render: Render,
    /// Where the column is declared (or named in `Meta.fields`).
    at: Loc,
}

/// Whether `qual` is one of django-tables2's own classes.
pub(crate) fn is_tables2(qual: &str) -> bool {
    qual.starts_with("django_tables2.")
}

/// Run the columns of table class `table` (qualified name) over `row`, one row of the
/// table's data, recording what each column reads into `an`'s events (located at the
/// columns, in the table's file). Returns false when the table cannot be followed.
pub(crate) fn run_table<'a>(
    an: &mut Analyzer<'a>,
    classes: &Hierarchy<'a>,
    ix: &Index,
    table: &str,
    row: &Value,
) -> Vec<Event> {
    let mut out = Vec::new();
    let mro = classes.mro(table, &|q| is_tables2(q));
    if !mro.reached || mro.unresolved || mro.classes.is_empty() {
        return out;
    }
    // A project `__init__` may rebuild the data (prefetch what the columns read).
    if classes.lookup_method(&mro.classes, "__init__").is_some() {
        return out;
    }
    let Some(cols) = columns(classes, ix, &mro.classes) else {
        return out;
    };
    for col in cols.iter().take(MAX_COLUMNS) {
        an.forget_seen();
        let start = an.events.len();
        run_column(an, classes, &mro.classes, row, col);
        out.extend(an.events.drain(start..));
    }
    out
}

/// The table's columns in django-tables2's order, `None` when some part of the definition
/// cannot be read.
fn columns(classes: &Hierarchy<'_>, ix: &Index, mro: &[String]) -> Option<Vec<Col>> {
    let mut cols: Vec<Col> = Vec::new();
    let meta = Meta::of(classes, ix, mro);
    let model = meta
        .attr("model")
        .and_then(|(f, e)| Some((f, e, f.ast.dotted(e)?)))
        .map(|(f, e, d)| {
            (
                f,
                e,
                ix.model_by_qual(&ix.resolve_alias(&f.scope.qualify(&d))),
            )
        });
    if let Some((mf, me, model)) = model {
        // `model = X` that djperf does not know: the generated columns are not known.
        let model = model?;
        match meta.attr("fields") {
            Some((ff, fe)) => {
                for (name, at) in names(classes, ix, ff, fe)? {
                    let accessor = bits(&name);
                    let m2m = accessor.len() == 1
                        && ix
                            .model(model)
                            .fields
                            .iter()
                            .any(|f| f.name == name && f.kind == FieldKind::ManyToMany);
                    cols.push(Col {
                        name,
                        accessor,
                        render: if m2m {
                            Render::ManyToMany
                        } else {
                            Render::Text
                        },
                        at,
                    });
                }
            }
            None => {
                let at = Loc::new(mf.id, mf.ast.span(me));
                for f in &ix.model(model).fields {
                    if matches!(
                        f.kind,
                        FieldKind::ManyToMany
                            | FieldKind::GenericForeignKey
                            | FieldKind::GenericRelation
                    ) {
                        continue;
                    }
                    cols.push(Col {
                        name: f.name.clone(),
                        accessor: vec![f.name.clone()],
                        render: Render::Text,
                        at,
                    });
                }
            }
        }
    }
    // Declared columns, bases first; a declared column replaces a generated one, and a
    // class attribute that is not a column (`name = None`) removes an inherited one.
    for q in mro.iter().rev() {
        let (f, c, _) = classes.class(q)?;
        for st in &c.body {
            let Some((n, v)) = st.name_assign() else {
                continue;
            };
            let name = n.to_string();
            let declared = column_call(ix, f, *v, &name);
            cols.retain(|c| c.name != name);
            match declared {
                Declared::Column(col) => cols.push(col),
                // A column djperf does not follow, or not a column at all.
                Declared::Unfollowed | Declared::NotAColumn => {}
            }
        }
    }
    if let Some((xf, xe)) = meta.attr("exclude") {
        let ex = names(classes, ix, xf, xe)?;
        cols.retain(|c| !ex.iter().any(|(n, _)| *n == c.name));
    }
    Some(cols)
}

enum Declared {
    Column(Col),
    Unfollowed,
    NotAColumn,
}

/// The column a class attribute declares (`author = tables.Column(accessor="author__name")`).
fn column_call(ix: &Index, f: &File, v: ExprId, name: &str) -> Declared {
    let m = &f.ast;
    let ExprKind::Call { func, kwargs, .. } = m.kind(v) else {
        return Declared::NotAColumn;
    };
    let Some(d) = m.dotted(*func) else {
        return Declared::NotAColumn;
    };
    let q = ix.resolve_alias(&f.scope.qualify(&d));
    let short = q.rsplit('.').next().unwrap_or("");
    if !short.ends_with("Column") {
        return Declared::NotAColumn;
    }
    if !is_tables2(&q) {
        // a project's column class may render anything
        return Declared::Unfollowed;
    }
    let render = match short {
        "ManyToManyColumn" => Render::ManyToMany,
        "Column" | "LinkColumn" | "RelatedLinkColumn" | "BooleanColumn" | "DateColumn"
        | "DateTimeColumn" | "TimeColumn" | "EmailColumn" | "URLColumn" | "CheckBoxColumn"
        | "JSONColumn" | "FileColumn" => Render::Text,
        // TemplateColumn renders a template with the record: not followed.
        _ => return Declared::Unfollowed,
    };
    let mut accessor = bits(name);
    for k in kwargs.iter() {
        match k.name.as_deref() {
            Some("accessor") => match accessor_value(f, k.value) {
                Some(a) => accessor = bits(&a),
                None => return Declared::Unfollowed,
            },
            // callables and per-item transforms run code djperf does not follow
            Some("transform" | "filter" | "linkify" | "linkify_item") => {
                return Declared::Unfollowed
            }
            None => return Declared::Unfollowed,
            _ => {}
        }
    }
    Declared::Column(Col {
        name: name.to_owned(),
        accessor,
        render,
        at: Loc::new(f.id, m.span(v)),
    })
}

/// `"a__b"`, `A("a__b")`, `Accessor("a.b")`.
fn accessor_value(f: &File, e: ExprId) -> Option<String> {
    let m = &f.ast;
    if let Some(s) = m.str_value(e) {
        return Some(s.to_owned());
    }
    let ExprKind::Call { func, args, kwargs } = m.kind(e) else {
        return None;
    };
    let d = m.dotted(*func)?;
    let short = d.rsplit('.').next().unwrap_or("");
    if !matches!(short, "A" | "Accessor") || !kwargs.is_empty() {
        return None;
    }
    match &args[..] {
        [a] => m.str_value(*a).map(str::to_owned),
        _ => None,
    }
}

/// An accessor's bits: django-tables2 splits on `.` when the accessor has one, else on `__`.
fn bits(a: &str) -> Vec<String> {
    let sep = if a.contains('.') { "." } else { "__" };
    a.split(sep)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// One cell: the accessor resolved on `row`, then `render_<name>()` or the column's own
/// rendering.
fn run_column<'a>(
    an: &mut Analyzer<'a>,
    classes: &Hierarchy<'a>,
    mro: &[String],
    row: &Value,
    col: &Col,
) {
    let at = col.at;
    let mut value = row.clone();
    for b in &col.accessor {
        if matches!(value, Value::Unknown) {
            break;
        }
        value = an.lookup(&value, b, at);
    }
    if let Some((rf, fid)) = classes.lookup_method(mro, &format!("render_{}", col.name)) {
        let Some(func) = rf.ast.functions.get(fid as usize) else {
            return;
        };
        let binds: Vec<(usize, Value)> = func
            .params
            .iter()
            .enumerate()
            .filter_map(|(i, p)| match &*p.name {
                "record" => Some((i, row.clone())),
                "value" => Some((i, value.clone())),
                _ => None,
            })
            .collect();
        for r in an.call_bound(rf, fid, &binds) {
            if let Value::QuerySet(q) = &r {
                let at = q.span;
                an.evaluate(&r, at, EvalHow::Iterate);
            }
        }
        return;
    }
    match col.render {
        Render::Text => an.format(&value, at),
        Render::ManyToMany => {
            if let Value::QuerySet(_) = &value {
                let all = an.lookup(&value, "all", at);
                if let Value::QuerySet(_) = &all {
                    let item = an.enter_loop(&all, at);
                    an.format(&item, at);
                    an.exit_loop();
                }
            }
        }
    }
}
