//! `djperf server` end to end: JSON-RPC over the binary's stdin/stdout.

mod common;

use common::{project, MODELS, VIEWS, VIEWS_FIXED};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
}

impl Client {
    fn start(cwd: &std::path::Path) -> Client {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("djperf"))
            .arg("server")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                r.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, rx }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait(|m| m["id"] == id)
    }

    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .rx
                .recv_timeout(Duration::from_secs(30))
                .expect("no message from the server within 30 s");
            if pred(&m) {
                return m;
            }
        }
    }

    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

#[test]
fn diagnostics_follow_open_change_save_and_model_edits() {
    let p = project();
    let root = std::fs::canonicalize(p.path()).unwrap();
    let root_uri = djperf::server::path_to_uri(&root);
    let views = djperf::server::path_to_uri(&root.join("shop/views.py"));
    let models = djperf::server::path_to_uri(&root.join("shop/models.py"));
    let mut c = Client::start(&root);
    let init = c.request(
        1,
        "initialize",
        json!({ "processId": null, "rootUri": root_uri, "capabilities": {} }),
    );
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    c.notify("initialized", json!({}));

    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": views, "languageId": "python", "version": 1, "text": VIEWS } }),
    );
    let diags = c.diagnostics_for(&views);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "DJP101");
    assert_eq!(d["source"], "djperf");
    assert_eq!(d["severity"], 2);
    // The rule's page, when the build knows where the repository is (DJPERF_DOCS_URL).
    let rule = djperf::rules::find("DJP101").unwrap();
    match rule.url() {
        Some(url) => {
            assert_eq!(d["codeDescription"]["href"], url.as_str());
            assert!(url.ends_with("/DJP101.md"), "{url}");
        }
        None => assert!(d.get("codeDescription").is_none(), "{d}"),
    }
    // line 7, after "é😀": UTF-16 column 27 (0-based), not 26 (chars) nor 30 (bytes)
    assert_eq!(d["range"]["start"], json!({ "line": 6, "character": 27 }));
    assert_eq!(d["range"]["end"], json!({ "line": 6, "character": 38 }));
    let rel = &d["relatedInformation"][0];
    assert_eq!(rel["location"]["uri"], views);
    assert_eq!(rel["location"]["range"]["start"]["line"], 5);

    // an edit that fixes it
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": views, "version": 2 }, "contentChanges": [{ "text": VIEWS_FIXED }] }),
    );
    assert!(c.diagnostics_for(&views).is_empty());
    // saved back to the N+1
    c.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": views }, "text": VIEWS }),
    );
    assert_eq!(c.diagnostics_for(&views).len(), 1);

    // an unsaved models buffer turning the foreign key into a plain field: the index is
    // rebuilt and the open views are re-checked
    let changed = MODELS.replace(
        "models.ForeignKey(Author, on_delete=models.CASCADE)",
        "models.CharField(max_length=100)",
    );
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": models, "languageId": "python", "version": 1, "text": changed } }),
    );
    assert!(c.diagnostics_for(&views).is_empty());
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": models, "version": 2 }, "contentChanges": [{ "text": MODELS }] }),
    );
    assert_eq!(c.diagnostics_for(&views).len(), 1);

    // the finding's fix is offered as a quick fix: replace `all()` by `select_related("author")`
    let actions = c.request(
        2,
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": views }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    let list = actions["result"].as_array().expect("code actions");
    assert_eq!(list.len(), 1, "{actions}");
    assert_eq!(list[0]["kind"], "quickfix");
    assert_eq!(list[0]["isPreferred"], true);
    let edits = list[0]["edit"]["changes"][&views]
        .as_array()
        .expect("edits");
    assert_eq!(edits.len(), 1, "{actions}");
    assert_eq!(edits[0]["newText"], "select_related(\"author\")");

    // `book.author.id` -> `book.author_id`: safe, because the foreign key's declaration in
    // models.py (another file) was read and names no `to_field`.
    let keys = VIEWS.replace("book.author.name", "str(book.author.id)");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": views, "version": 3 }, "contentChanges": [{ "text": keys }] }),
    );
    let diags = c.diagnostics_for(&views);
    let d = diags
        .iter()
        .find(|d| d["code"] == "DJP404")
        .unwrap_or_else(|| panic!("{diags:?}"));
    let actions = c.request(
        4,
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": views }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    let list = actions["result"].as_array().expect("code actions");
    assert_eq!(list[0]["title"], "Read `author_id`", "{actions}");
    assert_eq!(
        list[0]["edit"]["changes"][&views][0]["newText"],
        "book.author_id"
    );

    let shut = c.request(3, "shutdown", Value::Null);
    assert!(shut.get("error").is_none(), "{shut}");
    c.notify("exit", Value::Null);
    drop(c.stdin);
    let status = c.child.wait().unwrap();
    assert!(status.success());
}

