//! Class-based views that render a template: the static facts of their class bodies.
//!
//! `ListView`, `DetailView` and `TemplateView` subclasses (directly, or through a class of
//! the same module that is one): `model`, `queryset`, `template_name`,
//! `context_object_name`, and the methods that build their context.

use crate::ast::{ClassId, ExprId, ExprKind, StmtKind, Target};
use crate::index::imports::last_segment;
use crate::project::File;

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
    /// Indices into the module's functions.
    pub get_queryset: Option<usize>,
    pub get_context_data: Option<usize>,
}

fn generic_kind(name: &str) -> Option<GenericKind> {
    match last_segment(name) {
        "ListView" => Some(GenericKind::List),
        "DetailView" => Some(GenericKind::Detail),
        "TemplateView" => Some(GenericKind::Template),
        _ => None,
    }
}

/// The generic class-based views defined at the top level of a file.
pub fn class_views(file: &File) -> Vec<ClassView> {
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
                    get_queryset: None,
                    get_context_data: None,
                });
                break;
            }
        }
        let Some(mut v) = view else { continue };
        for st in &c.body {
            let StmtKind::Assign {
                targets,
                value: Some(val),
            } = &st.kind
            else {
                continue;
            };
            let [Target::Name(n, _)] = targets.as_slice() else {
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
                _ => {}
            }
        }
        for (fi, f) in m.functions.iter().enumerate() {
            if f.class != Some(ci) {
                continue;
            }
            match &*f.name {
                "get_queryset" => v.get_queryset = Some(fi),
                "get_context_data" => v.get_context_data = Some(fi),
                _ => {}
            }
        }
        out.push(v);
    }
    out
}
