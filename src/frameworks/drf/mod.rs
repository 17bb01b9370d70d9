//! Django REST Framework: serializer declarations, the views that list (or retrieve) rows and
//! serialize them, and the walk of every serializer field over those rows with the
//! interpreter. Built once from every file after the model index, so a view in one file meets
//! its serializer in another.
//!
//! What DRF reads (from `rest_framework/relations.py` and `serializers.py`, 3.x):
//! - `PrimaryKeyRelatedField` and `HyperlinkedRelatedField` with `lookup_field="pk"` (the
//!   default) use the "pk only" optimisation: for a forward FK they read
//!   `serializable_value("author")`, i.e. `author_id`, and need no join. With `many=True` they
//!   call `.all()` on the related manager: one query per object unless prefetched.
//! - Every other related field (`SlugRelatedField`, `StringRelatedField`, a nested serializer,
//!   any field with `source="author.name"`) loads the related object.
//! - `ModelSerializer` maps a forward FK in `fields` to a `PrimaryKeyRelatedField`
//!   (`HyperlinkedModelSerializer`: a `HyperlinkedRelatedField`), a many-to-many or a listed
//!   reverse relation to the same with `many=True`; with `Meta.depth > 0` relations become
//!   nested serializers of all the target's fields, `depth - 1` levels further.

mod consumed;
mod serializers;
mod views;
mod walk;

pub use serializers::{Field, FieldRead, Serializer};
pub(crate) use views::eval_qs;
pub use views::{ListQs, View};
pub(crate) use walk::Walker;

use super::Observation;
use crate::ast::{ExprId, ExprKind, Module};
use crate::flow::Summaries;
use crate::index::effects::LoadSet;
use crate::index::{Index, Member, ModelId, ReverseKind};
use crate::project::File;
use crate::source::Span;
use rustc_hash::FxHashMap as HashMap;

pub(crate) use crate::semantic::classes::Hierarchy as Classes;

/// One relation step of a path read per object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub name: String,
    /// Many-valued (a related manager): only `prefetch_related` loads it.
    pub many: bool,
    /// A nullable forward FK: `select_related()` without arguments skips it.
    pub nullable: bool,
    /// A forward FK/one-to-one (what `select_related()` without arguments follows).
    pub forward: bool,
}

#[derive(Debug, Default)]
pub struct Facts {
    pub serializers: Vec<Serializer>,
    pub views: Vec<View>,
    pub admins: Vec<super::admin::Admin>,
    /// What the per-row code of views and admins observed (serializer fields walked over a
    /// view's rows, admin columns over a changelist's rows).
    pub observations: Vec<Observation>,
    /// What each view's serializers read of its rows (DJP106), escaped whole when something
    /// else may read them.
    pub view_rows: Vec<crate::flow::RowsUse>,
    /// What the choices of rendered forms' model choice fields read per row, by the file
    /// declaring the field (see [`super::forms`]): added to that file's events.
    pub form_events: HashMap<crate::project::FileId, Vec<crate::flow::Event>>,
    /// The serializers by qualified name.
    by_qual: HashMap<String, usize>,
    /// Serializers some code constructs with `many=True`.
    many: rustc_hash::FxHashSet<usize>,
}

/// Build the DRF and admin facts from every project file, and walk every view's serializers
/// and every admin's columns over their rows. `sums` lets the walk follow rows into functions
/// anywhere in the project.
pub fn build(files: &[File], ix: &Index, sums: &Summaries) -> Facts {
    let classes = Classes::new(&ix.classes, files);
    let model_root = |q: &str| is_serializer_root(q) || external_model_serializer(&classes, q);
    let mut quals: Vec<(String, bool)> = classes
        .quals()
        .filter_map(|q| {
            if classes.mro(q, &model_root).reached {
                Some((q.to_owned(), false))
            } else if classes.mro(q, &is_plain_serializer_root).reached {
                Some((q.to_owned(), true))
            } else {
                None
            }
        })
        .collect();
    quals.sort();
    quals.dedup_by(|a, b| a.0 == b.0);
    let by_qual: HashMap<String, usize> = quals
        .iter()
        .enumerate()
        .map(|(i, (q, _))| (q.clone(), i))
        .collect();
    let serializers = serializers::declare(&classes, ix, &quals, &by_qual);
    let views = views::build_views(&classes, &by_qual, ix, sums);
    let many = constructed_many(files, ix, &by_qual);
    let walker = walk::Walker::new(ix, sums, files, &serializers, &by_qual, &many);
    let (mut observations, view_rows) = walker.views(&views);
    drop(walker);
    let (admins, admin_obs) = super::admin::build(&classes, ix, sums);
    observations.extend(admin_obs);
    let form_events = super::forms::build(&classes, ix, sums);
    Facts {
        form_events,
        serializers,
        views: views.into_iter().map(|(v, _)| v).collect(),
        admins,
        observations,
        view_rows,
        by_qual,
        many,
    }
}

