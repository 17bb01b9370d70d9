//! Class-based views that render a template: the static facts of their class bodies.
//!
//! `ListView`, `DetailView` and `TemplateView` subclasses (directly, or through a class of
//! the same module that is one): `model`, `queryset`, `template_name`,
//! `context_object_name`; [`method_source`] tells where a view's `get_queryset()` and
//! `get_context_data()` come from.

use crate::ast::{ClassId, ExprId, ExprKind};
use crate::project::{File, FileId};
use crate::semantic::classes::Hierarchy;
use crate::semantic::imports::last_segment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenericKind {
    List,
    Detail,
    Template,
}

#[derive(Debug, Clone)]
pub struct ClassView {
    pub class: ClassId,
    pub kind: GenericKind,
    pub template_name: Option<String>,
    /// The `model = X` value.
    pub model: Option<ExprId>,
    /// The `queryset = ...` value.
    pub queryset: Option<ExprId>,
    pub context_object_name: Option<String>,
    /// The `table_class = X` value (django-tables2's `SingleTableMixin`).
    pub table_class: Option<ExprId>,
    /// A project base in another file assigns `queryset` or `model`: the view's queryset
    /// is not known from this file.
    pub foreign_queryset: bool,
    /// Django's default `<app>/<model>_list.html` name does not apply (a `BaseListView`
    /// rendered through a plain `TemplateResponseMixin`).
    pub no_default_template: bool,
}

fn generic_kind(name: &str) -> Option<GenericKind> {
    match last_segment(name) {
        // django-tables2's `SingleTableView` is a `ListView`
        "ListView" | "SingleTableView" => Some(GenericKind::List),
        "DetailView" => Some(GenericKind::Detail),
        "TemplateView" => Some(GenericKind::Template),
        _ => None,
    }
}

/// The generic kind a project class gets through project bases in any file, by the class
/// table's MRO: `None` when some ancestor cannot be read.
fn inherited_view(h: &Hierarchy<'_>, file: &File, ci: ClassId) -> Option<ClassView> {
    let qual = h.table.qual_of(file.id, ci)?;
    let found = std::cell::Cell::new(None);
    let base_list = std::cell::Cell::new(false);
    let mro = h.mro(qual, &|q: &str| {
        if let Some(k) = generic_kind(q) {
            if found.get().is_none() {
                found.set(Some(k));
            }
            return true;
        }
        if q == "django.views.generic.list.BaseListView" {
            base_list.set(true);
            return true;
        }
        q.starts_with("django.")
    });
    if mro.unresolved {
        return None;
    }
    let (kind, no_default_template) = match found.get() {
        Some(k) => (k, false),
        None if base_list.get() => (GenericKind::List, true),
        None => return None,
    };
    let string_attr = |name: &str| {
        h.lookup_attr(&mro.classes, name)
            .and_then(|(f, e)| f.ast.str_value(e).map(str::to_owned))
    };
    // an attribute of this file's class itself is read below; a base's only when local
    let local = |name: &str| {
        h.lookup_attr(&mro.classes, name)
            .filter(|(f, _)| f.id == file.id)
            .map(|(_, e)| e)
    };
    let foreign = |name: &str| {
        h.lookup_attr(&mro.classes, name)
            .is_some_and(|(f, _)| f.id != file.id)
    };
    Some(ClassView {
        class: ci,
        kind,
        template_name: string_attr("template_name"),
        model: local("model"),
        queryset: local("queryset"),
        context_object_name: string_attr("context_object_name"),
        table_class: None,
        foreign_queryset: foreign("queryset") || foreign("model"),
        no_default_template,
    })
}

/// The generic class-based views defined at the top level of a file.
pub fn class_views(file: &File, h: &Hierarchy<'_>) -> Vec<ClassView> {
    let m = &file.ast;
    let mut out: Vec<ClassView> = Vec::new();
    for (ci, c) in m.classes.iter().enumerate() {
        if c.outer.is_some() {
            continue;
        }
        let ci = ClassId::try_from(ci).unwrap_or(ClassId::MAX);
        let mut view: Option<ClassView> = None;
        for b in &c.bases {
            let Some(d) = m.dotted(*b) else { continue };
            // a view class earlier in this module: inherit its facts
            if let Some(parent) = out
                .iter()
                .find(|v| !d.contains('.') && *m.classes[v.class as usize].name == *d)
            {
                view = Some(ClassView {
                    class: ci,
                    ..parent.clone()
                });
                break;
            }
            if let Some(kind) = generic_kind(&file.scope.qualify(&d)) {
                view = Some(ClassView {
                    class: ci,
                    kind,
                    template_name: None,
                    model: None,
                    queryset: None,
                    context_object_name: None,
                    table_class: None,
                    foreign_queryset: false,
                    no_default_template: false,
                });
                break;
            }
        }
        if view.is_none() {
            view = inherited_view(h, file, ci);
        }
        let Some(mut v) = view else { continue };
        for st in &c.body {
            let Some((n, val)) = st.name_assign() else {
                continue;
            };
            match &**n {
                "template_name" => v.template_name = m.str_value(*val).map(str::to_owned),
                "context_object_name" => {
                    v.context_object_name = m.str_value(*val).map(str::to_owned);
                }
                "model" if matches!(m.kind(*val), ExprKind::Name(_) | ExprKind::Attr { .. }) => {
                    v.model = Some(*val);
                }
                "queryset" => v.queryset = Some(*val),
                "table_class" => v.table_class = Some(*val),
                _ => {}
            }
        }
        out.push(v);
    }
    out
}

