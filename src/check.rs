//! One `djperf check` run: discover, load and index the project, run the rules, sort.

use crate::cache::Cache;
use crate::config::{self, Config};
use crate::diagnostic::Diagnostic;
use crate::discover;
use crate::fingerprint;
use crate::project::{self, File, FileWarning, LoadRequest};
use crate::rules::{self, Rule};
use crate::session::{Session, Setup};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    /// Rule selectors enabled (`DJP1`, `DJP101`, `ALL`); empty means the defaults.
    pub select: Vec<String>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// Check this text as if it were the file at this path (`--stdin-filename`).
    pub stdin: Option<(PathBuf, String)>,
    pub max_file_bytes: Option<u64>,
    /// Report findings in test code too (skipped by default).
    pub include_tests: bool,
    /// Apply the configured excludes even to files passed explicitly (`--force-exclude`).
    pub force_exclude: bool,
    /// Analyse the data-migration code of `migrations/` too (`--include-migrations`, or the
    /// `include-migrations` setting).
    pub include_migrations: bool,
    /// Texts to check instead of the files on disk, by absolute path (`--fix` passes).
    pub overrides: std::collections::HashMap<PathBuf, String>,
    /// Read and write no on-disk cache (`--no-cache`).
    pub no_cache: bool,
    /// Where the cache lives (`--cache-dir`; default: the config's `cache-dir`, else
    /// `<root>/.djperf_cache`).
    pub cache_dir: Option<PathBuf>,
    /// Report files that `.gitignore` leaves out too (`--no-respect-gitignore`).
    pub no_respect_gitignore: bool,
    /// `--config`: a configuration file instead of discovery, and settings over it.
    pub config: config::ConfigArgs,
}

pub struct CheckResult {
    pub files: Vec<File>,
    pub diagnostics: Vec<Diagnostic>,
    pub warnings: Vec<FileWarning>,
    /// Files whose findings were reported.
    pub checked: usize,
    pub elapsed: Duration,
    pub root: PathBuf,
    /// The configuration in effect (from the project root).
    pub config: Config,
    /// One stable fingerprint per diagnostic, same order (see [`crate::fingerprint`]).
    pub fingerprints: Vec<String>,
    /// The codes of the rules the run enabled.
    pub rules: Vec<&'static str>,
    /// The join with a capture log (`--queries`), one entry per diagnostic (see
    /// [`crate::measure`]).
    pub measure: Option<crate::measure::Joined>,
}

impl CheckResult {
    pub fn file(&self, id: u32) -> &File {
        &self.files[id as usize]
    }

    /// Keep the diagnostics (and their fingerprints and measurements) for which `keep` is
    /// true.
    pub fn retain(&mut self, mut keep: impl FnMut(&Diagnostic, &str, &File) -> bool) {
        let diags = std::mem::take(&mut self.diagnostics);
        let fps = std::mem::take(&mut self.fingerprints);
        let mut measured = self
            .measure
            .as_mut()
            .map(|m| std::mem::take(&mut m.per).into_iter());
        for (d, fp) in diags.into_iter().zip(fps) {
            let m = measured.as_mut().and_then(Iterator::next).flatten();
            if keep(&d, &fp, &self.files[d.file as usize]) {
                self.diagnostics.push(d);
                self.fingerprints.push(fp);
                if let Some(j) = self.measure.as_mut() {
                    j.per.push(m);
                }
            }
        }
    }
}

/// An error that stops the run (exit code 2).
#[derive(Debug)]
pub struct CheckError(pub String);

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The rules a run enables, in table order.
pub fn enabled_rules(opts: &CheckOptions) -> Result<Vec<&'static Rule>, CheckError> {
    for s in opts
        .select
        .iter()
        .chain(&opts.extend_select)
        .chain(&opts.ignore)
    {
        if !rules::is_valid_selector(s) {
            return Err(CheckError(format!("unknown rule selector `{s}`")));
        }
    }
    Ok(rules::RULES
        .iter()
        .filter(|r| {
            let selected = if opts.select.is_empty() {
                r.default_enabled
            } else {
                opts.select.iter().any(|s| rules::selector_matches(s, r))
            } || opts
                .extend_select
                .iter()
                .any(|s| rules::selector_matches(s, r))
                || rules::always_selected(r);
            selected && !opts.ignore.iter().any(|s| rules::selector_matches(s, r))
        })
        .collect())
}