impl Facts {
    /// What the interpreter asks when a function calls a serializer of the project
    /// (`BookSerializer(books, many=True)`): its fields walked over the rows handed to it.
    pub(crate) fn hooks<'s>(
        &'s self,
        ix: &'s Index,
        sums: &'s Summaries,
        files: &'s [File],
    ) -> Walker<'s> {
        walk::Walker::new(
            ix,
            sums,
            files,
            &self.serializers,
            &self.by_qual,
            &self.many,
        )
    }
}

/// The names of a literal list/tuple of strings, with their spans.
pub(crate) fn str_list(m: &Module, e: ExprId) -> Option<Vec<(String, Span)>> {
    match m.kind(e) {
        ExprKind::Seq { elts, .. } => Some(
            elts.iter()
                .filter_map(|x| m.str_value(*x).map(|s| (s.to_owned(), m.span(*x))))
                .collect(),
        ),
        _ => None,
    }
}

/// Resolve accessor names from `model` into relation steps; stops at the first part that is
/// not a relation. Returns the steps and whether every part was a relation.
pub fn resolve_path(ix: &Index, model: ModelId, parts: &[&str]) -> (Vec<Seg>, bool) {
    let mut segs = Vec::new();
    let mut cur = model;
    for p in parts {
        let Some(mem) = ix.member(cur, p) else {
            return (segs, false);
        };
        let (many, nullable, forward) = match mem {
            Member::Forward(f) => (false, f.null, true),
            Member::ManyToMany(_) | Member::GenericRelation(_) | Member::GenericForeignKey(_) => {
                (true, true, false)
            }
            Member::Reverse(r) => (r.kind != ReverseKind::OneToOne, true, false),
            Member::ForeignKeyId(_) | Member::Plain(_) => return (segs, false),
        };
        segs.push(Seg {
            name: (*p).to_owned(),
            many,
            nullable,
            forward,
        });
        match ix.member_target(&mem) {
            Some(t) => cur = t,
            None => {
                let all = segs.len() == parts.len();
                return (segs, all);
            }
        }
    }
    (segs, true)
}

/// The model a path of steps leads to.
pub fn path_target(ix: &Index, model: ModelId, path: &[Seg]) -> Option<ModelId> {
    let mut cur = model;
    for s in path {
        let mem = ix.member(cur, &s.name)?;
        cur = ix.member_target(&mem)?;
    }
    Some(cur)
}

/// Whether `loads` loads every step of `path`; else the index of the first step it misses.
pub fn first_missing(ix: &Index, model: ModelId, loads: &LoadSet, path: &[Seg]) -> Option<usize> {
    let mut cur_loads = loads.clone();
    let mut cur = Some(model);
    for (i, s) in path.iter().enumerate() {
        if cur_loads.opaque {
            return None;
        }
        let next = match cur_loads.nodes.get(&s.name) {
            Some(n) => n.children.clone(),
            None if cur_loads.select_all && s.forward && !s.nullable => LoadSet {
                select_all: true,
                ..LoadSet::default()
            },
            None => return Some(i),
        };
        cur_loads = next;
        cur = cur
            .and_then(|m| ix.member(m, &s.name))
            .and_then(|mem| ix.member_target(&mem));
    }
    let _ = cur;
    None
}

fn is_serializer_root(q: &str) -> bool {
    crate::django::SERIALIZER_ROOTS.contains(&q)
}

/// DRF's plain `Serializer`: it serializes its declared fields only.
fn is_plain_serializer_root(q: &str) -> bool {
    q == "rest_framework.serializers.Serializer"
}

