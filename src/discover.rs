//! Finding the project root and the Python files to read.

use std::path::{Component, Path, PathBuf};

/// Directory names never descended into.
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".djperf_cache",
    "node_modules",
    "__pycache__",
    "site-packages",
    "build",
    "dist",
    ".venv",
    "venv",
];

const ROOT_MARKERS: &[&str] = &[
    "manage.py",
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    ".git",
];

/// The nearest ancestor of `start` (inclusive) holding a root marker.
pub fn project_root(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut cur: Option<&Path> = Some(if start.is_file() {
        start.parent()?
    } else {
        &start
    });
    while let Some(dir) = cur {
        // `symlink_metadata`: a marker that is a broken link or a symlink loop still marks the
        // root (and reading it then fails loudly instead of the root moving up).
        if ROOT_MARKERS
            .iter()
            .any(|m| std::fs::symlink_metadata(dir.join(m)).is_ok())
        {
            return Some(dir.to_path_buf());
        }
        cur = dir.parent();
    }
    None
}

/// The root to use for a project found at `root`: `root` itself, unless its `manage.py` names
/// a settings module that is only found from a directory above it (pulpcore's
/// `pulpcore/app/manage.py` with `pulpcore.app.settings`, a test project inside a package):
/// then that directory, whose modules the project's imports name.
pub fn settings_root(root: &Path) -> PathBuf {
    let Some(settings) = settings_module(&root.join("manage.py")) else {
        return root.to_path_buf();
    };
    let path = settings.replace('.', "/");
    let found = |base: &Path| {
        let p = base.join(&path);
        p.with_extension("py").is_file() || p.join("__init__.py").is_file()
    };
    if found(root) {
        return root.to_path_buf();
    }
    root.ancestors()
        .skip(1)
        .take(8)
        .find(|a| found(a))
        .map_or_else(|| root.to_path_buf(), Path::to_path_buf)
}

/// Where a project without a root marker starts: the directory holding the outermost
/// package (`__init__.py`) around `start`, so `check site/shop/views.py` still indexes the
/// models of `site/shop/` and its sibling packages in `site/`.
pub fn package_root(start: &Path) -> PathBuf {
    let mut dir = if start.is_dir() {
        start
    } else {
        start.parent().unwrap_or(start)
    };
    while dir.join("__init__.py").is_file() {
        match dir.parent() {
            Some(p) => dir = p,
            None => break,
        }
    }
    dir.to_path_buf()
}

/// A problem met while walking: a directory that cannot be listed (DJP001 when it is under
/// the paths checked), or an entry that vanished during the walk (a warning).
#[derive(Debug, Clone)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
    /// The entry no longer exists (nothing is lost by skipping it).
    pub vanished: bool,
}

/// Whether a directory should be skipped.
pub(crate) fn skip_dir(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    SKIP_DIRS.contains(&name) || path.join("pyvenv.cfg").is_file()
}

/// Every `.py`/`.pyi` file below `root` (or `root` itself if it is a file), sorted; the
/// `.gitignore` files are not consulted (the model index reads every file of the project).
pub fn python_files(root: &Path, problems: &mut Vec<WalkProblem>) -> Vec<PathBuf> {
    python_files_with(root, false, problems)
}

/// [`python_files`], skipping what `.gitignore`, `.git/info/exclude`, the global git excludes
/// and `.ignore` files leave out when `respect_gitignore` (inside a git repository, read with
/// the `ignore` crate, as Ruff does; the ignore files of parent directories count too).
pub fn python_files_with(
    root: &Path,
    respect_gitignore: bool,
    problems: &mut Vec<WalkProblem>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .standard_filters(respect_gitignore)
        .hidden(false)
        .follow_links(false)
        .filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_some_and(|t| t.is_dir()) && skip_dir(e.path()))
        })
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                let Some(ft) = e.file_type() else { continue };
                let regular = ft.is_file() || (ft.is_symlink() && e.path().is_file());
                if regular && is_python(e.path()) {
                    out.push(e.into_path());
                }
            }
            Err(err) => problems.push(walk_problem(&err)),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The path, message and kind of a walk error (the `ignore` crate nests them).
