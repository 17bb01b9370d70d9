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

/// The default `--max-file-size`: no limit below what a span can address (byte offsets are
/// `u32`), so every Python file a project holds is checked, as Ruff does. A bigger file is
/// skipped with a warning.
pub const DEFAULT_MAX_FILE_BYTES: u64 = u32::MAX as u64;

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
    /// The text of a file whose findings are reported (see [`Text`] and
    /// [`File::text_or_reload`]).
    pub text: Text,
    /// [`cache::key`] of the text that was analysed: a file read again later (to show a
    /// location in it) must still have that text.
    pub hash: cache::Key,
    /// Findings in this file are reported (it was passed on the command line).
    pub report: bool,
    pub in_migrations: bool,
    /// Test code (see [`discover::is_test_path`]).
    pub is_test: bool,
    /// One of Django's own models, indexed from djperf's built-in copy.
    pub builtin: bool,
    /// A Django template (text only: no Python AST). Findings in views point into it.
    pub template: bool,
    /// The file (or directory) was to be checked but could not be read: why. Its text and
    /// syntax tree are empty; DJP001 `io-error` reports it.
    pub io_error: Option<String>,
    /// The quote most of its string literals use, once a fix asked (see
    /// [`crate::fix::queryset::quote_style`]).
    pub quote: std::sync::OnceLock<char>,
}

/// A file's text, for files whose findings are reported: read from disk when first asked
/// (and only if it is still the text that was analysed: a file changed since reads as
/// `None`), and let go between the stages of a run ([`Text::release`]), so a run does not
/// hold the text of every file at once. A text given in memory (an editor's buffer, a
/// `--fix` pass) is always kept.
#[derive(Debug, Default)]
pub struct Text {
    cell: std::sync::OnceLock<Option<Arc<str>>>,
    /// Where a released text is read again from, and the key it must have.
    source: Option<Box<(PathBuf, cache::Key)>>,
}

impl Text {
    /// A text kept for the whole run (or none).
    pub fn kept(text: Option<Arc<str>>) -> Text {
        Text {
            cell: std::sync::OnceLock::from(text),
            source: None,
        }
    }

    /// The text of the file at `path` whose text has key `key`, read when asked.
    pub fn on_disk(path: PathBuf, key: cache::Key) -> Text {
        Text {
            cell: std::sync::OnceLock::new(),
            source: Some(Box::new((path, key))),
        }
    }

    pub fn get(&self) -> &Option<Arc<str>> {
        self.cell.get_or_init(|| {
            let (path, key) = &**self.source.as_ref()?;
            reread(path, *key)
        })
    }

    pub fn as_deref(&self) -> Option<&str> {
        self.get().as_deref()
    }

    pub fn is_some(&self) -> bool {
        self.get().is_some()
    }

    pub fn is_none(&self) -> bool {
        self.get().is_none()
    }

    /// Let the text go if it can be read again.
    pub fn release(&mut self) {
        if self.source.is_some() {
            self.cell = std::sync::OnceLock::new();
        }
    }
}

/// The text of the file at `path` if it is still the one with key `key`.
fn reread(path: &Path, key: cache::Key) -> Option<Arc<str>> {
    let bytes = std::fs::read(path).ok()?;
    let text = parse::normalize(parse::decode(&bytes).0);
    (cache::key(&text) == key).then(|| Arc::from(text.as_str()))
}

