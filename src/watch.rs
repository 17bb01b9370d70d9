//! `djperf check --watch`: check, then check again each time a Python file, a template or a
//! configuration file under the project root changes (as Ruff's `--watch`). Changes that
//! arrive together (a `git checkout`, an editor's save) make one run. Stops on Ctrl-C.

use crate::check::{self, CheckOptions};
use crate::cli::{check_once, CheckArgs};
use notify::{EventKind, RecursiveMode, Watcher};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Quiet time after a change before the run starts, so a burst of changes is one run.
const SETTLE: Duration = Duration::from_millis(150);

/// Whether a change to `path` can change the findings.
fn relevant(path: &Path) -> bool {
    let in_skipped = path.components().any(|c| {
        c.as_os_str()
            .to_str()
            .is_some_and(|n| crate::discover::SKIP_DIRS.contains(&n))
    });
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    !in_skipped && matches!(ext, "py" | "pyi" | "toml" | "html" | "htm" | "txt")
}

/// Run until interrupted; returns an exit code only when watching is impossible.
pub fn run(opts: &CheckOptions, args: &CheckArgs) -> i32 {
    let root = match check::plan(opts) {
        Ok(p) => p.settings().0.to_path_buf(),
        Err(e) => {
            eprintln!("djperf: error: {e}");
            return 2;
        }
    };
    let (tx, rx) = mpsc::channel();
    let watcher = notify::recommended_watcher(tx).and_then(|mut w| {
        w.watch(&root, RecursiveMode::Recursive)?;
        Ok(w)
    });
    let _watcher = match watcher {
        Ok(w) => w,
        Err(e) => {
            eprintln!("djperf: error: cannot watch {}: {e}", root.display());
            return 2;
        }
    };
    let clear = std::io::stdout().is_terminal();
    eprintln!(
        "djperf: watching {} for changes (Ctrl-C to stop)",
        crate::output::escape::human(&root.display().to_string())
    );
    loop {
        if clear {
            // clear the screen and go home, as Ruff does
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\x1b[2J\x1b[1;1H");
            let _ = out.flush();
        }
        check_once(opts, args, false);
        loop {
            match rx.recv() {
                Ok(Ok(ev))
                    if !matches!(ev.kind, EventKind::Access(_))
                        && ev.paths.iter().any(|p| relevant(p)) =>
                {
                    break
                }
                Ok(_) => {}
                Err(_) => {
                    eprintln!("djperf: error: the file watcher stopped");
                    return 2;
                }
            }
        }
        while rx.recv_timeout(SETTLE).is_ok() {}
        eprintln!("djperf: file change detected, checking again");
    }
}