/// Discover, load, index and check: the whole run.
pub fn run(opts: &CheckOptions) -> Result<CheckResult, CheckError> {
    plan(opts).map(Plan::analyse)
}

/// A run whose files are discovered but not yet read: [`plan`] walks the paths, then
/// [`Plan::analyse`] reads, indexes and checks them. A file may change or vanish in between
/// (another process, a `git checkout`); that is a warning, never a panic.
pub struct Plan<'a> {
    reqs: Vec<LoadRequest<'a>>,
    layout: project::Layout,
    max_file_bytes: u64,
    warnings: Vec<FileWarning>,
    /// Directories under the paths checked that could not be listed (DJP001).
    unreadable: Vec<File>,
    include_tests: bool,
    rules: Vec<&'static Rule>,
    matchers: config::Matchers,
    start: Instant,
    cwd: PathBuf,
    cache: Option<Cache>,
    cache_dir: Option<PathBuf>,
    root: PathBuf,
    config: Config,
    dependents: Option<Dependents>,
}

/// How to find the findings that belong to the passed files elsewhere (see
/// [`crate::dependents`]).
#[derive(Clone, Copy)]
struct Dependents {
    /// Only in files `.gitignore` leaves in (as a walk of the project would report them).
    respect_gitignore: bool,
}

impl Plan<'_> {
    /// The project root, its configuration, the rules enabled, the max file size and the
    /// cache directory (`--show-settings`).
    pub fn settings(&self) -> (&Path, &Config, &[&'static Rule], u64, Option<&Path>) {
        (
            &self.root,
            &self.config,
            &self.rules,
            self.max_file_bytes,
            self.cache_dir.as_deref(),
        )
    }

    /// Every file the run will read, in order, and whether its findings are reported.
    pub fn files(&self) -> impl Iterator<Item = (&Path, bool)> {
        self.reqs.iter().map(|r| (r.path.as_path(), r.report))
    }

    /// Read, index and check the discovered files.
    pub fn analyse(self) -> CheckResult {
        let ctx = Analysis {
            include_tests: self.include_tests,
            rules: &self.rules,
            matchers: &self.matchers,
            start: self.start,
            cwd: Some(self.cwd),
            cache: self.cache.as_ref(),
            dependents: self.dependents,
        };
        analyse(
            self.reqs,
            self.unreadable,
            &self.layout,
            self.max_file_bytes,
            self.warnings,
            &ctx,
            self.root,
            self.config,
        )
    }
}