/// Where a view class gets a method from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodSource {
    /// Defined by the class or a base in the same file: the function's index.
    Here(usize),
    /// Only Django's own classes are involved: Django's default behaviour.
    Django,
    /// A base that cannot be read (another file's class that defines it, or an unresolved
    /// base): the behaviour is not known.
    Unknown,
}

/// How class `class` of `file` gets method `name`, following its bases through the project's
/// class table.
pub fn method_source(h: &Hierarchy<'_>, file: &File, class: ClassId, name: &str) -> MethodSource {
    fn walk(
        h: &Hierarchy<'_>,
        qual: &str,
        origin: FileId,
        name: &str,
        depth: usize,
    ) -> MethodSource {
        if depth > 8 {
            return MethodSource::Unknown;
        }
        // Django's views, and django-tables2's mixins over them (`get_table_data()` returns
        // the view's `object_list`)
        if qual.starts_with("django.") || crate::frameworks::tables::is_tables2(qual) {
            return MethodSource::Django;
        }
        let Some(info) = h.table.get(qual).filter(|c| !c.builtin) else {
            return MethodSource::Unknown;
        };
        if let Some((f, fi)) = h.method(qual, name) {
            // defined in another file: not evaluated from here
            return if f.id == origin {
                MethodSource::Here(fi as usize)
            } else {
                MethodSource::Unknown
            };
        }
        if info.opaque_base {
            return MethodSource::Unknown;
        }
        for b in &info.bases {
            if b == "object" {
                continue;
            }
            match walk(h, b, origin, name, depth + 1) {
                MethodSource::Django => {}
                found => return found,
            }
        }
        MethodSource::Django
    }
    match h.table.qual_of(file.id, class) {
        Some(q) => walk(h, q, file.id, name, 0),
        None => MethodSource::Unknown,
    }
}

/// Whether the template a view renders is its `template_name` although a project base in
/// another file overrides `get_template_names()`: every override on the way to Django's
/// returns `self.template_name` (also in a list or tuple), `super().get_template_names()`,
/// or on some branch another attribute of the view (`[self.results_template_name]` for
/// AJAX requests: another template, the page's is still rendered on the other branch); and
/// some path reaches `template_name`. Anything else (a name computed from the request, a
/// call) or a base djperf cannot read: `false`.
pub fn template_name_followed(h: &Hierarchy<'_>, file: &File, class: ClassId) -> bool {
    let Some(qual) = h.table.qual_of(file.id, class) else {
        return false;
    };
    let mro = h.mro(qual, &|q: &str| q.starts_with("django."));
    if mro.unresolved || !mro.reached {
        return false;
    }
    let mut from = 0;
    // a bounded walk down the overrides: each `super()` continues after the defining class
    for _ in 0..8 {
        let Some((pos, (f, fi))) = mro.classes[from..]
            .iter()
            .enumerate()
            .find_map(|(i, q)| h.method(q, "get_template_names").map(|m| (from + i, m)))
        else {
            // Django's own: `[self.template_name]`
            return true;
        };
        let Some(func) = f.ast.functions.get(fi as usize) else {
            return false;
        };
        let mut to_super = false;
        let mut to_name = false;
        for r in crate::ast::returned_values(&func.body) {
            match template_return(&f.ast, r) {
                Some(TemplateReturn::Super) => to_super = true,
                Some(TemplateReturn::TemplateName) => to_name = true,
                Some(TemplateReturn::Other) => {}
                None => return false,
            }
        }
        if to_name && !to_super {
            return true;
        }
        if !to_super {
            return false;
        }
        from = pos + 1;
    }
    false
}

/// What a `return` of a `get_template_names()` override hands back.
enum TemplateReturn {
    /// `super().get_template_names()`
    Super,
    /// `self.template_name`, `[self.template_name]`
    TemplateName,
    /// another attribute of the view: `[self.results_template_name]`
    Other,
}

fn template_return(m: &crate::ast::Module, e: ExprId) -> Option<TemplateReturn> {
    if let ExprKind::Call { func, .. } = m.kind(e) {
        return crate::flow::is_super_call(m, *func, "get_template_names")
            .then_some(TemplateReturn::Super);
    }
    let one = match m.kind(e) {
        ExprKind::Seq { elts, .. } if elts.len() == 1 => elts[0],
        _ => e,
    };
    match m.dotted(one)?.strip_prefix("self.")? {
        "template_name" => Some(TemplateReturn::TemplateName),
        a if !a.contains('.') => Some(TemplateReturn::Other),
        _ => None,
    }
}
