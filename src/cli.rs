//! Command-line definitions and dispatch.

use crate::baseline;
use crate::check::{self, CheckOptions};
use crate::fix;
use crate::output::{self, Format};
use crate::rules;
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "djperf",
    version,
    about = "Find Django ORM performance problems (N+1 queries, queries in loops) before merge"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check files or directories (default: the current directory).
    Check(Box<CheckArgs>),
    /// List every rule: code, name, default, summary.
    Rules,
    /// Run the language server over stdio (for editors).
    Server,
    /// Print a rule's documentation.
    Explain {
        /// A rule code (DJP101) or name (fk-access-in-loop).
        rule: String,
    },
    /// Developer tools (benchmarks); not a stable interface.
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

#[derive(Subcommand, Debug)]
pub enum DebugCommand {
    /// Walk, read and parse every Python file like `check` does, then drop the trees:
    /// the tree-sitter floor `scripts/bench` compares `check` against.
    ParseOnly {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Skip files larger than this (bytes; K, M and G suffixes allowed).
        #[arg(long = "max-file-size", value_parser = parse_size)]
        max_file_size: Option<u64>,
    },
    /// Panic inside a worker thread, to test that a bug never looks like a clean run.
    Panic,
    /// Write the rules' documentation pages (docs/rules/DJPnnn.md) from the rule table.
    GenDocs {
        /// The folder to write into.
        #[arg(default_value = crate::docs::RULES_DIR)]
        dir: PathBuf,
    },
}

/// A byte count with an optional K, M or G suffix (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{s}` is not a size in bytes (e.g. 1048576, 512K, 10M)"))
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or directories to check; `-` reads from stdin (with --stdin-filename).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(
        long = "output-format",
        visible_alias = "format",
        value_enum,
        default_value = "full"
    )]
    pub output_format: Format,
    /// Write the findings to this file instead of stdout.
    #[arg(long = "output-file")]
    pub output_file: Option<PathBuf>,
    /// Rules to enable, by code or prefix (replaces the defaults).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Rules to enable on top of the defaults.
    #[arg(long = "extend-select", value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Rules to disable, by code or prefix.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 0 even when problems are found.
    #[arg(long = "exit-zero")]
    pub exit_zero: bool,
    /// Print findings only: no summary line, no warnings.
    #[arg(long, short)]
    pub quiet: bool,
    /// Check text read from stdin as if it were the file at this path.
    #[arg(long = "stdin-filename")]
    pub stdin_filename: Option<PathBuf>,
    /// Also report findings in test code (`tests/`, `test_*.py`, `conftest.py`...).
    #[arg(long = "include-tests")]
    pub include_tests: bool,
    /// Apply the configured excludes even to files passed explicitly (pre-commit).
    #[arg(long = "force-exclude")]
    pub force_exclude: bool,
    /// Neither read nor write the cache of parsed files.
    #[arg(long = "no-cache", env = "DJPERF_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,
    /// Where to keep the cache of parsed files [default: <project root>/.djperf_cache].
    #[arg(long = "cache-dir", env = "DJPERF_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Write every current finding to this baseline file and exit 0.
    #[arg(long = "write-baseline", value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report only findings not listed in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report only findings on lines added or changed since the git revision REV (for review
    /// bots; `--diff` is the unified diff of fixes).
    #[arg(long = "changed-since", value_name = "REV")]
    pub changed_since: Option<String>,
    /// When to color the output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Skip files larger than this, with a warning (bytes; K, M and G suffixes allowed).
    #[arg(long = "max-file-size", value_parser = parse_size, default_value = "10M")]
    pub max_file_size: u64,
    /// Apply the safe fixes (add the missing select_related/prefetch_related...), then
    /// report what remains. With stdin input, print the fixed text instead.
    #[arg(long)]
    pub fix: bool,
    /// Also offer the fixes that may change behaviour or cost: `--fix` applies them and
    /// `--diff` shows them. Alone it writes nothing (as in Ruff).
    #[arg(long = "unsafe-fixes")]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exit 1 if there are any.
    #[arg(long = "diff")]
    pub fix_diff: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Run the command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Rules => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{:<8} {:<34} {:<8} summary", "code", "name", "default");
            for r in rules::RULES {
                let _ = writeln!(
                    out,
                    "{:<8} {:<34} {:<8} {}",
                    r.code,
                    r.name,
                    if r.default_enabled { "on" } else { "off" },
                    r.summary
                );
            }
            0
        }
        Command::Explain { rule } => match rules::find(&rule) {
            Some(r) => {
                println!(
                    "# {} ({})\n\n{}\n\n{}",
                    r.name,
                    r.code,
                    r.summary,
                    r.doc.trim_end()
                );
                0
            }
            None => {
                eprintln!("djperf: error: unknown rule `{rule}` (see `djperf rules`)");
                2
            }
        },
        Command::Check(args) => run_check(*args),
        Command::Server => crate::server::run(),
        Command::Debug(DebugCommand::Panic) => {
            use rayon::prelude::*;
            (0..2u8).into_par_iter().for_each(|i| {
                assert!(i > 7, "`djperf debug panic` panics on purpose");
            });
            0
        }
        Command::Debug(DebugCommand::GenDocs { dir }) => match crate::docs::write(&dir) {
            Ok(n) => {
                eprintln!("djperf: wrote {n} pages to {}", dir.display());
                0
            }
            Err(e) => {
                eprintln!("djperf: error: {}: {e}", dir.display());
                2
            }
        },
        Command::Debug(DebugCommand::ParseOnly {
            paths,
            max_file_size,
        }) => {
            let max = max_file_size.unwrap_or(crate::project::DEFAULT_MAX_FILE_BYTES);
            match check::parse_only(&paths, max) {
                Ok(stats) => {
                    for w in &stats.warnings {
                        eprintln!("djperf: warning: {}: {}", w.path, w.message);
                    }
                    println!(
                        "parsed {} files, {} bytes, {} with syntax errors, {} skipped",
                        stats.files,
                        stats.bytes,
                        stats.with_errors,
                        stats.warnings.len()
                    );
                    0
                }
                Err(e) => {
                    eprintln!("djperf: error: {e}");
                    2
                }
            }
        }
    }
}

