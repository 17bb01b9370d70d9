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
    Rules {
        /// `text` (a table) or `json` (every field, documentation included).
        #[arg(
            long = "output-format",
            visible_alias = "format",
            value_enum,
            default_value = "text"
        )]
        output_format: RulesFormat,
    },
    /// Run the language server over stdio (for editors).
    Server,
    /// Print a rule's documentation (without a rule: list the rules).
    Explain {
        /// A rule code (DJP101) or name (fk-access-in-loop).
        rule: Option<String>,
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
    /// Skip files larger than this, with a warning (bytes; K, M and G suffixes allowed)
    /// [default: no limit: every file is checked].
    #[arg(long = "max-file-size", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Report files that .gitignore, .git/info/exclude and .ignore files leave out too.
    #[arg(long = "no-respect-gitignore")]
    pub no_respect_gitignore: bool,
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
    /// Join the findings with the queries a test run made (a log written by
    /// `pytest -p djperf_capture --djperf-queries=FILE`): confirm them with the figures and
    /// report repeated queries no finding explains (DJP190).
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,
    /// With --queries: also list the findings the tests ran without confirming them.
    #[arg(long = "show-unconfirmed", requires = "queries")]
    pub show_unconfirmed: bool,
    /// Order of the findings: by location, or (with --queries) by measured cost first.
    #[arg(long, value_enum, default_value = "location")]
    pub sort: SortOrder,
    /// With --queries and --fix: write a query-count test next to each test that confirmed
    /// a fixed finding; without --fix: set those tests' counts to the ones measured in FILE.
    #[arg(long = "write-query-tests", requires = "queries")]
    pub write_query_tests: bool,
    /// A configuration file to use instead of the one found in the project root, or a TOML
    /// `KEY = VALUE` setting that overrides one setting (repeatable).
    #[arg(long, value_name = "CONFIG_OPTION")]
    pub config: Vec<String>,
    /// Print how many findings each rule has (a table, or JSON with --output-format json)
    /// instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Show each available fix as a diff under its finding (full format); with --fix, list
    /// what was fixed.
    #[arg(long = "show-fixes")]
    pub show_fixes: bool,
    /// Add `# noqa: CODE` to every line that has a finding, then exit.
    #[arg(long = "add-noqa", conflicts_with_all = ["fix", "unsafe_fixes", "fix_diff", "watch", "write_baseline", "statistics"])]
    pub add_noqa: bool,
    /// Check again whenever a Python file or the configuration changes.
    #[arg(long, short = 'w', conflicts_with_all = ["stdin_filename", "write_baseline"])]
    pub watch: bool,
    /// Print the settings this run would use (root, configuration file, rules, excludes...),
    /// then exit.
    #[arg(long = "show-settings")]
    pub show_settings: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SortOrder {
    Location,
    Cost,
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
        Command::Rules { output_format } => list_rules(output_format),
        Command::Explain { rule: None } => list_rules(RulesFormat::Text),
        Command::Explain { rule: Some(rule) } => match rules::find(&rule) {
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

/// `djperf rules`: a table, or every rule as JSON (`--output-format json`).
fn list_rules(format: RulesFormat) -> i32 {
    let mut out = std::io::stdout().lock();
    let written = if format == RulesFormat::Json {
        let rules: Vec<serde_json::Value> = rules::RULES
            .iter()
            .map(|r| {
                serde_json::json!({
                    "code": r.code,
                    "name": r.name,
                    "summary": r.summary,
                    "default": r.default_enabled,
                    "severity": r.severity.as_str(),
                    "url": r.url(),
                    "explanation": r.doc,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &rules)
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out))
    } else {
        writeln!(out, "{:<8} {:<34} {:<8} summary", "code", "name", "default").and_then(|()| {
            rules::RULES.iter().try_for_each(|r| {
                let default = if rules::always_selected(r) {
                    "always"
                } else if r.default_enabled {
                    "on"
                } else {
                    "off"
                };
                writeln!(
                    out,
                    "{:<8} {:<34} {default:<8} {}",
                    r.code, r.name, r.summary
                )
            })
        })
    };
    match written {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("djperf: error: cannot write output: {e}");
            2
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
                let line = one_line(&e.render().to_string());
                eprintln!("djperf: error: {line} (see `djperf --help`)");
                Err(2)
            }
        },
    }
}

/// Clap's error as one line: the error, then the accepted values and clap's "a similar
/// value exists" tips, without the usage block.
fn one_line(rendered: &str) -> String {
    let mut lines = rendered.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("invalid command line");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let mut out = first.to_owned();
    // "the following required arguments were not provided:" lists them below
    if first.ends_with(':') {
        if let Some(next) = lines.next() {
            out.push(' ');
            out.push_str(next);
        }
    }
    for l in lines {
        if l.starts_with("[possible values:") {
            out.push(' ');
            out.push_str(l);
        } else if let Some(tip) = l.strip_prefix("tip: ") {
            out.push_str("; ");
            out.push_str(tip);
        }
    }
    out
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
    let config = match crate::config::ConfigArgs::parse(&args.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("djperf: error: {e}");
            return 2;
        }
    };
    let opts = CheckOptions {
        paths,
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
        stdin,
        max_file_bytes: args.max_file_size,
        include_tests: args.include_tests,
        force_exclude: args.force_exclude,
        overrides: std::collections::HashMap::new(),
        no_cache: args.no_cache,
        cache_dir: args.cache_dir.clone(),
        no_respect_gitignore: args.no_respect_gitignore,
        config,
    };
    if args.show_settings {
        return crate::settings::show(&opts);
    }
    if args.add_noqa {
        return crate::noqa::add_noqa(&opts, args.quiet);
    }
    if args.watch {
        return crate::watch::run(&opts, &args);
    }
    check_once(&opts, &args, true)
}

/// One check with the output the arguments ask for; returns the exit code. `last`: the
/// process ends next (not in `--watch`), so the result is not freed.
pub(crate) fn check_once(opts: &CheckOptions, args: &CheckArgs, last: bool) -> i32 {
    let log = match &args.queries {
        Some(path) => match crate::measure::log::Log::read(path) {
            Ok(log) => Some(log),
            Err(e) => {
                eprintln!("djperf: error: {e}");
                return 2;
            }
        },
        None => None,
    };
    if let Err(e) = measure_args_ok(args, log.is_some()) {
        eprintln!("djperf: error: {e} (see `djperf --help`)");
        return 2;
    }
    if args.fix_diff {
        return run_fix_diff(opts, args);
    }
    let progress = crate::progress::start(
        args.output_format.is_human() && !args.quiet && std::io::stderr().is_terminal(),
    );
    let fixing = args.fix;
    // A log captured before --fix describes the code before it: join it with that code.
    let before = match (&log, fixing) {
        (Some(log), true) => match check::run(opts) {
            Ok(mut r) => {
                crate::measure::join(
                    &mut r,
                    log.clone(),
                    &log_name(args),
                    measure_options(args, true),
                );
                Some(r)
            }
            Err(e) => {
                eprintln!("djperf: error: {e}");
                return 2;
            }
        },
        _ => None,
    };
    let mut fixed = None;
    let mut stale = std::collections::HashSet::new();
    let mut res = if fixing {
        match run_fix(opts, args) {
            Ok((res, list, moved)) => {
                fixed = Some(list);
                stale = moved;
                res
            }
            Err(code) => return code,
        }
    } else {
        match check::run(opts) {
            Ok(r) => r,
            Err(e) => {
                drop(progress);
                eprintln!("djperf: error: {e}");
                return 2;
            }
        }
    };
    drop(progress);
    if let (Some(log), true) = (&log, args.write_query_tests) {
        let written = match before.as_ref().filter(|_| fixing) {
            Some(before) => write_query_tests(before, &res, log, args),
            None => crate::measure::query_tests::refresh(log, &res.root, &log_name(args)),
        };
        if let Err(code) = report_query_tests(&written, args.quiet) {
            return code;
        }
    }
    if let Some(log) = log {
        let stale = stale.into_iter().collect();
        crate::measure::join_after_fix(
            &mut res,
            log,
            &log_name(args),
            measure_options(args, false),
            before.as_ref().and_then(|b| b.measure.as_ref()),
            &stale,
        );
    }
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
    if args.sort == SortOrder::Cost {
        crate::measure::sort_by_cost(&mut res);
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    };
    if !args.quiet {
        for w in &res.warnings {
            eprintln!(
                "djperf: warning: {}: {}",
                output::escape::human(&w.path),
                output::escape::human(&w.message)
            );
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
    let oopts = output::Options {
        color: color && args.output_file.is_none(),
        unsafe_fixes: args.unsafe_fixes,
        show_fixes: args.show_fixes,
    };
    let format = args.output_format;
    let written = if args.statistics {
        output::statistics::write(&res, format == Format::Json, &oopts, &mut out)
    } else {
        output::write_with(&res, format, &oopts, &mut out)
    }
    .and_then(|()| {
        if args.quiet || !format.is_human() {
            return Ok(());
        }
        match &fixed {
            None => output::write_summary(&res, format, &oopts, &mut out),
            Some(_) if format == Format::Full => writeln!(out, "{}", output::summary(&res)),
            Some(_) => Ok(()),
        }
    })
    .and_then(|()| {
        if let (Some(line), false) = (crate::measure::summary(&res), args.quiet) {
            if format == Format::Full {
                writeln!(out, "{line}")?;
            } else {
                eprintln!("djperf: {line}");
            }
        }
        let (Some(list), false) = (&fixed, args.quiet) else {
            return Ok(());
        };
        let line = format!(
            "Fixed {} problem{} ({} remaining)",
            list.len(),
            if list.len() == 1 { "" } else { "s" },
            res.diagnostics.len()
        );
        if format.is_human() {
            writeln!(out, "{line}")?;
            if args.show_fixes {
                output::fixes::write_fixed(list, &mut out)?;
            }
        } else {
            eprintln!("djperf: {line}");
            if args.show_fixes {
                output::fixes::write_fixed(list, &mut std::io::stderr())?;
            }
        }
        Ok(())
    })
    .and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("djperf: error: cannot write output: {e}");
        }
        return 2;
    }
    let code = i32::from(!res.diagnostics.is_empty() && !args.exit_zero);
    if !last {
        return code;
    }
    // The process ends next: freeing every file's syntax tree one by one would take a tenth
    // of a warm run's time, for memory the OS takes back at once.
    std::mem::forget(res);
    code
}

/// The log as named in messages: the path given.
fn log_name(args: &CheckArgs) -> String {
    args.queries
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn measure_options(args: &CheckArgs, show_unconfirmed: bool) -> crate::measure::Options {
    crate::measure::Options {
        show_unconfirmed: show_unconfirmed || args.show_unconfirmed,
        include_tests: args.include_tests,
    }
}

/// Combinations of the measuring options that cannot work.
fn measure_args_ok(args: &CheckArgs, has_log: bool) -> Result<(), &'static str> {
    if args.sort == SortOrder::Cost && !has_log {
        return Err("--sort cost needs the measured costs of --queries FILE");
    }
    if args.write_query_tests && args.fix_diff {
        return Err("--write-query-tests writes test files; it does not combine with --diff");
    }
    if args.write_query_tests
        && (args.stdin_filename.is_some() || args.paths.iter().any(|p| p.as_os_str() == "-"))
    {
        return Err("--write-query-tests writes test files; it does not combine with stdin input");
    }
    Ok(())
}

/// The confirmed findings of `before` that the fix run removed, as query-count tests.
fn write_query_tests(
    before: &check::CheckResult,
    after: &check::CheckResult,
    log: &crate::measure::log::Log,
    args: &CheckArgs,
) -> Vec<crate::measure::query_tests::Written> {
    use crate::diagnostic::Applicability;
    use crate::measure::{query_tests, Status};
    let remaining: std::collections::HashSet<&str> =
        after.fingerprints.iter().map(String::as_str).collect();
    let Some(joined) = &before.measure else {
        return Vec::new();
    };
    let mut fixed = Vec::new();
    for ((d, fp), m) in before
        .diagnostics
        .iter()
        .zip(&before.fingerprints)
        .zip(&joined.per)
    {
        let (Some(m), Some(fix)) = (m, &d.fix) else {
            continue;
        };
        let usable = fix.applicability == Applicability::Safe || args.unsafe_fixes;
        if m.status != Status::Confirmed || !usable || remaining.contains(fp.as_str()) {
            continue;
        }
        let f = before.file(d.file);
        let line = f.lines.line_of(d.span.start as usize) + 1;
        fixed.push(query_tests::FixedFinding {
            describe: format!(
                "{} at {}:{line} made {} identical queries",
                d.code, f.display, m.queries
            ),
            groups: m.groups.clone(),
            prefetch: fix
                .edits
                .iter()
                .any(|e| e.content.contains("prefetch_related") || e.content.contains("Prefetch(")),
        });
    }
    let planned = query_tests::plan(log, &fixed);
    query_tests::write(log, &before.root, &planned)
}

/// Write the generated or refreshed tests and say what was done.
fn report_query_tests(
    written: &[crate::measure::query_tests::Written],
    quiet: bool,
) -> Result<(), i32> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut failed = false;
    for w in written {
        let shown = crate::discover::display_path(&w.path, &cwd);
        if let Some(text) = &w.text {
            if let Err(e) = std::fs::write(&w.path, text) {
                eprintln!("djperf: error: {shown}: cannot write: {e}");
                failed = true;
                continue;
            }
        }
        if quiet {
            continue;
        }
        for (name, n, how) in &w.tests {
            eprintln!(
                "djperf: {shown}: `{name}` asserts {n} quer{} ({how})",
                if *n == 1 { "y" } else { "ies" }
            );
        }
        for (test, why) in &w.skipped {
            eprintln!("djperf: warning: no query-count test for `{test}`: {why}");
        }
    }
    if failed {
        Err(2)
    } else {
        Ok(())
    }
}

/// The file and rule of each finding `--fix` fixed.
type FixedList = Vec<(String, &'static str)>;

/// `--fix` (with `--unsafe-fixes`, the unsafe fixes too): apply and write; returns the check of the fixed files, how
/// many findings were fixed and the files whose lines the fixes moved (added or removed
/// lines), or the exit code when done (stdin, errors).
fn run_fix(
    opts: &CheckOptions,
    args: &CheckArgs,
) -> Result<
    (
        check::CheckResult,
        FixedList,
        std::collections::HashSet<PathBuf>,
    ),
    i32,
> {
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
    let moved = outcome
        .changed
        .iter()
        .filter(|c| c.original.lines().count() != c.fixed.lines().count())
        .map(|c| c.path.clone())
        .collect();
    Ok((outcome.result, outcome.fixed_codes, moved))
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