fn walk_problem(err: &ignore::Error) -> WalkProblem {
    let mut path = PathBuf::new();
    let mut inner = err;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path = p.clone();
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            _ => break,
        }
    }
    let io = err.io_error();
    // "Permission denied (os error 13)", without the path the message already names (the
    // walker wraps the OS error in its own, which prints the path).
    let os = io.and_then(|e| {
        e.raw_os_error().or_else(|| {
            e.get_ref()
                .and_then(|inner| inner.downcast_ref::<walkdir::Error>())
                .and_then(walkdir::Error::io_error)
                .and_then(std::io::Error::raw_os_error)
        })
    });
    let message = match (os, io) {
        (Some(n), _) => std::io::Error::from_raw_os_error(n).to_string(),
        (None, Some(e)) => e.to_string(),
        (None, None) => inner.to_string(),
    };
    WalkProblem {
        path,
        message,
        vanished: io.is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound),
    }
}

pub fn is_python(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("py" | "pyi"))
}

/// Whether a path lies inside a `migrations` package.
pub fn in_migrations(rel: &Path) -> bool {
    rel.components()
        .any(|c| matches!(c, Component::Normal(n) if n == "migrations"))
}

/// Whether a path is test code by the built-in rules: under a `tests`/`test`/`testing`/
/// `testutils` package, or named `test_*.py`, `*_test.py`, `*_tests.py`, `tests.py`,
/// `testing.py`, `testutils.py` or `conftest.py`, or a management command that makes sample
/// data (`populatedb`, `*demo*`, `*sample_data*`, `*test_data*`, `*fake*`). Rules skip it by
/// default: a query per assertion is no production slowness. [`TestPaths`] adds the
/// configured globs and factory_boy modules.
pub fn is_test_path(rel: &Path) -> bool {
    let dirs: Vec<&str> = rel
        .parent()
        .into_iter()
        .flat_map(Path::components)
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect();
    let in_test_dir = dirs
        .iter()
        .any(|n| matches!(*n, "tests" | "test" | "testing" | "testutils"));
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name
        .strip_suffix(".py")
        .or_else(|| name.strip_suffix(".pyi"))
        .unwrap_or(name);
    let sample_data_command = dirs.ends_with(&["management", "commands"])
        && (stem == "populatedb"
            || stem == "populate_db"
            || [
                "demo",
                "sample_data",
                "sampledata",
                "test_data",
                "testdata",
                "fake",
            ]
            .iter()
            .any(|w| stem.contains(w)));
    in_test_dir
        || sample_data_command
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || matches!(stem, "tests" | "conftest" | "testing" | "testutils")
}

/// Which files are test code: the built-in rules ([`is_test_path`], and modules that import
/// factory_boy), or, when `test-paths` is configured, those globs instead; `extend-test-paths`
/// adds globs to either. Globs match a path relative to the project root, any of its
/// directories, or the file name, like `exclude`.
#[derive(Debug, Clone, Default)]
pub struct TestPaths {
    /// `test-paths` replaces the built-in rules.
    pub replace: bool,
    pub globs: Option<globset::GlobSet>,
}

impl TestPaths {
    /// Whether the file at `rel`, whose module imports `imports` (top-level module names),
    /// is test code.
    pub fn is_test(&self, rel: &Path, imports_factory_boy: bool) -> bool {
        let by_glob = self.globs.as_ref().is_some_and(|g| {
            crate::config::path_candidates(rel)
                .iter()
                .any(|c| g.is_match(c))
        });
        by_glob || (!self.replace && (is_test_path(rel) || imports_factory_boy))
    }
}

/// Why a directory is an import root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootKind {
    /// The project root.
    Project,
    /// A `src = [...]` entry of `[tool.djperf]`.
    Configured,
    /// `<root>/src` (a `src/` layout).
    SrcLayout,
    /// A directory holding `manage.py` (`python manage.py` puts it first on `sys.path`).
    ManagePy,
}

