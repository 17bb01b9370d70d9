//! One analysis session: a project's files, the facts built from all of them (the model
//! index, function summaries, DRF and admin facts, templates), and the checks. The CLI (and
//! its `--fix` passes), the fuzz target and the language server all run a `Session`, so they
//! report the same findings: templates followed, `per-file-ignores` and `# noqa` applied,
//! duplicates dropped.

use crate::config::{Config, Matchers};
use crate::diagnostic::Diagnostic;
use crate::flow::{self, Summaries};
use crate::frameworks::drf::{self, Facts};
use crate::frameworks::templates::{self, Templates};
use crate::index::Index;
use crate::project::{self, File, FileId, FileWarning, LoadRequest};
use crate::rules::{self, Context, Rule};
use crate::suppress;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};

/// How a session checks: the project, its configuration and the rules enabled.
pub struct Setup {
    pub root: PathBuf,
    /// Module names (import roots) and test code of the project's files.
    pub layout: project::Layout,
    pub config: Config,
    pub matchers: Matchers,
    pub rules: Vec<&'static Rule>,
    /// Report findings in test code too.
    pub include_tests: bool,
    /// Where shown paths are relative to, when the project is on disk: templates are read
    /// from it. `None` for in-memory checks (no templates).
    pub cwd: Option<PathBuf>,
}

pub struct Session {
    setup: Setup,
    /// The Python files by id, then the templates.
    files: Vec<File>,
    /// How many of `files` are Python files.
    python: usize,
    builtin: Vec<File>,
    index: Index,
    summaries: Summaries,
    facts: Facts,
    templates: Templates,
    by_path: HashMap<PathBuf, FileId>,
}

impl Session {
    /// A session over loaded Python files (ids are their positions).
    pub fn new(files: Vec<File>, setup: Setup) -> Session {
        let builtin = project::builtin_files();
        let mut s = Session {
            setup,
            python: files.len(),
            files,
            builtin,
            index: Index::default(),
            summaries: Summaries::default(),
            facts: Facts::default(),
            templates: Templates::default(),
            by_path: HashMap::default(),
        };
        crate::progress::mem("loaded");
        s.index_files();
        crate::progress::mem("indexed");
        s.derive();
        s.load_templates();
        crate::progress::mem("templates");
        s.release_texts();
        s
    }

    /// Let go of the texts read while the facts were built (they are read again when asked).
    fn release_texts(&mut self) {
        for f in &mut self.files[..self.python] {
            f.text.release();
        }
    }

    pub fn setup(&self) -> &Setup {
        &self.setup
    }

    /// Every file of the session by id (templates after the Python files).
    pub fn files(&self) -> &[File] {
        &self.files
    }