/// Discover the files of a run (see [`Plan`]).
pub fn plan(opts: &CheckOptions) -> Result<Plan<'_>, CheckError> {
    let start = Instant::now();
    let cwd = std::env::current_dir()
        .map_err(|e| CheckError(format!("cannot read the current directory: {e}")))?;
    let mut paths: Vec<PathBuf> = opts.paths.clone();
    if let Some((p, _)) = &opts.stdin {
        paths = vec![p.clone()];
    }
    if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let abs = |p: &Path| {
        discover::normalize(&if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd.join(p)
        })
    };
    let stdin_path = opts.stdin.as_ref().map(|(p, _)| abs(p));
    for p in &paths {
        let a = abs(p);
        if stdin_path.as_ref() != Some(&a) && std::fs::symlink_metadata(&a).is_err() {
            return Err(CheckError(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    let first = abs(&paths[0]);
    // a --stdin-filename may not exist on disk yet: search from its nearest existing ancestor
    let probe = first.ancestors().find(|a| a.exists()).unwrap_or(&first);
    let root = discover::project_root(probe)
        .map(|r| discover::normalize(&discover::settings_root(&r)))
        .unwrap_or_else(|| discover::package_root(probe));
    // canonical root for prefix tests against walked paths
    let root = if first.starts_with(&root) {
        root
    } else {
        std::fs::canonicalize(&root).unwrap_or(root)
    };

    let mut config = config::load_with(&root, &opts.config).map_err(CheckError)?;
    config.include_migrations |= opts.include_migrations;
    let matchers = config.matchers().map_err(CheckError)?;
    // The command line is the last layer, as in Ruff: its `--select` replaces the file's
    // `select` and `extend-select`; otherwise extend-select and ignore add up.
    let cli_selects = !opts.select.is_empty();
    let effective = CheckOptions {
        select: if cli_selects {
            opts.select.clone()
        } else {
            config.select.clone().unwrap_or_default()
        },
        extend_select: config
            .extend_select
            .iter()
            .filter(|_| !cli_selects)
            .chain(&opts.extend_select)
            .cloned()
            .collect(),
        ignore: config.ignore.iter().chain(&opts.ignore).cloned().collect(),
        ..opts.clone()
    };
    let rules = enabled_rules(&effective)?;
    let force_exclude = opts.force_exclude || config.force_exclude;
    let rel_of = |p: &Path| {
        p.strip_prefix(&root)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| p.to_path_buf())
    };

    let mut walk_problems = Vec::new();
    let respect_gitignore = !opts.no_respect_gitignore && config.respect_gitignore != Some(false);
    // Files to report: everything under the paths given.
    let mut reported: BTreeSet<PathBuf> = BTreeSet::new();
    for p in &paths {
        let a = abs(p);
        // Explicitly passed files are checked even when excluded (or git-ignored), unless
        // forced; so is anything named that is not a directory (a FIFO or a device is
        // reported as not read, DJP001, and never opened).
        if stdin_path.as_ref() == Some(&a) || !a.is_dir() {
            if !(force_exclude && matchers.is_excluded(&rel_of(&a))) {
                reported.insert(a);
            }
            continue;
        }
        let base = rel_of(&a);
        let excluded = |f: &Path| {
            let rel = rel_of(f);
            // patterns apply below the directory that was passed
            let below = rel.strip_prefix(&base).unwrap_or(&rel);
            matchers.is_excluded(below) || (force_exclude && matchers.is_excluded(&rel))
        };
        let mut problems = Vec::new();
        reported.extend(
            discover::python_files_with(&a, respect_gitignore, &mut problems)
                .into_iter()
                .filter(|f| !excluded(f)),
        );
        walk_problems.extend(problems.into_iter().filter(|w| !excluded(&w.path)));
    }
    // Files to index: everything under the project root, plus the reported ones.
    let mut all: BTreeSet<PathBuf> = discover::python_files(&root, &mut Vec::new())
        .into_iter()
        .collect();
    all.extend(reported.iter().cloned());
    if let Some(sp) = &stdin_path {
        all.insert(sp.clone());
    }
    let layout = project::Layout::new(
        &root,
        &all.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
        &config,
    );
    let reqs: Vec<LoadRequest<'_>> = all
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| p.file_name().map(PathBuf::from).unwrap_or_default());
            LoadRequest {
                path: p.clone(),
                rel,
                display: discover::display_path(p, &cwd),
                report: reported.contains(p),
                override_text: opts.overrides.get(p).map(String::as_str).or(
                    match (&stdin_path, &opts.stdin) {
                        (Some(sp), Some((_, text))) if sp == p => Some(text.as_str()),
                        _ => None,
                    },
                ),
            }
        })
        .collect();
    // A directory under the paths checked that cannot be listed is a file not checked
    // (DJP001); an entry that vanished during the walk is only a warning.
    let (vanished, unlisted): (Vec<_>, Vec<_>) =
        walk_problems.into_iter().partition(|w| w.vanished);
    let warnings: Vec<FileWarning> = vanished
        .into_iter()
        .map(|w| FileWarning {
            path: discover::display_path(&w.path, &cwd),
            message: w.message,
        })
        .collect();
    let unreadable = unlisted
        .into_iter()
        .filter(|w| !reported.contains(&w.path))
        .map(|w| {
            let rel = rel_of(&w.path);
            let display = discover::display_path(&w.path, &cwd);
            let why = format!("cannot list the directory: {}; not checked", w.message);
            project::unreadable(&layout, w.path, rel, display, why)
        })
        .collect();
    let cache_dir = (!opts.no_cache).then(|| match (&opts.cache_dir, &config.cache_dir) {
        (Some(d), _) => abs(d),
        (None, Some(d)) => d.clone(),
        (None, None) => root.join(crate::cache::DIR_NAME),
    });
    let cache = cache_dir.as_deref().and_then(Cache::open);
    Ok(Plan {
        reqs,
        layout,
        max_file_bytes: opts
            .max_file_bytes
            .unwrap_or(project::DEFAULT_MAX_FILE_BYTES),
        warnings,
        unreadable,
        include_tests: opts.include_tests,
        rules,
        matchers,
        start,
        cwd,
        cache,
        cache_dir,
        root,
        config,
        dependents: opts
            .stdin
            .is_none()
            .then_some(Dependents { respect_gitignore }),
    })
}

