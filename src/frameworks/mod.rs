//! What Django and its libraries do with a project's code: DRF serializers and views, admin
//! changelists, generic class-based views, templates. Each framework finds the places where
//! rows are produced and consumed (row sources) and drives the flow interpreter over the code
//! that runs per row; nothing here evaluates Python by itself.

pub mod admin;
pub mod drf;
pub(crate) mod forms;
pub(crate) mod meta;
pub(crate) mod tables;
pub mod templates;
pub mod views;

use crate::flow::{EvalHow, Event};
use crate::project::{File, FileId};
use crate::source::Loc;

/// The row source whose per-row code produced an observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A DRF view serializing its queryset's rows (`view: None`: a serializer no known view
    /// uses, over rows of unknown origin). `field` is the serialized field (`author.name`
    /// through nested serializers); `object` the relation path from the view's rows to the
    /// object the field's serializer sees.
    Serializer {
        view: Option<usize>,
        serializer: usize,
        field: String,
        object: Vec<String>,
    },
    /// An admin changelist's column (indices into the admins and their columns).
    AdminColumn { admin: usize, column: usize },
}

/// What per-row code observed, and for which row source.
#[derive(Debug, Clone)]
pub struct Observation {
    pub origin: Origin,
    pub event: Event,
}

/// What an observation asks of the rows' queryset, in the terms the framework rules speak.
#[derive(Debug, Clone)]
pub enum Need {
    /// A relation path read on every row (`author__publisher`): a join, or a prefetch when
    /// the path crosses a many-valued or generic relation (`many`).
    Read {
        path: Vec<String>,
        many: bool,
        /// The rows' `select_related()` without arguments skipped it (a nullable relation).
        skipped_by_bare_select: bool,
        /// Where the code reads it (in a helper, when followed into one).
        at: Loc,
    },
    /// A query run for every row.
    Query {
        /// The related manager queried (the path from the rows), `None` for a query of its
        /// own (`Model.objects...`, a helper's).
        rel: Option<Vec<String>>,
        /// The method run (`count`, `filter`), or `iterate` for rows fetched.
        method: String,
        /// The model queried.
        model: crate::index::ModelId,
        /// `.count()`/`.exists()` on the manager: a prefetch of `rel` serves it.
        served_by_prefetch: bool,
        at: Loc,
        /// Run inside a function called here: the call as written and where it queries.
        via: Option<(String, Loc)>,
    },
}

impl Observation {
    /// The need behind this observation; `file` finds a file of the run by id.
    pub fn need<'f>(&self, file: impl Fn(FileId) -> Option<&'f File>) -> Option<Need> {
        match &self.event {
            Event::FkAccess {
                span,
                path,
                many,
                generic,
                skipped_by_bare_select,
                via,
                ..
            } => Some(Need::Read {
                path: path.clone(),
                many: *many || *generic,
                skipped_by_bare_select: *skipped_by_bare_select,
                at: via.unwrap_or(*span),
            }),
            Event::RelatedEval {
                span,
                path,
                model,
                how,
                narrowed,
                via,
                via_call,
                ..
            } => {
                // the call that counts: in the helper when the manager is counted there
                let call_at = via.unwrap_or(*span);
                // `.count()`/`.exists()`, and `.first()` on an ordered model, are
                // queries a prefetch serves from its cache
                let count = narrowed.is_none()
                    && match how {
                        EvalHow::Count | EvalHow::Exists => file(call_at.file).is_some_and(|f| {
                            f.ast.is_method_call(call_at.span, &["count", "exists"])
                        }),
                        EvalHow::Method(m) => crate::django::SINGLE_METHODS.contains(&m.as_str()),
                        _ => false,
                    };
                match (narrowed, count) {
                    (None, false) => Some(Need::Read {
                        path: path.clone(),
                        many: true,
                        skipped_by_bare_select: false,
                        at: via.unwrap_or(*span),
                    }),
                    _ => Some(Need::Query {
                        rel: Some(path.clone()),
                        model: *model,
                        method: narrowed.clone().unwrap_or_else(|| match how {
                            EvalHow::Exists => "exists".to_owned(),
                            EvalHow::Method(m) => m.clone(),
                            _ => "count".to_owned(),
                        }),
                        served_by_prefetch: count,
                        at: *span,
                        via: via_call.clone().zip(*via),
                    }),
                }
            }
            Event::PrefetchBypass {
                span,
                path,
                method,
                model,
                ..
            } => Some(Need::Query {
                rel: Some(path.clone()),
                model: *model,
                method: method.clone(),
                served_by_prefetch: false,
                at: *span,
                via: None,
            }),
            Event::QueryInLoop {
                span,
                method,
                model,
                root: true,
                via,
                ..
            } => Some(Need::Query {
                rel: None,
                model: *model,
                method: method.clone(),
                served_by_prefetch: false,
                at: *span,
                via: via.clone(),
            }),
            _ => None,
        }
    }
}
