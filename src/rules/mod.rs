//! The one rule table. A rule exists only by being listed in [`RULES`].
//!
//! Each rule lives in its own module with its documentation (`## What it does`,
//! `## Why is this slow?`, `## Example`, `## Known problems`) as a `DOC` string that
//! `djperf explain` prints and SARIF reuses.

mod admin_list_n_plus_one;
mod blocking_index_migration;
mod count_comparison;
mod deferred_field_in_loop;
pub mod depends;
mod fk_access_in_loop;
mod fk_id_through_relation;
mod io_error;
mod len_queryset;
mod loop_scope;
mod prefetch_bypassed;
mod query_in_loop;
mod queryset_truthiness;
mod related_manager_in_loop;
mod relation_read_on_init;
mod runtime_n_plus_one;
mod save_in_loop;
mod serializer_method_query;
mod serializer_missing_prefetch_related;
mod serializer_missing_select_related;
mod syntax_error;
mod template_fk_in_loop;
mod template_related_manager_in_loop;
mod too_many_indexes;
mod unindexed_filter;
mod unindexed_order;
mod unused_eager_load;
mod unused_large_field;
pub(crate) mod unused_noqa;

use crate::diagnostic::{Diagnostic, Severity};
use crate::flow::Event;
use crate::frameworks::templates::walk::{view_events, Walked};
use crate::frameworks::templates::Templates;
use crate::index::Index;
use crate::project::File;
use std::cell::OnceCell;

/// Everything a rule sees for one file.
pub struct Context<'a> {
    pub index: &'a Index,
    /// Project-wide DRF serializers and views, and admins.
    pub facts: &'a crate::frameworks::drf::Facts,
    pub file: &'a File,
    /// Every file of the run, by id (for fixes that edit another file).
    pub files: &'a [File],
    pub events: &'a [Event],
    pub summaries: &'a crate::flow::Summaries,
    /// Every file of the run (templates included) and the templates by name, when the run
    /// follows views into templates.
    pub templates: Option<(&'a [File], &'a Templates)>,
    /// The file's views followed into their templates, computed on first use.
    pub walked: OnceCell<Walked>,
}

impl Context<'_> {
    /// The events found by following this file's views into their templates.
    pub fn template_events(&self) -> &Walked {
        self.walked.get_or_init(|| match self.templates {
            Some((files, t)) => view_events(self.index, self.summaries, self.file, files, t),
            None => Walked::default(),
        })
    }

    /// What a finding built from `ev` depends on (see [`depends`]).
    pub fn depends_on(&self, ev: &Event) -> Vec<crate::source::Loc> {
        depends::of_event(self.index, self.files, ev)
    }

    /// A file of the run by id (templates included).
    pub fn file_by_id(&self, id: crate::project::FileId) -> Option<&File> {
        if id == self.file.id {
            return Some(self.file);
        }
        self.templates
            .map_or(self.files, |(files, _)| files)
            .get(id as usize)
            .filter(|f| f.id == id)
    }
}

pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub default_enabled: bool,
    pub severity: Severity,
    pub doc: &'static str,
    /// What the rule reads besides the index.
    pub reads: Reads,
    /// Whether its findings can carry a fix (`--fix`, code actions).
    pub fix: Fixable,
    /// Rules whose finding at the same place this one makes moot: only this one is kept
    /// (`obj.author.id` → `obj.author_id` needs no query, so `select_related("author")`
    /// is not the advice to give).
    pub supersedes: &'static [&'static str],
    pub check: fn(&Context<'_>, &Rule, &mut Vec<Diagnostic>),
}

/// The inputs a rule needs. Migrations are not analysed for queries: a rule reading them
/// sees the index and the file only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reads {
    /// The interpreter's observations of the file's functions.
    pub code: bool,
    /// Runs on `migrations/` files too (otherwise skipped).
    pub migrations: bool,
    /// Views followed into their templates (templates are loaded only for such rules).
    pub templates: bool,
    /// A capture of the test suite's queries (`--queries`).
    pub queries: bool,
}

