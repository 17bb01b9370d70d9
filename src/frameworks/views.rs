//! Class-based views that render a template: the static facts of their class bodies.
//!
//! `ListView`, `DetailView` and `TemplateView` subclasses (directly, or through a class of
//! the same module that is one): `model`, `queryset`, `template_name`,
//! `context_object_name`; [`method_source`] tells where a view's `get_queryset()` and
//! `get_context_data()` come from.

use crate::ast::{ClassId, ExprId, ExprKind, StmtKind, Target};
use crate::project::File;
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

/// How class `class` of `file` gets method `name`, following its bases through the project.
pub fn method_source(files: &[File], file: &File, class: ClassId, name: &str) -> MethodSource {
    fn walk(files: &[File], file: &File, class: ClassId, name: &str, depth: usize) -> MethodSource {
        if depth > 8 {
            return MethodSource::Unknown;
        }
        let m = &file.ast;
        if let Some(fi) = m
            .functions
            .iter()
            .position(|f| f.class == Some(class) && *f.name == *name)
        {
            return MethodSource::Here(fi);
        }
        let Some(c) = m.classes.get(class as usize) else {
            return MethodSource::Unknown;
        };
        for b in &c.bases {
            let Some(d) = m.dotted(*b) else {
                return MethodSource::Unknown;
            };
            if d == "object" {
                continue;
            }
            let local = (!d.contains('.'))
                .then(|| {
                    m.classes
                        .iter()
                        .position(|k| k.outer.is_none() && *k.name == *d)
                })
                .flatten();
            let found = match local {
                Some(ci) => walk(
                    files,
                    file,
                    ClassId::try_from(ci).unwrap_or(0),
                    name,
                    depth + 1,
                ),
                None => {
                    let q = file.scope.qualify(&d);
                    if q.starts_with("django.") {
                        MethodSource::Django
                    } else {
                        let (module, cname) = q.rsplit_once('.').unwrap_or(("", &q));
                        let other = files
                            .iter()
                            .find(|f| !f.template && f.scope.module == module);
                        let ci = other.and_then(|o| {
                            o.ast
                                .classes
                                .iter()
                                .position(|k| k.outer.is_none() && *k.name == *cname)
                        });
                        match (other, ci) {
                            (Some(o), Some(ci)) => {
                                match walk(
                                    files,
                                    o,
                                    ClassId::try_from(ci).unwrap_or(0),
                                    name,
                                    depth + 1,
                                ) {
                                    // defined in another file: not evaluated from here
                                    MethodSource::Here(_) => MethodSource::Unknown,
                                    s => s,
                                }
                            }
                            _ => MethodSource::Unknown,
                        }
                    }
                }
            };
            if found != MethodSource::Django {
                return found;
            }
        }
        MethodSource::Django
    }
    walk(files, file, class, name, 0)
}
