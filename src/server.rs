//! `djperf server`: a language server over stdio (synchronous, like Ruff's).
//!
//! The project is loaded once at start-up into a [`Session`], the same one `djperf check`
//! runs (templates followed, `per-file-ignores` and `# noqa` applied). An opened or changed
//! document replaces its file; the model index is rebuilt only when the document declares
//! models (`models.py`, a `models/` package, or a file that held models), then every open
//! document is re-checked; function summaries and framework facts are rebuilt on every change.
//! Diagnostics carry `code`, `codeDescription.href`, `source: "djperf"`, severity and related
//! information; positions are UTF-16 code units (the LSP default). A finding with a fix gets a
//! quick-fix code action.

use crate::cache::Cache;
use crate::check::{self, CheckOptions};
use crate::config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover;
use crate::project::{self, LoadRequest};
use crate::rules;
use crate::session::{Session, Setup};
use crate::source::{ColumnUnit, Span};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types as lsp;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Percent-encode a path into a `file://` URI.
pub fn path_to_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path of a `file://` URI (None for other schemes).
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(b) = u8::from_str_radix(hex, 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8_lossy(&out).into_owned()))
}

struct State {
    session: Session,
    /// Open documents: path → text.
    open: BTreeMap<PathBuf, String>,
}

impl State {
    /// Load and index the project. A configuration the server cannot use is reported in
    /// `problems` and replaced by the defaults: an editor keeps its diagnostics while the
    /// user fixes the file.
    fn new(root: PathBuf, problems: &mut Vec<String>) -> State {
        let mut cfg = config::load(&root).unwrap_or_else(|e| {
            problems.push(format!("{e}; using the default settings"));
            config::Config::default()
        });
        let matchers = match cfg.matchers() {
            Ok(m) => m,
            Err(e) => {
                problems.push(format!("{e}; using the default settings"));
                cfg = config::Config::default();
                let Ok(m) = cfg.matchers() else {
                    unreachable!("the default configuration has no patterns to fail on")
                };
                m
            }
        };
        let opts = CheckOptions {
            select: cfg.select.clone().unwrap_or_default(),
            extend_select: cfg.extend_select.clone(),
            ignore: cfg.ignore.clone(),
            ..CheckOptions::default()
        };
        let rules = check::enabled_rules(&opts).unwrap_or_else(|e| {
            problems.push(format!("{e}; using the default rules"));
            check::enabled_rules(&CheckOptions::default()).unwrap_or_default()
        });
        let paths = discover::python_files(&root, &mut Vec::new());
        let reqs = paths
            .iter()
            .map(|p| LoadRequest {
                path: p.clone(),
                rel: p
                    .strip_prefix(&root)
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
                display: discover::display_path(p, &root),
                report: false,
                override_text: None,
            })
            .collect();
        // The cache of lowered files makes the editor's start as fast as a warm `check`.
        let cache =
            if std::env::var_os("DJPERF_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
                None
            } else {
                let base = std::env::var_os("DJPERF_CACHE_DIR")
                    .map(PathBuf::from)
                    .or(cfg.cache_dir.clone())
                    .unwrap_or_else(|| root.join(crate::cache::DIR_NAME));
                Cache::open(&base)
            };
        let layout = project::Layout::new(
            &root,
            &paths.iter().map(PathBuf::as_path).collect::<Vec<_>>(),
            &cfg,
        );
        let files = project::load(
            reqs,
            &layout,
            project::DEFAULT_MAX_FILE_BYTES,
            cache.as_ref(),
            &mut Vec::new(),
        );
        let session = Session::new(
            files,
            Setup {
                layout,
                cwd: Some(root.clone()),
                root,
                config: cfg,
                matchers,
                rules,
                include_tests: false,
            },
        );
        State {
            session,
            open: BTreeMap::new(),
        }
    }

    /// Replace (or add) the file at `path` with `text`. Returns whether the model index was
    /// rebuilt (every open document may then have new findings).
    fn update(&mut self, path: &Path, text: &str) -> bool {
        self.session
            .update(path, text)
            .is_ok_and(|(_, rebuilt)| rebuilt)
    }

    fn diagnostics(&self, path: &Path) -> Vec<lsp::Diagnostic> {
        let Some(id) = self.session.file_id(path) else {
            return Vec::new();
        };
        self.session
            .check_file(id)
            .iter()
            .filter(|d| d.file == id)
            .map(|d| self.to_lsp(d))
            .collect()
    }

