//! `djperf check --queries FILE`: the static findings joined with the queries a test run
//! really made (recorded by the `djperf_capture` Python package, `python/`).
//!
//! The join is a pass over a finished [`CheckResult`]: it never changes what the rules find.
//!
//! - A **group** is the queries of one scope (a test's body, or one request outside tests)
//!   with the same SQL fingerprint and the same stack of project frames.
//! - A finding of an N+1 rule **matches** a group when the group's stack runs through the
//!   line that queries per row: the finding's primary span for the rules reported where the
//!   row is read (DJP101-DJP105, DJP112, DJP202, DJP404), its related locations for the rules
//!   reported at a view's queryset (DJP110, DJP111, DJP120, DJP130, DJP131: the template
//!   line, the serializer field, the admin column). When the capture knows the columns of the
//!   expression that ran (Python 3.11+), they must overlap the span, so two findings on one
//!   line are told apart.
//! - **confirmed**: a matching group of at least [`MIN_CONFIRM`] identical queries. The
//!   figures are those of the worst group (most queries), plus totals over all scopes.
//! - **not confirmed**: no such group, but some captured stack (setup and teardown included)
//!   ran through one of the finding's lines: the tests ran the code and did not see the
//!   repetition (a static false positive, or tests with one row). Hidden unless
//!   `--show-unconfirmed`; DJP404 is never hidden (it is about one query, not repetition).
//! - **not reached**: no captured stack touches the finding's lines: shown as before.
//! - **DJP190** `runtime-n-plus-one`: a group of at least [`MIN_RUNTIME`] identical queries
//!   in one scope that no finding matches, reported at its innermost project frame.

pub mod log;
pub mod query_tests;

use crate::check::CheckResult;
use crate::diagnostic::{Diagnostic, Related};
use crate::project::FileId;
use crate::source::Span;
use log::{Frame, Group, Log};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};

/// Identical queries in one scope that confirm a static finding.
pub const MIN_CONFIRM: u32 = 2;
/// Identical queries in one scope, unexplained by any finding, that make a DJP190.
pub const MIN_RUNTIME: u32 = 3;

/// Reported where the row is read: the primary span is the line that queries.
const ROW_CODES: &[&str] = &[
    "DJP101", "DJP102", "DJP103", "DJP104", "DJP105", "DJP112", "DJP202",
];
/// Reported at a view's queryset: the related locations are the per-row reads.
const VIEW_CODES: &[&str] = &["DJP110", "DJP111", "DJP120", "DJP130", "DJP131"];
/// Confirmed when it repeats, but never "not confirmed": one avoidable query is its claim.
const REPEAT_OPTIONAL: &[&str] = &["DJP404"];

/// The runtime rule's code.
pub const RUNTIME_CODE: &str = "DJP190";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    NotConfirmed,
    NotReached,
    /// A DJP190 finding: seen at run time only.
    Runtime,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Confirmed => "confirmed",
            Status::NotConfirmed => "not-confirmed",
            Status::NotReached => "not-reached",
            Status::Runtime => "runtime",
        }
    }
}

/// What the capture says about one finding.
#[derive(Debug, Clone)]
pub struct Measured {
    pub status: Status,
    /// The worst scope's identical queries (confirmed, runtime); for a finding not
    /// confirmed, the most queries its lines made in one scope (0 or 1).
    pub queries: u32,
    /// Time of those queries, in milliseconds.
    pub ms: f64,
    /// The worst scope: a test id, or a request (`GET /books/`).
    pub scope: Option<String>,
    /// The worst group's SQL fingerprint.
    pub sql: Option<String>,
    /// Scopes in which it repeated (confirmed, runtime) or that ran its lines (not confirmed).
    pub scopes: u32,
    /// The scopes are requests outside tests (a dev server), not tests.
    pub requests: bool,
    /// Over every repeating group.
    pub total_queries: u64,
    pub total_ms: f64,
    /// The repeating groups in test scopes (indices into the log's groups).
    pub groups: Vec<u32>,
}

impl Measured {
    fn empty(status: Status) -> Measured {
        Measured {
            status,
            queries: 0,
            ms: 0.0,
            scope: None,
            sql: None,
            scopes: 0,
            requests: false,
            total_queries: 0,
            total_ms: 0.0,
            groups: Vec::new(),
        }
    }
}