/// A warning about one file, on stderr only (never fatal to the run): a file that is only
/// indexed could not be read, one vanished, one is over `--max-file-size`. A file to be
/// checked that cannot be read is a DJP001 finding instead.
#[derive(Debug, Clone)]
pub struct FileWarning {
    pub path: String,
    pub message: String,
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
        .map(|r| {
            let loaded = load_one(r, layout, max_bytes, cache);
            crate::progress::tick();
            loaded
        })
        .collect();
    let mut files = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((mut f, w)) => {
                warnings.extend(w);
                f.id = u32::try_from(files.len()).unwrap_or(u32::MAX);
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
    let warn = |message: String| FileWarning {
        path: r.display.clone(),
        message,
    };
    let (text, decode_warning) = match r.override_text {
        Some(t) => (t.to_owned(), None),
        None => match read(&r.path, max_bytes) {
            Ok(bytes) => parse::decode(&bytes),
            Err(Unread::Vanished(e)) => {
                // Found by the walk, gone before it was read (a checkout, a build step, an
                // editor's atomic save): it no longer exists, so no finding of it is lost.
                return Err(warn(format!(
                    "it vanished after it was found; skipped ({e})"
                )));
            }
            Err(Unread::TooBig(len)) => {
                return Err(warn(format!(
                    "{len} bytes is over the size limit of {max_bytes} bytes; skipped"
                )));
            }
            Err(Unread::Failed(why)) if r.report => {
                let why = format!("{why}; not checked");
                return Ok((unreadable(layout, r.path, r.rel, r.display, why), None));
            }
            Err(Unread::Failed(why)) => return Err(warn(why)),
        },
    };
    let text = parse::normalize(text);
    let key = cache.map(|_| cache::key(&text));
    let ast = match cache.zip(key).and_then(|(c, k)| c.get(k)) {
        Some(ast) => ast,
        None => {
            let ast = match parse::parse(&text) {
                Ok(ast) => ast,
                // Python rejects such nesting too: a syntax error (DJP002) at the first line
                // past the limit; nothing else of the file is analysed.
                Err(parse::ParseProblem::TooDeep(at)) if r.report => {
                    let end = text[at..].find(['\n', '\r']).map_or(text.len(), |n| at + n);
                    let start = at + (text[at..end].len() - text[at..end].trim_start().len());
                    Module {
                        has_errors: true,
                        syntax_errors: vec![crate::syntax::errors::SyntaxError {
                            span: crate::source::Span::new(start, end),
                            message: format!(
                                "more than {} nested blocks (Python rejects it: too many \
                                 statically nested blocks); the file was not analysed",
                                parse::MAX_INDENT_LEVELS
                            ),
                        }],
                        ..Module::default()
                    }
                }
                Err(p) if r.report => {
                    let why = match p {
                        parse::ParseProblem::Timeout(secs) => {
                            format!("not checked: parsing took longer than {secs}s")
                        }
                        _ => "not checked: the parser failed".to_owned(),
                    };
                    return Ok((unreadable(layout, r.path, r.rel, r.display, why), None));
                }
                Err(p) => return Err(warn(p.to_string())),
            };
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
    let decode_warning = decode_warning.map(warn);
    let hash = key.unwrap_or_else(|| cache::key(&text));
    let text = match (r.report, r.override_text) {
        (false, _) => Text::kept(None),
        (true, Some(_)) => Text::kept(Some(Arc::from(text.as_str()))),
        (true, None) => Text::on_disk(r.path.clone(), hash),
    };
    let file = File {
        id: 0,
        hash,
        in_migrations,
        is_test: layout.tests.is_test(&r.rel, factory_boy),
        text,
        path: r.path,
        rel: r.rel,
        display: r.display,
        scope,
        ast,
        lines,
        report: r.report,
        builtin: false,
        template: false,
        io_error: None,
        quote: std::sync::OnceLock::new(),
    };
    Ok((file, decode_warning))
}

impl File {
    /// The file's text: the kept one, else read again from disk and taken only if it is
    /// still the text that was analysed (a file changed since gives `None`). For showing
    /// locations in files whose findings are not reported (a related location in a models
    /// module): their text is not kept, to keep memory low.
    pub fn text_or_reload(&self) -> Option<Arc<str>> {
        if let Some(t) = self.text.get() {
            return Some(t.clone());
        }
        if self.builtin || self.template {
            return None;
        }
        reread(&self.path, self.hash)
    }
}

/// Load the text of the files `ids` that have none kept (see [`File::text_or_reload`]).
pub fn reload_texts(files: &mut [File], ids: impl IntoIterator<Item = FileId>) {
    let mut ids: Vec<FileId> = ids.into_iter().collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids {
        if let Some(f) = files.get_mut(id as usize).filter(|f| f.text.is_none()) {
            f.text = Text::kept(f.text_or_reload());
        }
    }
}

/// Why a file's bytes were not read.
enum Unread {
    /// It no longer exists.
    Vanished(std::io::Error),
    /// Over the size limit (its length).
    TooBig(u64),
    /// It exists but cannot be read, or is not a regular file: the message says which.
    Failed(String),
}

/// Read a file's bytes, never blocking on a FIFO or a device: the file is opened
/// non-blocking, and only a regular file (checked on the open handle) is read.
fn read(path: &Path, max_bytes: u64) -> Result<Vec<u8>, Unread> {
    use std::io::Read;
    let failed = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::NotFound && std::fs::symlink_metadata(path).is_ok() {
            // the name is there, what it points to is not
            Unread::Failed("cannot read: a symbolic link to nothing".to_owned())
        } else if e.kind() == std::io::ErrorKind::NotFound {
            Unread::Vanished(e)
        } else {
            Unread::Failed(format!("cannot read: {e}"))
        }
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
        options.custom_flags(0o4000);
    }
    if let Some(kind) = special_kind(path) {
        return Err(Unread::Failed(format!(
            "{kind}, not a regular file: never opened"
        )));
    }
    let mut file = options.open(path).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        let kind = kind_of(&meta.file_type());
        return Err(Unread::Failed(format!(
            "{kind}, not a regular file: not read"
        )));
    }
    if meta.len() > max_bytes {
        return Err(Unread::TooBig(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 1);
    file.read_to_end(&mut bytes).map_err(failed)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Unread::TooBig(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a path is when it is not a regular file or a directory (following symlinks), from
/// `stat` alone: a FIFO or a device is never opened.
fn special_kind(path: &Path) -> Option<&'static str> {
    let meta = std::fs::metadata(path).ok()?;
    let ft = meta.file_type();
    (!ft.is_file()).then(|| kind_of(&ft))
}

fn kind_of(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a directory"
    } else {
        "something else"
    }
}

/// A file (or directory) that was to be checked but could not be read: no text, no syntax
/// tree, and the reason (a whole sentence: `cannot read: ...; not checked`), which DJP001
/// `io-error` reports at its first line.
pub fn unreadable(
    layout: &Layout,
    path: PathBuf,
    rel: PathBuf,
    display: String,
    why: String,
) -> File {
    let module = layout.module_name(&rel);
    let ast = Module::default();
    File {
        id: 0,
        in_migrations: discover::in_migrations(&rel),
        is_test: layout.tests.is_test(&rel, false),
        scope: Scope::build(&module, false, &ast),
        ast,
        lines: LineIndex::new(""),
        text: Text::kept(Some(Arc::from(""))),
        path,
        rel,
        display,
        report: true,
        builtin: false,
        template: false,
        quote: std::sync::OnceLock::new(),
        hash: 0,
        io_error: Some(why),
    }
}

/// Stderr warnings for what DJP001 and DJP002 would report in checked files when those rules
/// are turned off (`ignore`): a file not read must still be said, somewhere.
pub fn unreported_problems(
    files: &[File],
    io_errors: bool,
    syntax_errors: bool,
) -> Vec<FileWarning> {
    files
        .iter()
        .filter(|f| f.report)
        .filter_map(|f| {
            let message = match &f.io_error {
                Some(why) if !io_errors => why.clone(),
                None if !syntax_errors && f.ast.has_errors => {
                    "syntax error; only the parts that parsed were checked".to_owned()
                }
                _ => return None,
            };
            Some(FileWarning {
                path: f.display.clone(),
                message,
            })
        })
        .collect()
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
                text: Text::default(),
                hash: 0,
                report: false,
                in_migrations: false,
                is_test: false,
                builtin: true,
                template: false,
                quote: std::sync::OnceLock::new(),
                io_error: None,
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
