//! `djperf check --show-settings`: the settings a run would use, resolved from the
//! configuration file, `--config` settings and the command line (as Ruff's
//! `--show-settings`), then the files it would report.

use crate::check::{self, CheckOptions};
use crate::output::escape;
use std::io::Write;

/// Print the settings of the run `opts` describes; returns the exit code.
pub fn show(opts: &CheckOptions) -> i32 {
    let plan = match check::plan(opts) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("djperf: error: {e}");
            return 2;
        }
    };
    let (root, config, rules, max_bytes, cache) = plan.settings();
    let quote = |s: &str| format!("{:?}", s);
    let list = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|s| quote(s)).collect();
        format!("[{}]", items.join(", "))
    };
    let mut out = Vec::new();
    let mut line = |k: &str, v: String| out.push(format!("{k:<27} = {v}"));
    line("root", quote(&root.display().to_string()));
    line(
        "config-file",
        config.path.as_ref().map_or_else(
            || "(none: defaults)".to_owned(),
            |p| quote(&p.display().to_string()),
        ),
    );
    let codes: Vec<String> = rules.iter().map(|r| r.code.to_owned()).collect();
    line("rules", list(&codes));
    line("exclude", list(&config.exclude));
    let pfi: Vec<String> = config
        .per_file_ignores
        .iter()
        .map(|(g, c)| format!("{} = {}", quote(g), list(c)))
        .collect();
    line(
        "per-file-ignores",
        if pfi.is_empty() {
            "{}".to_owned()
        } else {
            format!("{{ {} }}", pfi.join(", "))
        },
    );
    line(
        "force-exclude",
        (opts.force_exclude || config.force_exclude).to_string(),
    );
    line(
        "respect-gitignore",
        (!opts.no_respect_gitignore && config.respect_gitignore != Some(false)).to_string(),
    );
    line("include-tests", opts.include_tests.to_string());
    line(
        "max-file-size",
        if max_bytes >= crate::project::DEFAULT_MAX_FILE_BYTES {
            "none".to_owned()
        } else {
            max_bytes.to_string()
        },
    );
    line(
        "cache-dir",
        cache.map_or_else(
            || "(no cache)".to_owned(),
            |p| quote(&p.display().to_string()),
        ),
    );
    let o = &config.options;
    line(
        "large-charfield-max-length",
        o.large_charfield_max_length.to_string(),
    );
    line(
        "max-indexes",
        o.max_indexes
            .map_or_else(|| "(no limit)".to_owned(), |n| n.to_string()),
    );
    line(
        "database",
        o.database
            .as_deref()
            .map_or_else(|| "(from the settings)".to_owned(), quote),
    );
    let reported: Vec<String> = plan
        .files()
        .filter(|(_, report)| *report)
        .map(|(p, _)| {
            let shown = p.strip_prefix(root).unwrap_or(p);
            escape::human(&shown.to_string_lossy()).into_owned()
        })
        .collect();
    let indexed = plan.files().count();
    let mut stdout = std::io::stdout().lock();
    let written = out
        .iter()
        .try_for_each(|l| writeln!(stdout, "{l}"))
        .and_then(|()| {
            writeln!(
                stdout,
                "\n# {} file{} reported, {indexed} indexed:",
                reported.len(),
                if reported.len() == 1 { "" } else { "s" }
            )
        })
        .and_then(|()| reported.iter().try_for_each(|f| writeln!(stdout, "{f}")));
    match written {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("djperf: error: cannot write output: {e}");
            2
        }
    }
}
