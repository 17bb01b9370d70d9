//! A progress line on stderr for long runs: `djperf: parsing 3120/7037 files`.
//!
//! Library code only counts (relaxed atomics, a few per file); the CLI starts a reporter
//! thread when stderr is a terminal and the format is one people read. The line appears only
//! after [`DELAY`] (short runs never show it) and is erased when the run ends, so it never
//! mixes with the findings, and nothing is written when stderr is piped or redirected.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a run goes before the line appears (`DJPERF_PROGRESS_DELAY_MS` overrides it,
/// for tests).
pub const DELAY: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(100);

static PHASE: AtomicU8 = AtomicU8::new(0);
static DONE: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicUsize = AtomicUsize::new(0);

/// A stage of a run, as the line names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Idle = 0,
    Parsing = 1,
    Indexing = 2,
    Checking = 3,
}

/// Enter `phase`, with `total` units to do (files; 0 when not counted).
pub fn phase(phase: Phase, total: usize) {
    DONE.store(0, Ordering::Relaxed);
    TOTAL.store(total, Ordering::Relaxed);
    PHASE.store(phase as u8, Ordering::Relaxed);
}

/// One unit of the current phase done.
pub fn tick() {
    DONE.fetch_add(1, Ordering::Relaxed);
}

fn line() -> Option<String> {
    let (done, total) = (DONE.load(Ordering::Relaxed), TOTAL.load(Ordering::Relaxed));
    let done = done.min(total);
    Some(match PHASE.load(Ordering::Relaxed) {
        1 => format!("djperf: parsing {done}/{total} files"),
        2 => "djperf: indexing the project".to_owned(),
        3 => format!("djperf: checking {done}/{total} files"),
        _ => return None,
    })
}

/// The reporter thread; dropping it stops the thread and erases the line.
pub struct Reporter {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Start reporting (when `enabled`) on stderr.
pub fn start(enabled: bool) -> Option<Reporter> {
    phase(Phase::Idle, 0);
    if !enabled {
        return None;
    }
    let delay = std::env::var("DJPERF_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(DELAY, Duration::from_millis);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("djperf-progress".into())
        .spawn(move || {
            let start = Instant::now();
            let mut shown = false;
            let mut last = String::new();
            while !flag.load(Ordering::Relaxed) {
                if start.elapsed() >= delay {
                    if let Some(l) = line() {
                        if l != last {
                            let mut err = std::io::stderr().lock();
                            let _ = write!(err, "\r\x1b[2K{l}");
                            let _ = err.flush();
                            last = l;
                            shown = true;
                        }
                    }
                }
                std::thread::park_timeout(TICK);
            }
            if shown {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        })
        .ok()?;
    Some(Reporter {
        stop,
        thread: Some(thread),
    })
}

impl Drop for Reporter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
        phase(Phase::Idle, 0);
    }
}

/// With `DJPERF_MEMTRACE=1`, print the process's resident and peak resident memory on stderr
/// at a named point of the run (Linux; for measuring where memory goes, see the README's
/// performance section). Nothing otherwise.
pub fn mem(at: &str) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if !*ON.get_or_init(|| std::env::var_os("DJPERF_MEMTRACE").is_some_and(|v| v != "0")) {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .unwrap_or(0)
    };
    eprintln!(
        "djperf memtrace: {at}: rss {} MB, peak {} MB",
        kb("VmRSS:") / 1024,
        kb("VmHWM:") / 1024
    );
}
