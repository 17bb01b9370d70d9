//! Loading a project: every Python file under the root, read and parsed in parallel.

use crate::ast::Module;
use crate::cache::{self, Cache};
use crate::discover;
use crate::parse;
use crate::semantic::imports::{ModuleAliases, Scope};
use crate::source::LineIndex;
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::source::FileId;

/// Files larger than this are skipped with a warning (generated code, data dumps).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// One parsed file. The tree-sitter tree is gone; the lowered [`Module`] stays.
#[derive(Debug)]
pub struct File {
    pub id: FileId,
    /// The path as found on disk.
    pub path: PathBuf,
    /// Relative to the project root (module names and migrations come from it).
    pub rel: PathBuf,
    /// The path as shown in output.
    pub display: String,
    pub scope: Scope,
    pub ast: Module,
    pub lines: LineIndex,
    /// The text, kept for files whose findings are reported.
    pub text: Option<Arc<str>>,
    /// Findings in this file are reported (it was passed on the command line).
    pub report: bool,
    pub in_migrations: bool,
    /// Test code (see [`discover::is_test_path`]).
    pub is_test: bool,
    /// One of Django's own models, indexed from djperf's built-in copy.
    pub builtin: bool,
    /// A Django template (text only: no Python AST). Findings in views point into it.
    pub template: bool,
    /// The quote most of its string literals use, once a fix asked (see
    /// [`crate::fix::queryset::quote_style`]).
    pub quote: std::sync::OnceLock<char>,
}

/// A warning about one file (never fatal to the run).
#[derive(Debug, Clone)]
pub struct FileWarning {
    pub path: String,
    pub message: String,
    /// True for problems that mean djperf could not do its job on the file (exit code 2).
    pub error: bool,
}

/// How the files of a project are named and classified: their module names from the import
/// roots, and which of them are test code.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub roots: discover::ImportRoots,
    pub aliases: Arc<ModuleAliases>,
    pub tests: discover::TestPaths,
}

impl Layout {
    /// The layout of the project at `root` whose Python files are `paths` (absolute, or
    /// relative to `root`), with the `src` and test-path settings of its configuration.
    pub fn new(root: &Path, paths: &[&Path], config: &crate::config::Config) -> Layout {
        let rels: Vec<&Path> = paths
            .iter()
            .map(|p| p.strip_prefix(root).unwrap_or(p))
            .collect();
        let roots = discover::ImportRoots::find(root, &rels, &config.src);
        let aliases = Arc::new(ModuleAliases::build(&roots, &rels));
        Layout {
            roots,
            aliases,
            tests: config.test_paths.clone(),
        }
    }

    /// The dotted module name of the file at `rel` (relative to the project root).
    pub fn module_name(&self, rel: &Path) -> String {
        self.roots.module_name(rel)
    }
}

pub struct LoadRequest<'a> {
    pub path: PathBuf,
    pub rel: PathBuf,
    pub display: String,
    pub report: bool,
    /// Text to use instead of reading the file (editors' unsaved buffers).
    pub override_text: Option<&'a str>,
}

/// Read, decode and parse files in parallel. Output order follows the input order.
/// With a `cache`, a file whose text was lowered before is read from it instead of parsed.
pub fn load(
    reqs: Vec<LoadRequest<'_>>,
    layout: &Layout,
    max_bytes: u64,
    cache: Option<&Cache>,
    warnings: &mut Vec<FileWarning>,
) -> Vec<File> {
    let results: Vec<Result<(File, Option<FileWarning>), FileWarning>> = reqs
        .into_par_iter()
        .map(|r| load_one(r, layout, max_bytes, cache))
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((mut f, w)) => {
                warnings.extend(w);
                f.id = u32::try_from(files.len()).unwrap_or(u32::MAX);
                if f.ast.has_errors && f.report {
                    warnings.push(FileWarning {
                        path: f.display.clone(),
                        message: "syntax error; only the parts that parsed were checked".into(),
                        error: false,
                    });
                }
                files.push(f);
            }
            Err(w) => warnings.push(w),
        }
    }
    files
}

