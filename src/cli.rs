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
    /// Also apply fixes that may change behaviour or cost (implies --fix unless --diff).
    #[arg(long = "unsafe-fixes")]
    pub unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them; exit 1 if there are any.
    #[arg(long = "diff")]
    pub fix_diff: bool,
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
    let mut out = first.strip_prefix("error: ").unwrap_or(first).to_owned();
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
    if args.fix_diff {
        return run_fix_diff(opts, args);
    }
    let progress = crate::progress::start(
        args.output_format.is_human() && !args.quiet && std::io::stderr().is_terminal(),
    );
    let mut fixed = None;
    let mut res = if args.fix || args.unsafe_fixes {
        match run_fix(opts, args) {
            Ok((res, list)) => {
                fixed = Some(list);
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
    if last {
        // The process ends next: freeing every file's syntax tree one by one would take a
        // tenth of a warm run's time, for memory the OS takes back at once.
        std::mem::forget(res);
    }
    code
}

/// The file and rule of each finding `--fix` fixed.
type FixedList = Vec<(String, &'static str)>;

/// `--fix` / `--unsafe-fixes`: apply and write; returns the check of the fixed files and
/// how many findings were fixed, or the exit code when done (stdin, errors).
fn run_fix(opts: &CheckOptions, args: &CheckArgs) -> Result<(check::CheckResult, FixedList), i32> {
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
    Ok((outcome.result, outcome.fixed_codes))
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
