//! What a finding depends on besides its own locations: the declarations its reasoning used.
//!
//! A finding at `book.author.name` in a view exists because `Book.author` is declared as a
//! foreign key and because `Book.objects` (a custom manager, maybe) does not join it. When
//! one of those declarations changes, in another file, the finding belongs to that change:
//! `--changed-since` reports it, and a pre-commit run on the changed models module reports it
//! too (see [`crate::check`]). Rules fill [`Diagnostic::depends`] from these helpers where they
//! build the finding; the flow engine needs nothing more than the models and relation paths
//! its events already carry.
//!
//! [`Diagnostic::depends`]: crate::diagnostic::Diagnostic::depends

use crate::flow::Event;
use crate::index::{Index, Member, ModelId};
use crate::project::File;
use crate::source::Loc;

/// The declaration of `model.attr`: the field, or for a reverse accessor the relation field
/// on the other model. `None` for Django's own models and unknown attributes.
pub fn field(ix: &Index, files: &[File], model: ModelId, attr: &str) -> Option<Loc> {
    let f = match ix.member(model, attr)? {
        Member::Forward(f)
        | Member::ManyToMany(f)
        | Member::GenericForeignKey(f)
        | Member::GenericRelation(f)
        | Member::ForeignKeyId(f)
        | Member::Plain(f) => f,
        Member::Reverse(r) => ix
            .model(r.from_model)
            .fields
            .iter()
            .find(|f| f.name == r.field)?,
    };
    let file = f.file?;
    in_run(files, Loc::new(file, f.span))
}

/// The declarations of every relation on `path` from `root`'s rows (`author`, then
/// `publisher` on the author's model...).
pub fn path<'a>(
    ix: &Index,
    files: &[File],
    root: ModelId,
    path: impl IntoIterator<Item = &'a str>,
) -> Vec<Loc> {
    let mut out = Vec::new();
    let mut cur = root;
    for seg in path {
        out.extend(field(ix, files, cur, seg));
        match ix.member(cur, seg).and_then(|m| ix.member_target(&m)) {
            Some(next) => cur = next,
            None => break,
        }
    }
    out
}

/// The project's manager and queryset classes of `model` (what `Book.objects` and its methods
/// load, `get_queryset()` joins included).
pub fn managers(ix: &Index, files: &[File], model: ModelId) -> Vec<Loc> {
    ix.manager_classes(model)
        .into_iter()
        .filter_map(|(file, class)| {
            let f = files.get(file as usize).filter(|f| f.id == file)?;
            Some(Loc::new(file, f.ast.classes.get(class as usize)?.span))
        })
        .collect()
}

/// The model class, for findings that depend on its whole declaration (its `Meta.indexes`,
/// `db_index` fields, ordering).
pub fn model(ix: &Index, files: &[File], model: ModelId) -> Option<Loc> {
    let m = ix.model(model);
    in_run(files, Loc::new(m.file?, m.span))
}

/// What a finding built from `ev` depends on.
pub fn of_event(ix: &Index, files: &[File], ev: &Event) -> Vec<Loc> {
    fn strs(p: &[String]) -> impl Iterator<Item = &str> {
        p.iter().map(String::as_str)
    }
    let mut out = match ev {
        Event::FkAccess {
            root_model, path, ..
        } => {
            let mut v = self::path(ix, files, *root_model, strs(path));
            v.extend(managers(ix, files, *root_model));
            v
        }
        Event::RelatedEval {
            root_model,
            path,
            model,
            rel,
            ..
        }
        | Event::PrefetchBypass {
            root_model,
            path,
            model,
            rel,
            ..
        } => {
            let mut v = self::path(ix, files, *root_model, strs(path));
            v.extend(field(ix, files, *model, rel));
            v.extend(managers(ix, files, *root_model));
            v
        }
        Event::QueryInLoop { model, .. } | Event::SaveInLoop { model, .. } => {
            managers(ix, files, *model)
        }
        Event::DeferredFieldRead { model, field, .. } => {
            let mut v: Vec<Loc> = self::field(ix, files, *model, field).into_iter().collect();
            v.extend(managers(ix, files, *model));
            v
        }
        Event::FkIdThroughRelation { model, attr, .. } => {
            field(ix, files, *model, attr).into_iter().collect()
        }
        Event::LargeFieldsUnused { model, unread, .. } => unread
            .iter()
            .filter_map(|f| field(ix, files, *model, f))
            .collect(),
        Event::Lookup { model, .. } => self::model(ix, files, *model).into_iter().collect(),
        Event::RowsUnused { model, .. } | Event::CountCompare { model, .. } => {
            managers(ix, files, *model)
        }
    };
    sort(&mut out);
    out
}

/// Sorted, without duplicates.
pub fn sort(locs: &mut Vec<Loc>) {
    locs.sort_by_key(|l| (l.file, l.span.start, l.span.end));
    locs.dedup();
}

fn in_run(files: &[File], loc: Loc) -> Option<Loc> {
    files
        .get(loc.file as usize)
        .filter(|f| f.id == loc.file)
        .map(|_| loc)
}