/// A base class from outside the project whose name says it is a model serializer
/// (`i18nfield.rest_framework.I18nAwareModelSerializer`,
/// `rest_flex_fields.FlexFieldsModelSerializer`): libraries that extend DRF's
/// `ModelSerializer` keep its name and its `Meta.model`/`Meta.fields`.
fn external_model_serializer(classes: &Classes<'_>, q: &str) -> bool {
    classes.class(q).is_none()
        && !q.starts_with("rest_framework.")
        && q.contains('.')
        && q.rsplit('.')
            .next()
            .is_some_and(|n| n.ends_with("ModelSerializer"))
}

/// The serializers some code constructs with `many=True` (`TagSerializer(tags, many=True)`,
/// a nested `TagSerializer(many=True)` field): they serialize many objects somewhere.
fn constructed_many(
    files: &[File],
    ix: &Index,
    by_qual: &HashMap<String, usize>,
) -> rustc_hash::FxHashSet<usize> {
    let mut out = rustc_hash::FxHashSet::default();
    for f in files.iter().filter(|f| !f.builtin && !f.template) {
        let m = &f.ast;
        for e in &m.exprs {
            let ExprKind::Call { func, kwargs, .. } = &e.kind else {
                continue;
            };
            let many = kwargs.iter().any(|k| {
                k.name.as_deref() == Some("many")
                    && matches!(m.kind(k.value), ExprKind::Const(crate::ast::Const::True))
            });
            if !many {
                continue;
            }
            if let Some(d) = m.dotted(*func) {
                if let Some(i) = by_qual.get(&ix.resolve_alias(&f.scope.qualify(&d))) {
                    out.insert(*i);
                }
            }
        }
    }
    out
}

fn is_any_serializer_root(q: &str) -> bool {
    q.starts_with("rest_framework.serializers.") && q.ends_with("Serializer")
}

/// DRF classes that give a view a list action.
fn is_list_root(q: &str) -> bool {
    matches!(
        q,
        "rest_framework.generics.ListAPIView"
            | "rest_framework.generics.ListCreateAPIView"
            | "rest_framework.mixins.ListModelMixin"
            | "rest_framework.viewsets.ModelViewSet"
            | "rest_framework.viewsets.ReadOnlyModelViewSet"
    )
}

/// DRF classes for views that handle one object per request.
fn is_detail_root(q: &str) -> bool {
    matches!(
        q,
        "rest_framework.generics.RetrieveAPIView"
            | "rest_framework.generics.RetrieveUpdateAPIView"
            | "rest_framework.generics.RetrieveDestroyAPIView"
            | "rest_framework.generics.RetrieveUpdateDestroyAPIView"
            | "rest_framework.generics.UpdateAPIView"
            | "rest_framework.generics.DestroyAPIView"
            | "rest_framework.generics.CreateAPIView"
            | "rest_framework.mixins.RetrieveModelMixin"
            | "rest_framework.mixins.UpdateModelMixin"
            | "rest_framework.mixins.DestroyModelMixin"
            | "rest_framework.mixins.CreateModelMixin"
    )
}

fn is_view_root(q: &str) -> bool {
    (q.starts_with("rest_framework.generics.")
        || q.starts_with("rest_framework.viewsets.")
        || q.starts_with("rest_framework.mixins."))
        && !q.ends_with(".APIView")
        && !q.ends_with(".ViewSet")
        && !q.ends_with(".ViewSetMixin")
}

/// Related fields that read only the primary key of a forward FK (`author_id`).
fn pk_only_field(m: &Module, class: &str, kwargs: &[crate::ast::Keyword]) -> bool {
    match class {
        "PrimaryKeyRelatedField" => true,
        "HyperlinkedRelatedField" => m
            .kwarg(kwargs, "lookup_field")
            .and_then(|k| m.str_value(k.value))
            .is_none_or(|s| s == "pk"),
        _ => false,
    }
}

/// `["a", "b"]` steps as a lookup `a__b`.
pub fn lookup(path: &[Seg]) -> String {
    path.iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join("__")
}

/// Keep only paths no other path extends (`author` is implied by `author__publisher`).
pub fn maximal(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paths
        .iter()
        .filter(|p| {
            !paths.iter().any(|q| {
                q.len() > p.len() && q.starts_with(p.as_str()) && q[p.len()..].starts_with("__")
            })
        })
        .cloned()
        .collect();
    out.sort();
    out.dedup();
    out
}