/// The join of one run, kept in [`CheckResult::measure`].
pub struct Joined {
    /// The log as named on the command line.
    pub name: String,
    pub log: Log,
    /// One entry per diagnostic of the result, same order (`None`: not measurable).
    pub per: Vec<Option<Measured>>,
    /// Findings not confirmed and left out (without `--show-unconfirmed`).
    pub hidden: usize,
    /// Per group of the log: some finding runs through it.
    pub explained: Vec<bool>,
}

impl Joined {
    fn count(&self, status: Status) -> usize {
        self.per
            .iter()
            .flatten()
            .filter(|m| m.status == status)
            .count()
    }
}

/// How the join runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Keep the findings the tests ran without confirming them.
    pub show_unconfirmed: bool,
    /// Report DJP190 in test code too (`--include-tests`).
    pub include_tests: bool,
}

/// Resolve each log file to a file of the run: under djperf's project root (which may be a
/// copy of the captured project), else under the root the capture recorded. Files in
/// `stale` (changed by `--fix` so that their lines moved) resolve to nothing.
fn resolve_files(res: &CheckResult, log: &Log, stale: &HashSet<PathBuf>) -> Vec<Option<FileId>> {
    let mut by_path: HashMap<PathBuf, FileId> = HashMap::default();
    for f in &res.files {
        if f.builtin || stale.contains(&f.path) {
            continue;
        }
        by_path.insert(crate::discover::normalize(&f.path), f.id);
    }
    log.files
        .iter()
        .map(|(root, rel)| {
            let rel = Path::new(rel);
            let at = |base: &Path| by_path.get(&crate::discover::normalize(&base.join(rel)));
            at(&res.root).or_else(|| at(&log.roots[*root])).copied()
        })
        .collect()
}

/// A place a finding claims: a file's 1-based line, with the byte columns of the span on it.
#[derive(Clone, Copy)]
struct Claim {
    diag: usize,
    cols: (u32, u32),
    /// The line that queries per row (a match), not only a line of the finding.
    per_row: bool,
}

fn span_lines(
    res: &CheckResult,
    file: FileId,
    span: Span,
    mut add: impl FnMut(FileId, u32, (u32, u32)),
) {
    let f = res.file(file);
    let first = f.lines.line_of(span.start as usize);
    let last = f
        .lines
        .line_of(span.end.saturating_sub(1).max(span.start) as usize);
    for line in first..=last.min(first + 50) {
        let start = f.lines.line_start(line) as u32;
        let a = if line == first { span.start - start } else { 0 };
        let b = if line == last {
            span.end.saturating_sub(start).max(a + 1)
        } else {
            u32::MAX
        };
        add(file, u32::try_from(line + 1).unwrap_or(u32::MAX), (a, b));
    }
}

fn overlaps(claim: (u32, u32), frame: Option<(u32, u32)>) -> bool {
    match frame {
        Some((a, b)) => claim.0 < b.max(a + 1) && a < claim.1,
        None => true,
    }
}

/// Join `log` with the findings of `res` (see the module documentation): sets
/// [`CheckResult::measure`], adds the DJP190 findings, hides what was not confirmed.
pub fn join(res: &mut CheckResult, log: Log, name: &str, opts: Options) {
    join_after_fix(res, log, name, opts, None, &HashSet::default());
}