/// Parse the command line. Help and version print as usual (exit 0); any other problem is
/// one line on stderr and exit code 2, never clap's multi-line usage block.
pub fn parse_args<I, T>(args: I) -> Result<Cli, i32>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::error::ErrorKind;
    match Cli::try_parse_from(args) {
        Ok(cli) => Ok(cli),
        Err(e) => match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                let _ = e.print();
                Err(0)
            }
            ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                eprintln!("djperf: error: a command is needed: check, rules or explain (see `djperf --help`)");
                Err(2)
            }
            _ => {
                let rendered = e.render().to_string();
                let line = rendered
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or("invalid command line");
                let line = line.strip_prefix("error: ").unwrap_or(line);
                eprintln!("djperf: error: {line} (see `djperf --help`)");
                Err(2)
            }
        },
    }
}

fn run_check(args: CheckArgs) -> i32 {
    let mut paths = args.paths.clone();
    let mut stdin = None;
    let reads_stdin = paths.iter().any(|p| p.as_os_str() == "-");
    if reads_stdin || args.stdin_filename.is_some() {
        let Some(name) = args.stdin_filename.clone() else {
            eprintln!("djperf: error: reading from stdin (`-`) needs --stdin-filename PATH");
            return 2;
        };
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("djperf: error: cannot read stdin: {e}");
            return 2;
        }
        paths.retain(|p| p.as_os_str() != "-");
        stdin = Some((name, text));
    }
    let opts = CheckOptions {
        paths,
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        stdin,
        max_file_bytes: Some(args.max_file_size),
        include_tests: args.include_tests,
        force_exclude: args.force_exclude,
        overrides: std::collections::HashMap::new(),
        no_cache: args.no_cache,
        cache_dir: args.cache_dir.clone(),
    };
    if args.fix_diff {
        return run_fix_diff(&opts, &args);
    }
    let mut fixed = None;
    let mut res = if args.fix {
        match run_fix(&opts, &args) {
            Ok((res, n)) => {
                fixed = Some(n);
                res
            }
            Err(code) => return code,
        }
    } else {
        match check::run(&opts) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("djperf: error: {e}");
                return 2;
            }
        }
    };
    if let Some(path) = &args.write_baseline {
        return match baseline::write(&res, path) {
            Ok(n) => {
                eprintln!(
                    "djperf: wrote {n} finding{} to {}",
                    if n == 1 { "" } else { "s" },
                    path.display()
                );
                0
            }
            Err(e) => {
                eprintln!("djperf: error: {e}");
                2
            }
        };
    }
    let filtered = args
        .baseline
        .as_ref()
        .map_or(Ok(()), |b| baseline::apply(&mut res, b))
        .and_then(|()| {
            args.changed_since
                .as_ref()
                .map_or(Ok(()), |rev| baseline::apply_diff(&mut res, rev))
        });
    if let Err(e) = filtered {
        eprintln!("djperf: error: {e}");
        return 2;
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    };
    let had_error = res.had_error();
    for w in &res.warnings {
        if !args.quiet {
            eprintln!("djperf: warning: {}: {}", w.path, w.message);
        }
    }
    let mut out: Box<dyn Write> = match &args.output_file {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("djperf: error: cannot write {}: {e}", p.display());
                return 2;
            }
        },
        None => Box::new(std::io::stdout().lock()),
    };
    let color = color && args.output_file.is_none();
    let written = output::write(&res, args.output_format, color, &mut out).and_then(|()| {
        if args.output_format == Format::Full && !args.quiet {
            writeln!(out, "{}", output::summary(&res))?;
            if fixed.is_none() {
                if let Some(line) = fixable_line(&res, args.unsafe_fixes) {
                    writeln!(out, "{line}")?;
                }
            }
        }
        if let (Some(n), false) = (fixed, args.quiet) {
            let line = format!(
                "Fixed {n} problem{} ({} remaining)",
                if n == 1 { "" } else { "s" },
                res.diagnostics.len()
            );
            if args.output_format == Format::Full {
                writeln!(out, "{line}")?;
            } else {
                eprintln!("djperf: {line}");
            }
        }
        out.flush()
    });
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("djperf: error: cannot write output: {e}");
        }
        return 2;
    }
    let code = if had_error {
        2
    } else if !res.diagnostics.is_empty() && !args.exit_zero {
        1
    } else {
        0
    };
    // The process ends next: freeing every file's syntax tree one by one would take a tenth
    // of a warm run's time, for memory the OS takes back at once.
    std::mem::forget(res);
    code
}