    /// The files and the setup, the session dropped.
    pub fn into_parts(self) -> (Vec<File>, Setup) {
        (self.files, self.setup)
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The file loaded from `path`, if any.
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    /// Replace the file at `path` with `text` (or add it), as an editor does with an unsaved
    /// buffer; its findings are reported. The model index is rebuilt when the file declares
    /// or declared models; summaries and framework facts always are (they follow rows into
    /// any file). Returns the file's id and whether the index was rebuilt, or the warning
    /// that kept the text from being loaded.
    pub fn update(&mut self, path: &Path, text: &str) -> Result<(FileId, bool), FileWarning> {
        let root = &self.setup.root;
        let rel = path
            .strip_prefix(root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.file_name().map(PathBuf::from).unwrap_or_default());
        let display = match &self.setup.cwd {
            Some(cwd) => crate::discover::display_path(path, cwd),
            None => rel.to_string_lossy().into_owned(),
        };
        let req = LoadRequest {
            path: path.to_path_buf(),
            rel,
            display,
            report: true,
            override_text: Some(text),
        };
        let mut warnings = Vec::new();
        let loaded = project::load(
            vec![req],
            &self.setup.layout,
            project::DEFAULT_MAX_FILE_BYTES,
            None,
            &mut warnings,
        )
        .pop();
        let Some(mut file) = loaded else {
            return Err(warnings.pop().unwrap_or(FileWarning {
                path: path.display().to_string(),
                message: "could not be loaded".into(),
            }));
        };
        let (id, had_models) = match self.by_path.get(path) {
            Some(&id) => (id, !self.index.file_models(id).is_empty()),
            None => {
                // a new Python file goes before the templates: their ids shift by one
                let id = u32::try_from(self.python).unwrap_or(u32::MAX);
                self.files.insert(self.python, file_placeholder());
                self.python += 1;
                for (i, f) in self.files.iter_mut().enumerate().skip(self.python) {
                    f.id = u32::try_from(i).unwrap_or(u32::MAX);
                }
                (id, false)
            }
        };
        file.id = id;
        self.files[id as usize] = file;
        self.rebuild_paths();
        let rebuild = had_models || is_models_module(&self.files[id as usize].rel);
        if rebuild {
            self.index_files();
        }
        self.derive();
        Ok((id, rebuild))
    }

    /// Index every Python file.
    fn index_files(&mut self) {
        let py = &self.files[..self.python];
        self.index = Index::build(py, &self.builtin);
        self.index.configure(&self.setup.config.options);
        self.rebuild_paths();
    }

    fn rebuild_paths(&mut self) {
        self.by_path = self.files.iter().map(|f| (f.path.clone(), f.id)).collect();
    }

    /// Function summaries and framework facts from every Python file.
    fn derive(&mut self) {
        // What the project sets on requests (`request.event = ...`), twice: the second
        // round types `request.organizer = request.event.organizer`.
        self.index.request_attrs.clear();
        for _ in 0..2 {
            let attrs = flow::request_attrs(&self.files[..self.python], &self.index);
            self.index.request_attrs = attrs;
        }
        let py = &self.files[..self.python];
        // DJPERF_NO_SUMMARIES=1 turns summaries off (for measuring their cost).
        self.summaries =
            if std::env::var_os("DJPERF_NO_SUMMARIES").is_some_and(|v| !v.is_empty() && v != "0") {
                Summaries::default()
            } else {
                Summaries::build(py, &self.builtin, &self.index)
            };
        crate::progress::mem("summaries");
        self.release_texts();
        let py = &self.files[..self.python];
        self.facts = drf::build(py, &self.index, &self.summaries);
        crate::progress::mem("facts");
        self.release_texts();
    }

    /// Templates of the project, when some rule follows views into them.
    fn load_templates(&mut self) {
        let Some(cwd) = &self.setup.cwd else { return };
        if !self.setup.rules.iter().any(|r| r.reads_templates()) {
            return;
        }
        let dirs = templates::template_dirs(&self.setup.root, &self.files[..self.python]);
        let first = u32::try_from(self.files.len()).unwrap_or(u32::MAX);
        let (tfiles, t) = templates::load(&dirs, first, cwd);
        self.files.extend(tfiles);
        self.templates = t;
        self.rebuild_paths();
    }

    /// The findings of every file whose findings are reported, sorted by shown path, line,
    /// column and code, without duplicates.
    pub fn check(&self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self.files[..self.python]
            .par_iter()
            .filter(|f| f.report)
            .flat_map_iter(|f| {
                crate::progress::tick();
                self.file_findings(f)
            })
            .collect();
        self.finish(&mut out);
        out
    }

    /// [`Session::check`], holding the texts of a few hundred files at a time: each batch
    /// of reported files is checked in parallel, then the texts it read are let go.
    pub fn check_all(&mut self) -> Vec<Diagnostic> {
        const BATCH: usize = 256;
        let ids: Vec<usize> = (0..self.python).filter(|&i| self.files[i].report).collect();
        let mut out: Vec<Diagnostic> = Vec::new();
        for batch in ids.chunks(BATCH) {
            let this = &*self;
            let found: Vec<Diagnostic> = batch
                .par_iter()
                .flat_map_iter(|&i| {
                    crate::progress::tick();
                    this.file_findings(&this.files[i])
                })
                .collect();
            out.extend(found);
            self.release_texts();
        }
        self.finish(&mut out);
        out
    }

    /// Add to `out` (the findings of the reported files) the findings in the other files
    /// that belong to the reported ones, and sort again (see [`crate::dependents`]): only
    /// when a reported file declares models, managers, querysets, serializers or admins, and
    /// only in files the run would report if they were passed (not excluded, and in
    /// `reportable()` when it gives a set: the files `.gitignore` leaves in).
    pub fn add_dependents(
        &mut self,
        out: &mut Vec<Diagnostic>,
        reportable: impl FnOnce() -> Option<rustc_hash::FxHashSet<std::path::PathBuf>>,
    ) {
        let py = &self.files[..self.python];
        if crate::dependents::declaring_files(&self.index, &self.facts, py).is_empty() {
            return;
        }
        let setup = &self.setup;
        let candidates: Vec<&File> = py
            .iter()
            .filter(|f| !f.report && !f.builtin && !f.template)
            .filter(|f| setup.include_tests || !f.is_test)
            .filter(|f| !setup.matchers.is_excluded(&f.rel))
            .collect();
        // every file is reported already (a whole project checked): no walk
        if candidates.is_empty() {
            return;
        }
        let reportable = reportable();
        let candidates: Vec<FileId> = candidates
            .into_iter()
            .filter(|f| reportable.as_ref().is_none_or(|r| r.contains(&f.path)))
            .map(|f| f.id)
            .collect();
        // Rules read the text (suppressions, fixes).
        project::reload_texts(&mut self.files, candidates.iter().copied());
        let files = &self.files;
        let mut found: Vec<Diagnostic> = candidates
            .par_iter()
            .map(|&id| &files[id as usize])
            .filter(|f| f.text.is_some())
            .flat_map_iter(|f| self.file_findings(f))
            .collect();
        found.retain_mut(|d| crate::dependents::belongs(d, files));
        out.extend(found);
        self.finish(out);
    }

    /// The findings of one file, sorted, as [`Session::check`] reports them.
    pub fn check_file(&self, id: FileId) -> Vec<Diagnostic> {
        let Some(f) = self.files.get(id as usize) else {
            return Vec::new();
        };
        let mut out = self.file_findings(f);
        self.finish(&mut out);
        out
    }

    /// Sort, drop duplicates and what `per-file-ignores` ignores.
    fn finish(&self, out: &mut Vec<Diagnostic>) {
        let files = &self.files;
        out.sort_by_cached_key(|d| {
            let f = &files[d.file as usize];
            let line = f.lines.line_of(d.span.start as usize);
            let col = d.span.start as usize - f.lines.line_start(line);
            (f.display.clone(), line, col, d.code)
        });
        let mut seen = HashSet::default();
        out.retain(|d| seen.insert((d.file, d.span, d.code)));
        let matchers = &self.setup.matchers;
        out.retain(|d| {
            let ignored = matchers.ignored_in(&files[d.file as usize].rel);
            !ignored
                .iter()
                .any(|s| rules::find(d.code).is_some_and(|r| rules::selector_matches(s, r)))
        });
    }

    /// Run the enabled rules on one file and drop what `# noqa` and supersession remove.
    fn file_findings(&self, file: &File) -> Vec<Diagnostic> {
        if file.template || (file.is_test && !self.setup.include_tests) {
            return Vec::new();
        }
        let code_in_migrations = file.in_migrations && self.setup.config.include_migrations;
        let rules: Vec<&'static Rule> = if file.in_migrations && !code_in_migrations {
            // Migrations are not analysed for queries unless asked (`include-migrations`):
            // only the rules that read them run.
            self.setup
                .rules
                .iter()
                .copied()
                .filter(|r| r.reads.migrations)
                .collect()
        } else {
            self.setup.rules.clone()
        };
        if rules.is_empty() {
            return Vec::new();
        }
        let events =
            if (file.in_migrations && !code_in_migrations) || !rules.iter().any(|r| r.reads.code) {
                Vec::new()
            } else {
                let py = &self.files[..self.python];
                let hooks = self.facts.hooks(&self.index, &self.summaries, py);
                let mut evs =
                    flow::analyze_file_in(&self.index, &self.summaries, py, file, Some(&hooks));
                // what the choices of the file's form fields read per row
                if let Some(extra) = self.facts.form_events.get(&file.id) {
                    evs.extend(extra.iter().cloned());
                }
                evs
            };
        let with_templates = self.setup.cwd.is_some();
        let cx = Context {
            index: &self.index,
            facts: &self.facts,
            file,
            files: &self.files,
            events: &events,
            summaries: &self.summaries,
            templates: with_templates.then_some((&self.files[..], &self.templates)),
            walked: std::cell::OnceCell::new(),
        };
        let mut out = Vec::new();
        for r in &rules {
            (r.check)(&cx, r, &mut out);
        }
        let superseded: Vec<(u32, &str)> = out
            .iter()
            .flat_map(|d| {
                let by = rules::find(d.code).map_or(&[][..], |r| r.supersedes);
                by.iter().map(move |other| (d.span.start, *other))
            })
            .collect();
        out.retain(|d| !superseded.contains(&(d.span.start, d.code)));
        if rules
            .iter()
            .any(|r| r.code == rules::unused_noqa::RULE.code)
        {
            let unused = rules::unused_noqa::unused_noqa(file, &out, &rules);
            out.extend(unused);
        }
        if let Some(text) = file.text.get() {
            out.retain(|d| {
                let line = file.lines.line_of(d.span.start as usize);
                !suppress::is_suppressed(file.lines.line_text(text, line), d.code)
            });
        }
        out
    }
}

/// `models.py`, or a module of a `models/` package: where models are declared.
fn is_models_module(rel: &Path) -> bool {
    rel.file_name().is_some_and(|n| n == "models.py")
        || rel
            .parent()
            .is_some_and(|p| p.components().any(|c| c.as_os_str() == "models"))
}

/// A stand-in while a new file's slot is made (replaced at once).
fn file_placeholder() -> File {
    File {
        id: 0,
        path: PathBuf::new(),
        rel: PathBuf::new(),
        display: String::new(),
        scope: Default::default(),
        ast: Default::default(),
        lines: Default::default(),
        text: Default::default(),
        hash: 0,
        report: false,
        in_migrations: false,
        is_test: false,
        builtin: false,
        template: false,
        quote: std::sync::OnceLock::new(),
        io_error: None,
    }
}