/// [`join`] for the result of `--fix` with a log captured before the fix: the groups that
/// findings explained before the fix (`before`) make no DJP190 now, and the frames in files
/// whose lines the fix moved (`stale`) are not matched.
pub fn join_after_fix(
    res: &mut CheckResult,
    log: Log,
    name: &str,
    opts: Options,
    before: Option<&Joined>,
    stale: &HashSet<PathBuf>,
) {
    let files = resolve_files(res, &log, stale);
    let mut claims: HashMap<(FileId, u32), Vec<Claim>> = HashMap::default();
    for (i, d) in res.diagnostics.iter().enumerate() {
        let row = ROW_CODES.contains(&d.code) || REPEAT_OPTIONAL.contains(&d.code);
        let view = VIEW_CODES.contains(&d.code);
        if !row && !view {
            continue;
        }
        let mut found: Vec<(FileId, u32, (u32, u32), bool)> = Vec::new();
        span_lines(res, d.file, d.span, |f, l, c| found.push((f, l, c, row)));
        for r in &d.related {
            span_lines(res, r.file, r.span, |f, l, c| found.push((f, l, c, view)));
        }
        for (file, line, cols, per_row) in found {
            claims.entry((file, line)).or_default().push(Claim {
                diag: i,
                cols,
                per_row,
            });
        }
    }

    // Which groups run through which findings.
    let n = res.diagnostics.len();
    let mut matching: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut reached: Vec<HashSet<(Option<u32>, Option<u32>)>> = vec![HashSet::default(); n];
    let mut explained = vec![false; log.groups.len()];
    for (gi, g) in log.groups.iter().enumerate() {
        let mut matched: Vec<usize> = Vec::new();
        for frame in &log.stacks[g.stack as usize] {
            let Some(file) = files[frame.file as usize] else {
                continue;
            };
            let Some(list) = claims.get(&(file, frame.line)) else {
                continue;
            };
            for c in list {
                if !overlaps(c.cols, frame.cols) {
                    continue;
                }
                reached[c.diag].insert((g.test, g.request.map(|r| r.1)));
                if c.per_row && !matched.contains(&c.diag) {
                    matched.push(c.diag);
                }
            }
        }
        explained[gi] = !matched.is_empty()
            || before.is_some_and(|b| b.explained.get(gi).copied().unwrap_or(false));
        if g.counted {
            for d in matched {
                matching[d].push(u32::try_from(gi).unwrap_or(u32::MAX));
            }
        }
    }

    let mut per: Vec<Option<Measured>> = Vec::with_capacity(n);
    for (i, d) in res.diagnostics.iter().enumerate() {
        let optional = REPEAT_OPTIONAL.contains(&d.code);
        if !optional && !ROW_CODES.contains(&d.code) && !VIEW_CODES.contains(&d.code) {
            per.push(None);
            continue;
        }
        let repeating: Vec<u32> = matching[i]
            .iter()
            .copied()
            .filter(|g| log.groups[*g as usize].count >= MIN_CONFIRM)
            .collect();
        let m = if !repeating.is_empty() {
            Some(figures(&log, &repeating, Status::Confirmed))
        } else if optional {
            None
        } else if !reached[i].is_empty() {
            let mut m = Measured::empty(Status::NotConfirmed);
            m.queries = matching[i]
                .iter()
                .map(|g| log.groups[*g as usize].count)
                .max()
                .unwrap_or(0);
            m.scopes = u32::try_from(reached[i].len()).unwrap_or(u32::MAX);
            Some(m)
        } else {
            Some(Measured::empty(Status::NotReached))
        };
        per.push(m);
    }

    let runtime = if res.rules.contains(&RUNTIME_CODE) {
        runtime_findings(res, &log, &files, &explained, opts)
    } else {
        Vec::new()
    };
    let mut all: Vec<(Diagnostic, Option<Measured>)> = std::mem::take(&mut res.diagnostics)
        .into_iter()
        .zip(per)
        .chain(runtime)
        .collect();
    let before = all.len();
    if !opts.show_unconfirmed {
        all.retain(|(_, m)| m.as_ref().is_none_or(|m| m.status != Status::NotConfirmed));
    }
    let hidden = before - all.len();
    sort_by_location(res, &mut all);
    let (diags, per): (Vec<Diagnostic>, Vec<Option<Measured>>) = all.into_iter().unzip();
    res.diagnostics = diags;
    res.fingerprints = crate::fingerprint::fingerprints(res);
    res.measure = Some(Joined {
        name: name.to_owned(),
        log,
        per,
        hidden,
        explained,
    });
}

/// The figures of a finding from its repeating groups.
fn figures(log: &Log, groups: &[u32], status: Status) -> Measured {
    let worst = groups
        .iter()
        .map(|g| &log.groups[*g as usize])
        .max_by(|a, b| {
            (a.count, a.ms)
                .partial_cmp(&(b.count, b.ms))
                .unwrap_or(std::cmp::Ordering::Equal)
                // the same count and time: the first scope by name, for a stable choice
                .then_with(|| log.scope_name(b).cmp(log.scope_name(a)))
        })
        .expect("at least one group");
    let scopes: HashSet<(Option<u32>, Option<u32>)> = groups
        .iter()
        .map(|g| {
            let g = &log.groups[*g as usize];
            (g.test, g.request.map(|r| r.1))
        })
        .collect();
    Measured {
        status,
        queries: worst.count,
        ms: worst.ms,
        scope: Some(log.scope_name(worst).to_owned()),
        sql: Some(log.str(worst.sql).to_owned()),
        scopes: u32::try_from(scopes.len()).unwrap_or(u32::MAX),
        requests: scopes.iter().all(|(t, _)| t.is_none()),
        total_queries: groups
            .iter()
            .map(|g| u64::from(log.groups[*g as usize].count))
            .sum(),
        total_ms: groups.iter().map(|g| log.groups[*g as usize].ms).sum(),
        groups: groups
            .iter()
            .copied()
            .filter(|g| log.groups[*g as usize].test.is_some())
            .collect(),
    }
}