/// `N fixable with --fix (M more with --unsafe-fixes)`, when any finding has a fix. With
/// `--unsafe-fixes` given, `--fix` applies both kinds.
fn fixable_line(res: &check::CheckResult, unsafe_fixes: bool) -> Option<String> {
    let count = |a| {
        res.diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (
        count(crate::diagnostic::Applicability::Safe),
        count(crate::diagnostic::Applicability::Unsafe),
    );
    match (safe, unsafe_) {
        (0, 0) => None,
        (s, u) if unsafe_fixes => Some(format!("{} fixable with --fix", s + u)),
        (s, 0) => Some(format!("{s} fixable with --fix")),
        (0, u) => Some(format!("{u} fixable with --unsafe-fixes")),
        (s, u) => Some(format!(
            "{s} fixable with --fix ({u} more with --unsafe-fixes)"
        )),
    }
}

/// `--fix` (with `--unsafe-fixes`, the unsafe fixes too): apply and write; returns the check
/// of the fixed files and how many findings were fixed, or the exit code when done (stdin, errors).
fn run_fix(opts: &CheckOptions, args: &CheckArgs) -> Result<(check::CheckResult, usize), i32> {
    let outcome = match fix::run(opts, args.unsafe_fixes) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("djperf: error: {e}");
            return Err(2);
        }
    };
    for (file, msg) in &outcome.rolled_back {
        eprintln!("djperf: warning: {file}: fix not applied, the file would not parse: {msg}");
    }
    if let Some((name, text)) = &opts.stdin {
        // Like formatters: the fixed text goes to stdout, nothing is written.
        let fixed = outcome
            .changed
            .iter()
            .find(|c| c.path.ends_with(name) || c.display == name.display().to_string())
            .map_or(text.as_str(), |c| c.fixed.as_str());
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(fixed.as_bytes());
        let _ = out.flush();
        return Err(i32::from(
            !outcome.result.diagnostics.is_empty() && !args.exit_zero,
        ));
    }
    let mut write_failed = false;
    for (file, why) in fix::write_files(&outcome.changed) {
        eprintln!("djperf: error: {file}: {why}");
        write_failed = true;
    }
    if write_failed {
        return Err(2);
    }
    Ok((outcome.result, outcome.fixed))
}

/// `--diff`: print the fixes `--fix` (with `--unsafe-fixes`: also the unsafe ones) would
/// apply, as a unified diff, without writing. Exit 1 when there is anything to change.
/// (`--diff REV` filters findings to changed lines, hence the longer name.)
fn run_fix_diff(opts: &CheckOptions, args: &CheckArgs) -> i32 {
    let outcome = match fix::run(opts, args.unsafe_fixes) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("djperf: error: {e}");
            return 2;
        }
    };
    for (file, msg) in &outcome.rolled_back {
        eprintln!("djperf: warning: {file}: fix not applied, the file would not parse: {msg}");
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = fix::write_diff(&outcome.changed, &mut out) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("djperf: error: cannot write output: {e}");
        }
        return 2;
    }
    let _ = out.flush();
    if !args.quiet {
        eprintln!(
            "djperf: {} fix{} in {} file{} ({} problem{} would remain)",
            outcome.fixed,
            if outcome.fixed == 1 { "" } else { "es" },
            outcome.changed.len(),
            if outcome.changed.len() == 1 { "" } else { "s" },
            outcome.result.diagnostics.len(),
            if outcome.result.diagnostics.len() == 1 {
                ""
            } else {
                "s"
            },
        );
    }
    i32::from(!outcome.changed.is_empty())
}
