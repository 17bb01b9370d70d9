//! Findings outside the passed files that belong to them.
//!
//! pre-commit passes the changed files. A change to a declaration — a models module that
//! drops a join from a manager, turns a field into a foreign key, a serializer or an admin —
//! can make a finding appear in a file that did not change. A finding belongs to the passed
//! files when any of its locations is in one of them: its related locations (the queryset,
//! the code a row was handed to) or the declarations it depends on
//! ([`Diagnostic::depends`]). When a passed file declares models, managers, querysets,
//! serializers or admins, [`crate::check`] runs the rules on the other files of the project
//! as well and keeps those findings; otherwise only the passed files are checked, as before
//! (the pre-commit case of a changed view stays as fast as it was).

use crate::diagnostic::{Diagnostic, Related};
use crate::frameworks::drf::Facts;
use crate::index::Index;
use crate::project::{File, FileId};
use rustc_hash::FxHashSet as HashSet;

/// The passed (reported) files that declare something findings elsewhere can depend on.
pub fn declaring_files(index: &Index, facts: &Facts, files: &[File]) -> HashSet<FileId> {
    files
        .iter()
        .filter(|f| f.report && !f.template && !f.in_migrations)
        .filter(|f| {
            !index.file_models(f.id).is_empty()
                || index.declares_managers(f.id)
                || facts.serializers.iter().any(|s| s.file == f.id)
                || facts.admins.iter().any(|a| a.file == f.id)
        })
        .map(|f| f.id)
        .collect()
}

/// Whether `d` (a finding in a file that was not passed) belongs to the passed files; if it
/// does only through a declaration it depends on, that declaration is added as a related
/// location, so the reader sees why the finding is shown.
pub fn belongs(d: &mut Diagnostic, files: &[File]) -> bool {
    let passed = |file: FileId| files.get(file as usize).is_some_and(|f| f.report);
    if d.related.iter().any(|r| passed(r.file)) {
        return true;
    }
    let Some(dep) = d.depends.iter().find(|l| passed(l.file)).copied() else {
        return false;
    };
    d.related.push(Related {
        file: dep.file,
        span: dep.span,
        message: "the finding depends on this declaration".to_owned(),
    });
    true
}