/// What [`analyse`] needs besides the files.
struct Analysis<'a> {
    include_tests: bool,
    rules: &'a [&'static Rule],
    matchers: &'a config::Matchers,
    start: Instant,
    /// The working directory (for shown paths) when the project is on disk: templates are
    /// read from it. `None` for in-memory checks.
    cwd: Option<PathBuf>,
    /// The on-disk cache of lowered files (see [`crate::cache`]).
    cache: Option<&'a Cache>,
    /// Also report findings in other files that belong to the passed files (see
    /// [`crate::dependents`]); not for an editor's buffer on stdin.
    dependents: Option<Dependents>,
}

/// Load, index and check `reqs`, then sort: everything after discovery.
#[allow(clippy::too_many_arguments)] // the plan's parts, moved in
fn analyse(
    reqs: Vec<LoadRequest<'_>>,
    unreadable: Vec<File>,
    layout: &project::Layout,
    max_file_bytes: u64,
    mut warnings: Vec<FileWarning>,
    cx: &Analysis<'_>,
    root: PathBuf,
    config: Config,
) -> CheckResult {
    let rules = cx.rules;
    crate::progress::phase(crate::progress::Phase::Parsing, reqs.len());
    let mut files = project::load(reqs, layout, max_file_bytes, cx.cache, &mut warnings);
    crate::progress::phase(crate::progress::Phase::Indexing, 0);
    for mut f in unreadable {
        f.id = u32::try_from(files.len()).unwrap_or(u32::MAX);
        files.push(f);
    }
    let on = |code: &str| rules.iter().any(|r| r.code == code);
    warnings.extend(project::unreported_problems(
        &files,
        on("DJP001"),
        on("DJP002"),
    ));
    if let Some(c) = cx.cache {
        c.prune();
    }
    let checked = files.iter().filter(|f| f.report).count();
    let mut session = Session::new(
        files,
        Setup {
            layout: layout.clone(),
            root,
            config,
            matchers: cx.matchers.clone(),
            rules: cx.rules.to_vec(),
            include_tests: cx.include_tests,
            cwd: cx.cwd.clone(),
        },
    );
    crate::progress::phase(crate::progress::Phase::Checking, checked);
    let mut diagnostics = session.check_all();
    crate::progress::mem("checked");
    if let Some(d) = cx.dependents {
        let root = session.setup().root.clone();
        // walked only when a passed file declares something
        let reportable = move || {
            d.respect_gitignore.then(|| {
                discover::python_files_with(&root, true, &mut Vec::new())
                    .into_iter()
                    .collect()
            })
        };
        session.add_dependents(&mut diagnostics, reportable);
    }
    let rules = cx.rules.iter().map(|r| r.code).collect();
    let (mut files, setup) = session.into_parts();
    // Locations in files whose text is not kept (a related location in a models module):
    // their columns and source lines need it.
    project::reload_texts(
        &mut files,
        diagnostics.iter().flat_map(|d| {
            d.related
                .iter()
                .map(|r| r.file)
                .chain(d.fix.iter().flat_map(|f| f.edits.iter().map(|e| e.file)))
        }),
    );
    warnings.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    let mut res = CheckResult {
        files,
        diagnostics,
        warnings,
        checked,
        elapsed: cx.start.elapsed(),
        root: setup.root,
        config: setup.config,
        fingerprints: Vec::new(),
        rules,
        measure: None,
    };
    res.fingerprints = fingerprint::fingerprints(&res);
    // What reads the result (output, fixes, baselines, the query join, `noqa`) needs the
    // files' texts, lines and syntax errors only: the rest of their lowered modules is freed
    // before the output is built.
    for f in &mut res.files {
        let m = std::mem::take(&mut f.ast);
        f.ast = crate::ast::Module {
            has_errors: m.has_errors,
            syntax_errors: m.syntax_errors,
            truncated: m.truncated,
            ..crate::ast::Module::default()
        };
    }
    crate::progress::mem("result");
    res
}