/// One directory absolute imports start from.
#[derive(Debug, Clone)]
pub struct ImportRoot {
    /// Relative to the project root (empty: the root itself).
    pub dir: PathBuf,
    pub kind: RootKind,
    /// Files below it take their module name from it. A `manage.py` directory whose
    /// `DJANGO_SETTINGS_MODULE` is only found from a shallower root (a test project inside a
    /// package, pulpcore's `pulpcore/app/manage.py`) resolves imports but names nothing.
    pub primary: bool,
}

/// The directories absolute imports are resolved from, found the way Django finds them:
/// the project root, `src = [...]` from the configuration, a `src/` layout, and every
/// directory holding `manage.py`. A file's module name is its path below the deepest primary
/// root holding it (`project/shop/models.py` with `project/manage.py` is `shop.models`,
/// whether djperf runs from the repository or from `project/`); its names from the other
/// roots (`project.shop.models`) are aliases that [`crate::index::imports::ModuleAliases`]
/// maps back.
#[derive(Debug, Clone, Default)]
pub struct ImportRoots {
    /// Deepest first (ties: in path order).
    pub roots: Vec<ImportRoot>,
}

impl ImportRoots {
    /// The import roots of the project at `root`, whose Python files are `rels` (relative to
    /// `root`); `configured` are the `src` entries of the configuration (relative to `root`).
    pub fn find(root: &Path, rels: &[&Path], configured: &[PathBuf]) -> ImportRoots {
        let mut roots = vec![ImportRoot {
            dir: PathBuf::new(),
            kind: RootKind::Project,
            primary: true,
        }];
        let mut add = |dir: PathBuf, kind: RootKind, primary: bool| {
            if !roots.iter().any(|r| r.dir == dir) {
                roots.push(ImportRoot { dir, kind, primary });
            }
        };
        for c in configured {
            let dir = normalize(c);
            if dir.as_os_str() != ".." && !dir.starts_with("..") {
                add(dir, RootKind::Configured, true);
            }
        }
        let src = root.join("src");
        if src.is_dir() && !src.join("__init__.py").is_file() {
            add(PathBuf::from("src"), RootKind::SrcLayout, true);
        }
        let mut manage: Vec<&Path> = rels
            .iter()
            .filter(|r| r.file_name().is_some_and(|n| n == "manage.py"))
            .filter_map(|r| r.parent())
            .collect();
        manage.sort();
        manage.dedup();
        for dir in manage {
            if dir.as_os_str().is_empty() {
                continue;
            }
            let primary = match settings_module(&root.join(dir).join("manage.py")) {
                Some(settings) => {
                    let found_in = |base: &Path| {
                        let p = base.join(settings.replace('.', "/"));
                        p.with_extension("py").is_file() || p.join("__init__.py").is_file()
                    };
                    // Only found from a shallower root: the project imports it by that name.
                    found_in(&root.join(dir)) || !found_in(root)
                }
                None => true,
            };
            add(dir.to_path_buf(), RootKind::ManagePy, primary);
        }
        roots.sort_by(|a, b| {
            b.dir
                .components()
                .count()
                .cmp(&a.dir.components().count())
                .then_with(|| a.dir.cmp(&b.dir))
        });
        ImportRoots { roots }
    }

    /// Whether there is more than the project root.
    pub fn is_trivial(&self) -> bool {
        self.roots.len() <= 1
    }

    /// The dotted module name of a file at `rel` (relative to the project root).
    pub fn module_name(&self, rel: &Path) -> String {
        self.roots
            .iter()
            .filter(|r| r.primary)
            .find_map(|r| rel.strip_prefix(&r.dir).ok())
            .map_or_else(|| module_name(rel), module_name)
    }

    /// Every other dotted name of the file at `rel`: its module name from each root holding
    /// it that is not the one that names it.
    pub fn other_names(&self, rel: &Path) -> Vec<String> {
        let own = self.module_name(rel);
        let mut out: Vec<String> = self
            .roots
            .iter()
            .filter_map(|r| rel.strip_prefix(&r.dir).ok())
            .map(module_name)
            .filter(|n| !n.is_empty() && *n != own)
            .collect();
        out.dedup();
        out
    }
}

