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

/// Whether a path is test code: under a `tests`/`test` package, or named `test_*.py`,
/// `*_test.py`, `*_tests.py`, `tests.py` or `conftest.py`. Rules skip it by default: a query
/// per assertion is no production slowness.
pub fn is_test_path(rel: &Path) -> bool {
    let in_test_dir = rel.parent().is_some_and(|p| {
        p.components()
            .any(|c| matches!(c, Component::Normal(n) if n == "tests" || n == "test"))
    });
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.strip_suffix(".py").unwrap_or(name);
    in_test_dir
        || stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || stem == "tests"
        || stem == "conftest"
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
        assert!(!is_test_path(Path::new("shop/views.py")));
        assert_eq!(
            normalize(Path::new("./a/../b/./c.py")),
            PathBuf::from("b/c.py")
        );
    }
}