/// The whole check path on one in-memory file, every rule enabled, no filesystem access:
/// source text in, diagnostics out (the fuzz target and property tests drive this).
/// `rel` is the file's path relative to a virtual project root (e.g. `app/views.py`).
pub fn check_source(rel: &str, text: &str) -> CheckResult {
    let rules: Vec<&'static Rule> = rules::RULES.iter().collect();
    let rel = PathBuf::from(rel);
    let req = LoadRequest {
        path: rel.clone(),
        display: rel.to_string_lossy().into_owned(),
        rel,
        report: true,
        override_text: Some(text),
    };
    let config = Config::default();
    let Ok(matchers) = config.matchers() else {
        unreachable!("the default configuration has no patterns to fail on")
    };
    let cx = Analysis {
        include_tests: true,
        rules: &rules,
        matchers: &matchers,
        start: Instant::now(),
        cwd: None,
        cache: None,
        dependents: None,
    };
    analyse(
        vec![req],
        Vec::new(),
        &project::Layout::default(),
        project::DEFAULT_MAX_FILE_BYTES,
        Vec::new(),
        &cx,
        PathBuf::new(),
        config,
    )
}

/// What `djperf debug parse-only` measured.
#[derive(Debug, Default)]
pub struct ParseOnlyStats {
    pub files: usize,
    pub bytes: u64,
    pub with_errors: usize,
    pub warnings: Vec<FileWarning>,
}

/// The parse floor: the same walk as `check` (every Python file under each path), the same
/// rayon pool, read + decode + tree-sitter parse, tree dropped; no lowering, index or rules.
pub fn parse_only(paths: &[PathBuf], max_file_bytes: u64) -> Result<ParseOnlyStats, CheckError> {
    let mut problems = Vec::new();
    let mut all: BTreeSet<PathBuf> = BTreeSet::new();
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            return Err(CheckError(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
        all.extend(discover::python_files(p, &mut problems));
    }
    let all: Vec<PathBuf> = all.into_iter().collect();
    let results: Vec<Result<(u64, bool), FileWarning>> = all
        .par_iter()
        .map(|p| {
            let warn = |message: String| FileWarning {
                path: p.display().to_string(),
                message,
            };
            let meta = std::fs::metadata(p).map_err(|e| warn(format!("cannot read: {e}")))?;
            if !meta.is_file() || meta.len() > max_file_bytes {
                return Err(warn("skipped".into()));
            }
            let bytes = std::fs::read(p).map_err(|e| warn(format!("cannot read: {e}")))?;
            let (text, _) = crate::parse::decode(&bytes);
            let text = crate::parse::normalize(text);
            let errors = crate::parse::parse_only(&text).map_err(|e| warn(e.to_string()))?;
            Ok((bytes.len() as u64, errors))
        })
        .collect();
    let mut stats = ParseOnlyStats::default();
    for r in results {
        match r {
            Ok((n, errors)) => {
                stats.files += 1;
                stats.bytes += n;
                stats.with_errors += usize::from(errors);
            }
            Err(w) => stats.warnings.push(w),
        }
    }
    Ok(stats)
}