impl Reads {
    pub const CODE: Reads = Reads {
        code: true,
        migrations: false,
        templates: false,
        queries: false,
    };
    pub const TEMPLATES: Reads = Reads {
        templates: true,
        ..Reads::CODE
    };
    pub const MIGRATIONS: Reads = Reads {
        code: false,
        migrations: true,
        templates: false,
        queries: false,
    };
    /// The model index alone (model declarations).
    pub const MODELS: Reads = Reads {
        code: false,
        migrations: false,
        templates: false,
        queries: false,
    };
    pub const QUERIES: Reads = Reads {
        code: false,
        migrations: false,
        templates: false,
        queries: true,
    };
}

/// Whether a rule's findings carry fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixable {
    No,
    /// Where the code allows a mechanical edit (see the rule's `## Fix safety`).
    Sometimes,
}

impl Rule {
    /// A finding of this rule; add help and related locations with the `with_*` methods.
    pub fn diagnostic(&self, at: crate::source::Loc, message: String, label: String) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            file: at.file,
            span: at.span,
            message,
            label,
            help: None,
            related: Vec::new(),
            fix: None,
            depends: Vec::new(),
        }
    }

    /// The rule follows views into templates (templates are loaded only for such rules).
    pub fn reads_templates(&self) -> bool {
        self.reads.templates
    }

    /// The documentation page a finding links to (`docs/rules/DJPnnn.md` online), when the
    /// build knows where the repository is (see [`crate::docs`]).
    pub fn url(&self) -> Option<String> {
        crate::docs::rule_url(self)
    }
}

pub static RULES: &[Rule] = &[
    io_error::RULE,
    syntax_error::RULE,
    unused_noqa::RULE,
    fk_access_in_loop::RULE,
    related_manager_in_loop::RULE,
    prefetch_bypassed::RULE,
    query_in_loop::RULE,
    save_in_loop::RULE,
    unused_eager_load::RULE,
    relation_read_on_init::RULE,
    serializer_missing_select_related::RULE,
    serializer_missing_prefetch_related::RULE,
    serializer_method_query::RULE,
    admin_list_n_plus_one::RULE,
    template_fk_in_loop::RULE,
    template_related_manager_in_loop::RULE,
    runtime_n_plus_one::RULE,
    unused_large_field::RULE,
    deferred_field_in_loop::RULE,
    unindexed_filter::RULE,
    unindexed_order::RULE,
    too_many_indexes::RULE,
    blocking_index_migration::RULE,
    len_queryset::RULE,
    queryset_truthiness::RULE,
    count_comparison::RULE,
    fk_id_through_relation::RULE,
];

/// A rule by code (`DJP101`) or name (`fk-access-in-loop`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Whether a selector (`DJP`, `DJP1`, `DJP101`, `ALL`) names any rule.
pub fn selector_matches(selector: &str, rule: &Rule) -> bool {
    let s = selector.trim().to_ascii_uppercase();
    s == "ALL" || rule.code.starts_with(&s)
}

/// Rules that are on whatever `select` says, unless `ignore`d: a file that was not read or
/// does not parse must never pass for clean because `select` named only performance rules.
pub fn always_selected(rule: &Rule) -> bool {
    matches!(rule.code, "DJP001" | "DJP002")
}

pub fn is_valid_selector(selector: &str) -> bool {
    RULES.iter().any(|r| selector_matches(selector, r))
}

/// A statement's span narrowed to its first line (a loop's header, not its whole body).
pub fn header_span(file: &File, span: crate::source::Span) -> crate::source::Span {
    let line = file.lines.line_of(span.start as usize);
    let text = file.text.as_deref().unwrap_or("");
    let line_text = file.lines.line_text(text, line);
    let line_end = file.lines.line_start(line) + line_text.trim_end().len();
    crate::source::Span::new(
        span.start as usize,
        line_end.max(span.start as usize).min(span.end as usize),
    )
}