/// The literal `DJANGO_SETTINGS_MODULE` a `manage.py` sets
/// (`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")`).
fn settings_module(manage_py: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manage_py).ok()?;
    let at = text.find("DJANGO_SETTINGS_MODULE")?;
    let rest = &text[at + "DJANGO_SETTINGS_MODULE".len()..];
    let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
    let line = rest.lines().next()?;
    let start = line.find(['"', '\''])?;
    let quote = line[start..].chars().next()?;
    let body = &line[start + 1..];
    let value = &body[..body.find(quote)?];
    let dotted = value
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || c == '_'));
    dotted.then(|| value.to_owned())
}

/// Lexically normalise a path (no filesystem access): drops `.`, folds `..`.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The dotted module name of a file relative to the project root.
pub fn module_name(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.last_mut() {
        for ext in [".pyi", ".py"] {
            if let Some(stem) = last.strip_suffix(ext) {
                *last = stem.to_owned();
                break;
            }
        }
    }
    if parts.last().is_some_and(|l| l == "__init__") {
        parts.pop();
    }
    parts.join(".")
}

/// A path as text with `/` separators. `\\` is a separator only on Windows: on Unix it is an
/// ordinary character of a file name (`back\\slash.py`), kept as is.
pub fn slashed(path: &Path) -> String {
    let s = path.to_string_lossy();
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// How a path is shown: relative to the current directory when below it, with `/`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let s = slashed(shown);
    if s.is_empty() {
        ".".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names() {
        assert_eq!(module_name(Path::new("shop/models.py")), "shop.models");
        assert_eq!(
            module_name(Path::new("shop/models/__init__.py")),
            "shop.models"
        );
        assert_eq!(module_name(Path::new("manage.py")), "manage");
        assert!(in_migrations(Path::new("shop/migrations/0001_initial.py")));
        assert!(!in_migrations(Path::new("shop/models.py")));
        assert!(is_test_path(Path::new("shop/tests/test_views.py")));
        assert!(is_test_path(Path::new("shop/tests.py")));
        assert!(is_test_path(Path::new("shop/test_api.py")));
        assert!(!is_test_path(Path::new("shop/testing_utils.py")));
        assert!(is_test_path(Path::new("core/testing/filters.py")));
        assert!(is_test_path(Path::new("apps/testing.py")));
        assert!(is_test_path(Path::new("pretix/testutils/mock.py")));
        assert!(is_test_path(Path::new(
            "core/management/commands/generate_test_data.py"
        )));
        assert!(is_test_path(Path::new(
            "dcim/management/commands/create_breakout_demo_data.py"
        )));
        assert!(is_test_path(Path::new(
            "shop/management/commands/populatedb.py"
        )));
        assert!(!is_test_path(Path::new(
            "shop/management/commands/migrate_prices.py"
        )));
        assert!(!is_test_path(Path::new("shop/demo_views.py")));
        assert!(!is_test_path(Path::new("pulpcore/download/factory.py")));
        let globs = |replace: bool| TestPaths {
            replace,
            globs: Some(
                globset::GlobSetBuilder::new()
                    .add(globset::Glob::new("qa").unwrap())
                    .build()
                    .unwrap(),
            ),
        };
        assert!(globs(false).is_test(Path::new("shop/qa/seed.py"), false));
        assert!(globs(false).is_test(Path::new("shop/tests.py"), false));
        assert!(globs(false).is_test(Path::new("shop/factory.py"), true));
        assert!(globs(true).is_test(Path::new("shop/qa/seed.py"), false));
        assert!(!globs(true).is_test(Path::new("shop/tests.py"), true));
        assert!(!is_test_path(Path::new("shop/views.py")));
        assert_eq!(
            normalize(Path::new("./a/../b/./c.py")),
            PathBuf::from("b/c.py")
        );
    }
}