    fn range(&self, file: u32, span: Span) -> lsp::Range {
        let f = &self.session.files()[file as usize];
        // A file that is not open has no text kept: read it again (if it changed on disk
        // since it was indexed, only the line is known).
        let text = f.text_or_reload();
        let pos = |off: u32| match text.as_deref() {
            Some(text) => {
                let p = f.lines.position(text, off as usize, ColumnUnit::Utf16);
                lsp::Position::new(to_u32(p.row - 1), to_u32(p.column - 1))
            }
            None => lsp::Position::new(to_u32(f.lines.line_of(off as usize)), 0),
        };
        lsp::Range::new(pos(span.start), pos(span.end))
    }

    fn uri(&self, file: u32) -> lsp::Uri {
        path_to_uri(&self.session.files()[file as usize].path)
            .parse()
            .unwrap_or_else(|_| "file:///".parse().expect("valid URI"))
    }

    fn to_lsp(&self, d: &Diagnostic) -> lsp::Diagnostic {
        let mut message = d.message.clone();
        if let Some(h) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        let related = d
            .related
            .iter()
            .map(|r| lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(self.uri(r.file), self.range(r.file, r.span)),
                message: r.message.clone(),
            })
            .collect::<Vec<_>>();
        let data = d.fix.as_ref().map(|fix| {
            let mut changes: BTreeMap<String, Vec<lsp::TextEdit>> = BTreeMap::new();
            for e in &fix.edits {
                changes
                    .entry(path_to_uri(&self.session.files()[e.file as usize].path))
                    .or_default()
                    .push(lsp::TextEdit::new(
                        self.range(e.file, e.span),
                        e.content.clone(),
                    ));
            }
            let title = match fix.applicability {
                crate::diagnostic::Applicability::Safe => fix.message.clone(),
                crate::diagnostic::Applicability::Unsafe => format!("{} [unsafe]", fix.message),
            };
            json!({
                "title": title,
                "changes": changes,
                "safe": fix.applicability == crate::diagnostic::Applicability::Safe,
            })
        });
        lsp::Diagnostic {
            range: self.range(d.file, d.span),
            severity: Some(match d.severity {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
            }),
            code: Some(lsp::NumberOrString::String(d.code.to_owned())),
            code_description: rules::find(d.code)
                .and_then(rules::Rule::url)
                .and_then(|u| u.parse().ok())
                .map(|href| lsp::CodeDescription { href }),
            source: Some("djperf".to_owned()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data,
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn publish(conn: &Connection, state: &State, path: &Path) {
    let params = json!({
        "uri": path_to_uri(path),
        "diagnostics": state.diagnostics(path),
    });
    let _ = conn.sender.send(Message::Notification(Notification::new(
        "textDocument/publishDiagnostics".into(),
        params,
    )));
}

fn doc_path(params: &Value) -> Option<PathBuf> {
    uri_to_path(params["textDocument"]["uri"].as_str()?)
}

/// Code actions for the diagnostics of a request that carry a fix in their `data`.
pub fn code_actions(params: &Value) -> Vec<Value> {
    params["context"]["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["source"] == "djperf" && d["data"]["changes"].is_object())
        .map(|d| {
            json!({
                "title": d["data"]["title"],
                "kind": "quickfix",
                "diagnostics": [d],
                "isPreferred": d["data"]["safe"] == true,
                "edit": { "changes": d["data"]["changes"] },
            })
        })
        .collect()
}

/// The explanation of the findings under the cursor: each one's message and help, then its
/// rule's documentation (what `djperf explain` prints). `null` where there is none.
fn hover(state: &State, params: &Value) -> Value {
    let Some(path) = doc_path(params) else {
        return Value::Null;
    };
    let at = |v: &Value| (v["line"].as_u64(), v["character"].as_u64());
    let pos = at(&params["position"]);
    let under: Vec<lsp::Diagnostic> = state
        .diagnostics(&path)
        .into_iter()
        .filter(|d| {
            let start = (
                Some(u64::from(d.range.start.line)),
                Some(u64::from(d.range.start.character)),
            );
            let end = (
                Some(u64::from(d.range.end.line)),
                Some(u64::from(d.range.end.character)),
            );
            start <= pos && pos <= end
        })
        .collect();
    if under.is_empty() {
        return Value::Null;
    }
    let mut text = String::new();
    let mut range = None;
    for d in &under {
        let code = match &d.code {
            Some(lsp::NumberOrString::String(c)) => c.as_str(),
            _ => "",
        };
        let Some(rule) = rules::find(code) else {
            continue;
        };
        if !text.is_empty() {
            text.push_str("\n\n---\n\n");
        }
        text.push_str(&format!(
            "**{} `{}`**: {}\n\n# {} ({})\n\n{}\n\n{}",
            rule.code,
            rule.name,
            d.message.replace('\n', "\n\n"),
            rule.name,
            rule.code,
            rule.summary,
            rule.doc.trim_end()
        ));
        range.get_or_insert(d.range);
    }
    json!({ "contents": { "kind": "markdown", "value": text }, "range": range })
}

/// Run the server on stdin/stdout until `exit`. Returns the process exit code.
pub fn run() -> i32 {
    let (conn, io) = Connection::stdio();
    let caps = json!({
        "positionEncoding": "utf-16",
        "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": true } },
        "codeActionProvider": { "codeActionKinds": ["quickfix"] },
        "hoverProvider": true,
    });
    let init = match conn.initialize(caps) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("djperf server: initialize failed: {e}");
            return 2;
        }
    };
    let start = init["rootUri"]
        .as_str()
        .and_then(uri_to_path)
        .or_else(|| {
            init["workspaceFolders"][0]["uri"]
                .as_str()
                .and_then(uri_to_path)
        })
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default();
    let root = discover::project_root(&start)
        .map(|r| discover::settings_root(&r))
        .unwrap_or(start);
    let mut problems = Vec::new();
    let mut state = State::new(root, &mut problems);
    for e in problems {
        eprintln!("djperf server: {e}");
        let _ = conn.sender.send(Message::Notification(Notification::new(
            "window/showMessage".into(),
            json!({ "type": 1, "message": format!("djperf: {e}") }),
        )));
    }
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req).unwrap_or(true) {
                    break;
                }
                handle_request(&conn, &state, &req);
            }
            Message::Notification(n) => handle_notification(&conn, &mut state, &n),
            Message::Response(_) => {}
        }
    }
    drop(conn);
    let _ = io.join();
    0
}