/// The server runs the same session as `djperf check`: a view's template is followed (a
/// DJP130 at the view's queryset) and `per-file-ignores` drops what the configuration ignores.
#[test]
fn server_follows_templates_and_honours_per_file_ignores() {
    let p = project();
    let root = std::fs::canonicalize(p.path()).unwrap();
    common::write(
        &root,
        "shop/list_views.py",
        "from django.shortcuts import render\n\nfrom shop.models import Book\n\n\ndef books(request):\n    return render(request, \"shop/books.html\", {\"books\": Book.objects.all()})\n",
    );
    common::write(
        &root,
        "shop/templates/shop/books.html",
        "{% for book in books %}{{ book.author.name }}{% endfor %}\n",
    );
    common::write(
        &root,
        "pyproject.toml",
        "[tool.djperf]\nper-file-ignores = { \"shop/views.py\" = [\"DJP101\"] }\n",
    );
    let mut c = Client::start(&root);
    c.request(
        1,
        "initialize",
        json!({ "processId": null, "rootUri": djperf::server::path_to_uri(&root), "capabilities": {} }),
    );
    c.notify("initialized", json!({}));
    let list_views = djperf::server::path_to_uri(&root.join("shop/list_views.py"));
    let text = std::fs::read_to_string(root.join("shop/list_views.py")).unwrap();
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": list_views, "languageId": "python", "version": 1, "text": text } }),
    );
    let diags = c.diagnostics_for(&list_views);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "DJP130");
    assert_eq!(diags[0]["range"]["start"]["line"], 6);
    let related = diags[0]["relatedInformation"][0]["location"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        related.ends_with("shop/templates/shop/books.html"),
        "{related}"
    );

    // shop/views.py has a DJP101 that the configuration ignores for that file
    let views = djperf::server::path_to_uri(&root.join("shop/views.py"));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": views, "languageId": "python", "version": 1, "text": VIEWS } }),
    );
    assert!(c.diagnostics_for(&views).is_empty());
    c.request(2, "shutdown", json!(null));
    c.notify("exit", json!(null));
    let _ = c.child.wait();
}

/// A configuration error does not stop the server: it says so with `window/showMessage`
/// (naming the key) and goes on with the defaults.
#[test]
fn config_error_is_shown_and_the_defaults_are_used() {
    let p = project();
    common::write(
        p.path(),
        "pyproject.toml",
        "[tool.djperf]\nselct = [\"DJP1\"]\n",
    );
    let root = std::fs::canonicalize(p.path()).unwrap();
    let views = djperf::server::path_to_uri(&root.join("shop/views.py"));
    let mut c = Client::start(&root);
    let init = c.request(
        1,
        "initialize",
        json!({ "processId": null, "rootUri": djperf::server::path_to_uri(&root), "capabilities": {} }),
    );
    assert!(init.get("result").is_some(), "{init}");
    c.notify("initialized", json!({}));
    let shown = c.wait(|m| m["method"] == "window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "{shown}");
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(text.contains("selct") && text.contains("default"), "{text}");
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": views, "languageId": "python", "version": 1, "text": VIEWS } }),
    );
    let diags = c.diagnostics_for(&views);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "DJP101");
    let shut = c.request(2, "shutdown", Value::Null);
    assert!(shut.get("error").is_none(), "{shut}");
    c.notify("exit", Value::Null);
    drop(c.stdin);
    assert!(c.child.wait().unwrap().success());
}

/// Hover on a finding shows its message and its rule's documentation; elsewhere nothing.
#[test]
fn hover_explains_the_rule_under_the_cursor() {
    let p = project();
    let root = std::fs::canonicalize(p.path()).unwrap();
    let views = djperf::server::path_to_uri(&root.join("shop/views.py"));
    let mut c = Client::start(&root);
    let init = c.request(
        1,
        "initialize",
        json!({ "processId": null, "rootUri": djperf::server::path_to_uri(&root), "capabilities": {} }),
    );
    assert_eq!(init["result"]["capabilities"]["hoverProvider"], true);
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": views, "languageId": "python", "version": 1, "text": VIEWS } }),
    );
    let diags = c.diagnostics_for(&views);
    let range = diags[0]["range"].clone();
    let mut inside = range["start"].clone();
    inside["character"] = json!(range["start"]["character"].as_u64().unwrap() + 2);
    let h = c.request(
        2,
        "textDocument/hover",
        json!({ "textDocument": { "uri": views }, "position": inside }),
    );
    let value = h["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{h}"));
    assert_eq!(h["result"]["contents"]["kind"], "markdown");
    let rule = djperf::rules::find("DJP101").unwrap();
    assert!(
        value.contains("**DJP101 `fk-access-in-loop`**")
            && value.contains("## What it does")
            && value.contains(rule.doc.trim()),
        "{value}"
    );
    assert_eq!(h["result"]["range"], range);
    let h = c.request(
        3,
        "textDocument/hover",
        json!({ "textDocument": { "uri": views }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(h["result"].is_null(), "{h}");
    let shut = c.request(4, "shutdown", Value::Null);
    assert!(shut.get("error").is_none(), "{shut}");
    c.notify("exit", Value::Null);
    drop(c.stdin);
    assert!(c.child.wait().unwrap().success());
}