fn load_one(
    r: LoadRequest<'_>,
    layout: &Layout,
    max_bytes: u64,
    cache: Option<&Cache>,
) -> Result<(File, Option<FileWarning>), FileWarning> {
    let warn = |message: String, error: bool| FileWarning {
        path: r.display.clone(),
        message,
        error,
    };
    let (text, decode_warning) = match r.override_text {
        Some(t) => (t.to_owned(), None),
        None => {
            let meta = std::fs::metadata(&r.path).map_err(|e| warn(read_error(&e), r.report))?;
            if !meta.is_file() {
                return Err(warn("not a regular file; skipped".into(), false));
            }
            if meta.len() > max_bytes {
                return Err(warn(
                    format!(
                        "{} bytes is over the size limit of {max_bytes} bytes; skipped",
                        meta.len()
                    ),
                    false,
                ));
            }
            let bytes = std::fs::read(&r.path).map_err(|e| warn(read_error(&e), r.report))?;
            parse::decode(&bytes)
        }
    };
    let text = parse::normalize(text);
    let key = cache.map(|_| cache::key(&text));
    let ast = match cache.zip(key).and_then(|(c, k)| c.get(k)) {
        Some(ast) => ast,
        None => {
            let ast = parse::parse(&text).map_err(|p| warn(p.to_string(), false))?;
            // Editors' unsaved buffers are not worth keeping.
            if let (Some(c), Some(k), None) = (cache, key, r.override_text) {
                c.put(k, &ast);
            }
            ast
        }
    };
    let module = layout.module_name(&r.rel);
    let is_package = r.rel.file_stem().is_some_and(|s| s == "__init__");
    let scope = Scope::build_in(&module, is_package, &ast, Some(layout.aliases.clone()));
    // factory_boy factories are test support wherever they live.
    let factory_boy = scope
        .names
        .values()
        .any(|q| q == "factory" || q.starts_with("factory."));
    let lines = LineIndex::new(&text);
    let in_migrations = discover::in_migrations(&r.rel);
    let decode_warning = decode_warning.map(|m| warn(m, false));
    let file = File {
        id: 0,
        in_migrations,
        is_test: layout.tests.is_test(&r.rel, factory_boy),
        text: r.report.then(|| Arc::from(text.as_str())),
        path: r.path,
        rel: r.rel,
        display: r.display,
        scope,
        ast,
        lines,
        report: r.report,
        builtin: false,
        template: false,
        quote: std::sync::OnceLock::new(),
    };
    Ok((file, decode_warning))
}

/// The warning for a file that was found but could not be read.
fn read_error(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        // Found by the walk, gone before it was read (a checkout, a build step, an editor).
        format!("cannot read: it vanished after it was found ({e})")
    } else {
        format!("cannot read: {e}")
    }
}

/// Django's built-in models (contenttypes, auth, admin, sessions, sites, redirects,
/// flatpages), parsed from djperf's own copy: one file per module of Django's, so each model
/// is named from the module it is imported from.
pub fn builtin_files() -> Vec<File> {
    let text = include_str!("index/builtin_models.py");
    builtin_sections(text)
        .into_iter()
        .enumerate()
        .map(|(i, (module, section))| {
            let ast = parse::parse(section).unwrap_or_default();
            let scope = Scope::build(module, false, &ast);
            let rel = PathBuf::from(format!("{}.py", module.replace('.', "/")));
            File {
                id: 0x8000_0000 + u32::try_from(i).unwrap_or(0),
                path: PathBuf::from("<django>").join(rel.strip_prefix("django").unwrap_or(&rel)),
                rel,
                display: "<django>".into(),
                lines: LineIndex::new(section),
                scope,
                ast,
                text: None,
                report: false,
                in_migrations: false,
                is_test: false,
                builtin: true,
                template: false,
                quote: std::sync::OnceLock::new(),
            }
        })
        .collect()
}

/// The `# module: <dotted>` sections of the built-in models' text.
fn builtin_sections(text: &str) -> Vec<(&str, &str)> {
    const MARK: &str = "# module: ";
    let mut starts: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if let Some(m) = line.strip_prefix(MARK) {
            starts.push((at, m.trim()));
        }
        at += line.len();
    }
    starts
        .iter()
        .enumerate()
        .map(|(i, (start, module))| {
            let end = starts.get(i + 1).map_or(text.len(), |n| n.0);
            (*module, &text[*start..end])
        })
        .collect()
}

/// Files of the project by path, to know whether a path is already loaded.
pub fn by_path(files: &[File]) -> HashMap<&Path, FileId> {
    files.iter().map(|f| (f.path.as_path(), f.id)).collect()
}