/// The `limit` shortest paths as quoted arguments, then how many more there are:
/// `"author", "editor", ... (+3 more paths)`.
pub fn shortest_first(paths: &[String], limit: usize) -> String {
    let mut sorted: Vec<String> = paths.to_vec();
    sorted.sort_by(|a, b| (a.matches("__").count(), a).cmp(&(b.matches("__").count(), b)));
    let shown = quoted_list(&sorted[..sorted.len().min(limit)]);
    match sorted.len().saturating_sub(limit) {
        0 => shown,
        n => format!(
            "{shown}, ... (+{n} more path{} read by the code called here)",
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// `queryset on line 8`, or `querysets on lines 8 and 10` when branches built the rows'
/// queryset separately (`fix_at`, empty for `root` alone).
/// The parameter whose annotation made rows rooted at `root` (`books: QuerySet[Book]`): the
/// caller built them, so a fix belongs there.
pub fn parameter_at(file: &File, root: crate::source::Span) -> Option<&str> {
    file.ast
        .functions
        .iter()
        .flat_map(|f| f.params.iter())
        .find(|p| p.span == root)
        .map(|p| &*p.name)
}

pub fn queryset_lines(
    file: &File,
    root: crate::source::Span,
    fix_at: &[crate::source::Span],
) -> String {
    let one = [root];
    let spans = if fix_at.is_empty() { &one[..] } else { fix_at };
    let mut lines: Vec<usize> = spans
        .iter()
        .map(|s| file.lines.line_of(s.start as usize) + 1)
        .collect();
    lines.sort_unstable();
    lines.dedup();
    match lines.as_slice() {
        [one] => format!("queryset on line {one}"),
        [init @ .., last] => format!(
            "querysets on lines {} and {last}",
            init.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [] => "queryset".to_owned(),
    }
}

/// The fix of DJP401/DJP402: safe on a queryset built inline, unsafe on a local name (code
/// djperf does not follow may still read its rows, which the rewrite no longer caches).
pub fn measured_fix(
    message: &str,
    file: &File,
    span: crate::source::Span,
    edit: crate::diagnostic::Edit,
) -> crate::diagnostic::Fix {
    use crate::diagnostic::{Applicability, Fix};
    if crate::fix::rewrite::measures_name(file, span) {
        Fix {
            message: format!("{message} (if the rows are read later where djperf does not look, a nested function or a lambda, they are fetched again)"),
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        }
    } else {
        Fix {
            message: message.to_owned(),
            applicability: Applicability::Safe,
            edits: vec![edit],
        }
    }
}

/// `"a__b"` joined into quoted arguments: `"a__b", "c"`.
pub fn quoted_list(paths: &[String]) -> String {
    paths
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A narrowing call as written after its `.`: a method name (`filter` → `filter()`), or a
/// call spelled out with its arguments (`positions(manager="objects")`).
pub(crate) fn called(m: &str) -> String {
    if m.ends_with(')') {
        m.to_owned()
    } else {
        format!("{m}()")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustc_hash::FxHashSet as HashSet;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        let mut codes = HashSet::default();
        let mut names = HashSet::default();
        for r in RULES {
            assert!(codes.insert(r.code), "duplicate code {}", r.code);
            assert!(names.insert(r.name), "duplicate name {}", r.name);
            assert!(r.code.starts_with("DJP") && r.code.len() == 6, "{}", r.code);
            // DJP0xx report on the run itself (a file not read, a syntax error), not on slowness.
            let why = if r.code.starts_with("DJP0") {
                "## Why is this a problem?"
            } else {
                "## Why is this slow?"
            };
            for section in ["## What it does", why, "## Example", "Use instead:"] {
                assert!(r.doc.contains(section), "{} lacks {section}", r.code);
            }
            assert!(!r.summary.is_empty());
        }
    }

    #[test]
    fn declarations_agree_with_docs() {
        for r in RULES {
            assert_eq!(
                r.fix == Fixable::Sometimes,
                r.doc.contains("## Fix safety"),
                "{}: a fixable rule documents its fix safety, and only a fixable one",
                r.code
            );
            for s in r.supersedes {
                assert!(find(s).is_some(), "{} supersedes unknown {s}", r.code);
            }
        }
    }

    #[test]
    fn selectors() {
        let r = find("DJP101").unwrap();
        assert!(selector_matches("DJP1", r));
        assert!(selector_matches("djp101", r));
        assert!(!selector_matches("DJP2", r));
        assert!(is_valid_selector("ALL"));
        assert!(!is_valid_selector("E501"));
    }
}