/// The location order of `check` (shown path, line, column, code).
fn sort_by_location(res: &CheckResult, all: &mut [(Diagnostic, Option<Measured>)]) {
    all.sort_by_cached_key(|(d, _)| {
        let f = res.file(d.file);
        let line = f.lines.line_of(d.span.start as usize);
        let col = d.span.start as usize - f.lines.line_start(line);
        (f.display.clone(), line, col, d.code)
    });
}

/// The span of a frame's line in a file: the expression's columns when the capture knows
/// them, else the code of the line (indentation and comment left out).
fn frame_span(res: &CheckResult, file: FileId, frame: &Frame) -> Option<Span> {
    let f = res.file(file);
    let line = (frame.line as usize).checked_sub(1)?;
    if line >= f.lines.line_count() {
        return None;
    }
    let start = f.lines.line_start(line);
    let text = f.text.as_deref()?;
    let line_text = f.lines.line_text(text, line);
    if let Some((a, b)) = frame.cols {
        let (a, b) = (a as usize, (b as usize).min(line_text.len()));
        if a < b && line_text.is_char_boundary(a) && line_text.is_char_boundary(b) {
            return Some(Span::new(start + a, start + b));
        }
    }
    let code = crate::suppress::find_comment(line_text).map_or(line_text, |c| &line_text[..c]);
    let lead = code.len() - code.trim_start().len();
    let end = code.trim_end().len();
    (lead < end).then(|| Span::new(start + lead, start + end))
}

/// `SELECT ... FROM "shop_author" WHERE ...`: the column list left out, for messages.
pub fn short_sql(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    let short = match (upper.starts_with("SELECT "), upper.find(" FROM ")) {
        (true, Some(at)) if at > 7 => format!("SELECT ...{}", &sql[at..]),
        _ => sql.to_owned(),
    };
    if short.chars().count() > 160 {
        let cut: String = short.chars().take(157).collect();
        format!("{cut}...")
    } else {
        short
    }
}

