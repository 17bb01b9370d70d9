//! A finding, before it is rendered in some output format.

use crate::project::FileId;
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary location, possibly in another file.
#[derive(Debug, Clone)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// One text replacement.
#[derive(Debug, Clone)]
pub struct Edit {
    pub file: FileId,
    pub span: Span,
    pub content: String,
}

/// Whether applying a fix keeps the program's behaviour (`--fix`) or may change it
/// (`--unsafe-fixes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Applicability {
    /// Same results, fewer queries: applied by `--fix`.
    Safe,
    /// Usually right, but it can change what the code does or costs in ways a reviewer
    /// should see: applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    /// Non-overlapping replacements, possibly in several files.
    pub edits: Vec<Edit>,
}

impl Diagnostic {
    #[must_use]
    pub fn with_help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }

    #[must_use]
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    #[must_use]
    pub fn with_related(mut self, related: Vec<Related>) -> Self {
        self.related = related;
        self
    }

    #[must_use]
    pub fn with_depends(mut self, mut depends: Vec<crate::source::Loc>) -> Self {
        crate::rules::depends::sort(&mut depends);
        self.depends = depends;
        self
    }
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    /// The label on the primary span.
    pub label: String,
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Declarations the finding relies on, in any file (the relation fields on its path, the
    /// model's managers, the serializer...; see [`crate::rules::depends`]). When one of them
    /// changed, the finding belongs to the change like one whose own lines changed
    /// (`--changed-since`, files passed by pre-commit). Not shown.
    pub depends: Vec<crate::source::Loc>,
}