fn handle_request(conn: &Connection, state: &State, req: &Request) {
    let resp = match req.method.as_str() {
        "textDocument/codeAction" => Response::new_ok(req.id.clone(), code_actions(&req.params)),
        "textDocument/hover" => Response::new_ok(req.id.clone(), hover(state, &req.params)),
        _ => Response::new_err(
            req.id.clone(),
            -32601,
            format!("unhandled method {}", req.method),
        ),
    };
    let _ = conn.sender.send(Message::Response(resp));
}

fn handle_notification(conn: &Connection, state: &mut State, n: &Notification) {
    let p = &n.params;
    let Some(path) = doc_path(p) else { return };
    let text = match n.method.as_str() {
        "textDocument/didOpen" => p["textDocument"]["text"].as_str().map(str::to_owned),
        // full sync: the last change holds the whole text
        "textDocument/didChange" => p["contentChanges"]
            .as_array()
            .and_then(|c| c.last())
            .and_then(|c| c["text"].as_str())
            .map(str::to_owned),
        "textDocument/didSave" => p["text"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| std::fs::read_to_string(&path).ok()),
        "textDocument/didClose" => {
            state.open.remove(&path);
            if let Ok(disk) = std::fs::read_to_string(&path) {
                state.update(&path, &disk);
            }
            let _ = conn.sender.send(Message::Notification(Notification::new(
                "textDocument/publishDiagnostics".into(),
                json!({ "uri": path_to_uri(&path), "diagnostics": [] }),
            )));
            return;
        }
        _ => return,
    };
    let Some(text) = text else { return };
    state.open.insert(path.clone(), text.clone());
    if state.update(&path, &text) {
        // models changed: every open document may have new findings
        let open: Vec<PathBuf> = state.open.keys().cloned().collect();
        for p in open {
            publish(conn, state, &p);
        }
    } else {
        publish(conn, state, &path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/a b/caf\u{e9}.py");
        let u = path_to_uri(p);
        assert_eq!(u, "file:///tmp/a%20b/caf%C3%A9.py");
        assert_eq!(uri_to_path(&u).unwrap(), p);
        assert!(uri_to_path("untitled:1").is_none());
    }

    #[test]
    fn code_actions_from_fix_data() {
        let params = json!({ "context": { "diagnostics": [
            { "source": "djperf", "message": "m", "data": { "title": "Add select_related",
              "changes": { "file:///x.py": [ { "range": { "start": {"line": 0, "character": 0},
                "end": {"line": 0, "character": 3} }, "newText": "abc" } ] } } },
            { "source": "djperf", "message": "no fix" },
            { "source": "ruff", "data": { "changes": {} } },
        ] } });
        let actions = code_actions(&params);
        assert_eq!(actions.len(), 1);
        assert_eq!(actions[0]["title"], "Add select_related");
        assert_eq!(actions[0]["kind"], "quickfix");
        assert_eq!(
            actions[0]["edit"]["changes"]["file:///x.py"][0]["newText"],
            "abc"
        );
    }
}