struct RuntimeSite {
    file: FileId,
    frame: Frame,
    /// Template frames inside it and project frames around it.
    related: Vec<(FileId, Frame, &'static str)>,
    groups: Vec<u32>,
}

fn runtime_findings(
    res: &CheckResult,
    log: &Log,
    files: &[Option<FileId>],
    explained: &[bool],
    opts: Options,
) -> Vec<(Diagnostic, Option<Measured>)> {
    let Some(rule) = crate::rules::find(RUNTIME_CODE) else {
        return Vec::new();
    };
    let matchers = res.config.matchers().ok();
    let mut sites: Vec<RuntimeSite> = Vec::new();
    let mut index: HashMap<(FileId, u32), usize> = HashMap::default();
    for (gi, g) in log.groups.iter().enumerate() {
        if !g.counted || g.count < MIN_RUNTIME || explained[gi] {
            continue;
        }
        let Some(site) = runtime_site(res, log, files, g) else {
            continue;
        };
        let f = res.file(site.file);
        if !f.report || f.in_migrations || (f.is_test && !opts.include_tests) {
            continue;
        }
        let ignored = matchers.as_ref().is_some_and(|m| {
            m.ignored_in(&f.rel)
                .iter()
                .any(|s| crate::rules::selector_matches(s, rule))
        });
        // `# noqa: DJP190`, or a noqa for the static finding a user silenced on purpose
        let suppressed = f.text.as_deref().is_some_and(|t| {
            let line = f
                .lines
                .line_text(t, (site.frame.line as usize).saturating_sub(1));
            std::iter::once(RUNTIME_CODE)
                .chain(ROW_CODES.iter().copied())
                .chain(REPEAT_OPTIONAL.iter().copied())
                .any(|code| crate::suppress::is_suppressed(line, code))
        });
        if ignored || suppressed {
            continue;
        }
        let key = (site.file, site.frame.line);
        let gi = u32::try_from(gi).unwrap_or(u32::MAX);
        match index.get(&key) {
            Some(&s) => sites[s].groups.push(gi),
            None => {
                index.insert(key, sites.len());
                sites.push(RuntimeSite {
                    groups: vec![gi],
                    ..site
                });
            }
        }
    }
    sites
        .into_iter()
        .filter_map(|site| {
            let span = frame_span(res, site.file, &site.frame)?;
            let m = figures(log, &site.groups, Status::Runtime);
            let sqls: HashSet<u32> = site
                .groups
                .iter()
                .map(|g| log.groups[*g as usize].sql)
                .collect();
            let sql = m.sql.as_deref().unwrap_or("");
            let scope = m.scope.as_deref().unwrap_or("");
            let more = match sqls.len() {
                1 => String::new(),
                k => format!(" (and {} more repeated quer{} from this line)", k - 1, if k == 2 { "y" } else { "ies" }),
            };
            let callers: Vec<String> = site
                .related
                .iter()
                .filter(|(_, _, kind)| *kind == CALLER)
                .map(|(file, fr, _)| match function_name(log, fr) {
                    Some(name) => format!("`{name}` at {}:{}", res.file(*file).display, fr.line),
                    None => format!("{}:{}", res.file(*file).display, fr.line),
                })
                .collect();
            let help = if callers.is_empty() {
                "this line runs once per row: load what it reads with select_related()/prefetch_related() on the loop's queryset, or run one query before the loop".to_owned()
            } else {
                format!(
                    "this line runs once per row of a loop it is called from ({}): load what it reads with select_related()/prefetch_related() on that loop's queryset, or run one query before the loop",
                    callers.join(", ")
                )
            };
            let related: Vec<Related> = site
                .related
                .iter()
                .filter_map(|(file, fr, kind)| {
                    let span = frame_span(res, *file, fr).or_else(|| line_span(res, *file, fr.line))?;
                    Some(Related {
                        file: *file,
                        span,
                        message: if *kind == CALLER {
                            match function_name(log, fr) {
                                Some(name) => format!("called from `{name}` here"),
                                None => "called from here".to_owned(),
                            }
                        } else {
                            "the template line that queries".to_owned()
                        },
                    })
                })
                .collect();
            let d = rule
                .diagnostic(
                    crate::source::Loc::new(site.file, span),
                    format!(
                        "the same query ran {} times in `{scope}` from this line: `{}`{more}",
                        m.queries,
                        short_sql(sql)
                    ),
                    format!("{} identical queries from here", m.queries),
                )
                .with_help(help)
                .with_related(related);
            Some((d, Some(m)))
        })
        .collect()
}

const CALLER: &str = "caller";

/// A frame's function as people know it (`None` for `<listcomp>`, `<module>` and the like).
fn function_name<'l>(log: &'l Log, fr: &Frame) -> Option<&'l str> {
    let name = log.str(fr.function);
    (!name.is_empty() && !name.starts_with('<')).then_some(name)
}
const TEMPLATE: &str = "template";

/// The whole text of a line (for a related location in a file whose text is not kept).
fn line_span(res: &CheckResult, file: FileId, line: u32) -> Option<Span> {
    let f = res.file(file);
    let l = (line as usize).checked_sub(1)?;
    if l >= f.lines.line_count() {
        return None;
    }
    let start = f.lines.line_start(l);
    let end = if l + 1 < f.lines.line_count() {
        f.lines.line_start(l + 1).saturating_sub(1).max(start)
    } else {
        start
    };
    Some(Span::new(start, end.max(start)))
}

/// Where a DJP190 goes: the innermost Python project frame (template frames inside it
/// become related locations, and so do up to two callers on other lines).
fn runtime_site(
    res: &CheckResult,
    log: &Log,
    files: &[Option<FileId>],
    g: &Group,
) -> Option<RuntimeSite> {
    let stack = &log.stacks[g.stack as usize];
    let mut related = Vec::new();
    let mut primary: Option<(FileId, Frame)> = None;
    for fr in stack {
        let Some(file) = files[fr.file as usize] else {
            continue;
        };
        let f = res.file(file);
        match &primary {
            None if f.template => related.push((file, *fr, TEMPLATE)),
            None => primary = Some((file, *fr)),
            Some((pf, pfr)) => {
                let callers = related.iter().filter(|r| r.2 == CALLER).count();
                let same_line = (*pf, pfr.line) == (file, fr.line)
                    || related
                        .iter()
                        .any(|(rf, rfr, _)| (*rf, rfr.line) == (file, fr.line));
                if !f.template && !same_line && callers < 2 {
                    related.push((file, *fr, CALLER));
                }
            }
        }
    }
    let (file, frame) = primary?;
    Some(RuntimeSite {
        file,
        frame,
        related,
        groups: Vec::new(),
    })
}

/// `--sort cost`: the measured findings first, by the time their repeated queries took over
/// all tests (then their number), the rest after them in location order.
pub fn sort_by_cost(res: &mut CheckResult) {
    let Some(j) = res.measure.as_mut() else {
        return;
    };
    let diags = std::mem::take(&mut res.diagnostics);
    let fps = std::mem::take(&mut res.fingerprints);
    let per = std::mem::take(&mut j.per);
    let mut all: Vec<(Diagnostic, String, Option<Measured>)> = diags
        .into_iter()
        .zip(fps)
        .zip(per)
        .map(|((d, f), m)| (d, f, m))
        .collect();
    let key = |m: &Option<Measured>| match m {
        Some(m) if matches!(m.status, Status::Confirmed | Status::Runtime) => {
            (0u8, -m.total_ms, std::cmp::Reverse(m.total_queries))
        }
        _ => (1, 0.0, std::cmp::Reverse(0)),
    };
    all.sort_by(|a, b| {
        key(&a.2)
            .partial_cmp(&key(&b.2))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (d, f, m) in all {
        res.diagnostics.push(d);
        res.fingerprints.push(f);
        j.per.push(m);
    }
}

/// Milliseconds as people read them.
pub fn format_ms(ms: f64) -> String {
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// The human line for the diagnostic at `index`, when the run was measured.
pub fn note(res: &CheckResult, index: usize) -> Option<String> {
    let m = res.measure.as_ref()?.per.get(index)?.as_ref()?;
    let scope = m.scope.as_deref().unwrap_or("");
    let more = if m.scopes > 1 {
        format!(
            " ({} {}, {} queries, {} in all)",
            m.scopes,
            if m.requests { "requests" } else { "tests" },
            m.total_queries,
            format_ms(m.total_ms)
        )
    } else {
        String::new()
    };
    Some(match m.status {
        Status::Confirmed => format!(
            "confirmed: {} identical queries in `{scope}`, {}{more}",
            m.queries,
            format_ms(m.ms)
        ),
        // the message has the count and the scope already
        Status::Runtime => format!("measured: {}{more}", format_ms(m.ms)),
        Status::NotConfirmed => format!(
            "not confirmed: {} ran this code, which made {} (no repeated query)",
            if m.scopes == 1 {
                "1 test".to_owned()
            } else {
                format!("{} tests", m.scopes)
            },
            match m.queries {
                0 => "no query of its own".to_owned(),
                1 => "at most one query per test".to_owned(),
                k => format!("at most {k} queries per test"),
            }
        ),
        Status::NotReached => "not measured: no captured test ran this code".to_owned(),
    })
}

/// The line after the summary: what the capture confirmed, hid and added.
pub fn summary(res: &CheckResult) -> Option<String> {
    let j = res.measure.as_ref()?;
    let tests = j.log.tests.len();
    let mut parts = vec![
        format!("{} confirmed", j.count(Status::Confirmed)),
        format!("{} not reached by the tests", j.count(Status::NotReached)),
    ];
    let shown_unconfirmed = j.count(Status::NotConfirmed);
    if j.hidden > 0 {
        parts.push(format!(
            "{} not confirmed (hidden; --show-unconfirmed lists them)",
            j.hidden
        ));
    } else if shown_unconfirmed > 0 {
        parts.push(format!("{shown_unconfirmed} not confirmed"));
    }
    parts.push(format!(
        "{} found only at run time ({RUNTIME_CODE})",
        j.count(Status::Runtime)
    ));
    Some(format!(
        "Measured with {} ({} queries, {} test{}): {}",
        j.name,
        j.log.queries,
        tests,
        if tests == 1 { "" } else { "s" },
        parts.join(", ")
    ))
}

/// The measurement of the diagnostic at `index` as a JSON object (the `measured` field of
/// `json`, a result property in SARIF).
pub fn json(res: &CheckResult, index: usize) -> Option<serde_json::Value> {
    let m = res.measure.as_ref()?.per.get(index)?.as_ref()?;
    let round = |ms: f64| (ms * 1000.0).round() / 1000.0;
    Some(serde_json::json!({
        "status": m.status.as_str(),
        "queries": m.queries,
        "ms": round(m.ms),
        "scope": m.scope,
        "sql": m.sql,
        "scopes": m.scopes,
        "total_queries": m.total_queries,
        "total_ms": round(m.total_ms),
        "note": note(res, index),
    }))
}
