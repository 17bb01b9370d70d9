//! Locations in files whose findings are not reported: checking only `shop/views.py`, the
//! related location in `shop/models.py` (where `__str__` reads the relation) keeps its line
//! and its column, in every format's unit (JSON characters, SARIF code points, rdjson UTF-8
//! bytes, LSP UTF-16), with non-ASCII text and an emoji before it.

mod common;

use common::{djperf, stdout_of, write};
use serde_json::{json, Value};

const MODELS: &str = r#"from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    title = models.CharField(max_length=100)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    def __str__(self):
        return f"📚 «{self.title}» — {self.author.name}"
"#;

const VIEWS: &str = r#"from shop.models import Book


def titles():
    return [str(book) for book in Book.objects.all()]
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "manage.py", "");
    write(dir.path(), "shop/__init__.py", "");
    write(dir.path(), "shop/models.py", MODELS);
    write(dir.path(), "shop/views.py", VIEWS);
    dir
}

/// 1-based (line, column in chars, in UTF-8 bytes, in UTF-16 units) of `self.author`.
fn expected() -> (usize, usize, usize, usize) {
    let off = MODELS.find("self.author").unwrap();
    let line_start = MODELS[..off].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &MODELS[line_start..off];
    (
        MODELS[..off].matches('\n').count() + 1,
        prefix.chars().count() + 1,
        prefix.len() + 1,
        prefix.encode_utf16().count() + 1,
    )
}

fn run(dir: &std::path::Path, format: &str) -> Value {
    let (code, out) =
        stdout_of(djperf(dir).args(["check", "--output-format", format, "shop/views.py"]));
    assert_eq!(code, 1, "{out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn related_locations_in_unreported_files_keep_their_columns() {
    let p = project();
    let (line, chars, bytes, _) = expected();
    assert!(
        chars < bytes,
        "the test needs multi-byte text before the location"
    );

    let v = run(p.path(), "json");
    let rel = v[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["filename"] == "shop/models.py")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(rel["location"], json!({ "row": line, "column": chars }));
    assert_eq!(rel["end_location"]["row"], line);
    assert!(rel["end_location"]["column"].as_u64().unwrap() > chars as u64);

    let v = run(p.path(), "sarif");
    let rel = &v["runs"][0]["results"][0]["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["physicalLocation"]["artifactLocation"]["uri"] == "shop/models.py")
        .unwrap_or_else(|| panic!("{v}"))["physicalLocation"]["region"];
    assert_eq!(rel["startLine"], line);
    assert_eq!(rel["startColumn"], chars, "code points");

    let v = run(p.path(), "rdjson");
    let rel = &v["diagnostics"][0]["related_locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["location"]["path"] == "shop/models.py")
        .unwrap_or_else(|| panic!("{v}"))["location"]["range"]["start"];
    assert_eq!(
        rel,
        &json!({ "line": line, "column": bytes }),
        "UTF-8 bytes"
    );
}

#[test]
fn full_output_shows_the_related_line() {
    let p = project();
    let (code, out) =
        stdout_of(djperf(p.path()).args(["check", "--color", "never", "shop/views.py"]));
    assert_eq!(code, 1);
    let (line, chars, _, _) = expected();
    assert!(
        out.contains(&format!("shop/models.py:{line}:{chars}")),
        "{out}"
    );
    assert!(out.contains("{self.author.name}"), "{out}");
}

/// The same through the language server, with only views.py open.
#[test]
fn language_server_related_location_has_its_column() {
    use std::io::{BufRead, BufReader, Read, Write};
    let p = project();
    let root = std::fs::canonicalize(p.path()).unwrap();
    let views = djperf::server::path_to_uri(&root.join("shop/views.py"));
    let models = djperf::server::path_to_uri(&root.join("shop/models.py"));
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("djperf"))
        .arg("server")
        .current_dir(&root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut send = |v: Value| {
        let body = v.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "rootUri": djperf::server::path_to_uri(&root), "capabilities": {} } }));
    send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    send(
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": views, "languageId": "python", "version": 1, "text": VIEWS } } }),
    );
    let diags = loop {
        let mut len = 0;
        loop {
            let mut l = String::new();
            assert!(out.read_line(&mut l).unwrap() > 0, "server closed");
            let l = l.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some(n) = l.strip_prefix("Content-Length: ") {
                len = n.parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        out.read_exact(&mut body).unwrap();
        let m: Value = serde_json::from_slice(&body).unwrap();
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == views {
            break m["params"]["diagnostics"].clone();
        }
    };
    let (line, _, _, utf16) = expected();
    let rel = diags[0]["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["location"]["uri"] == models)
        .unwrap_or_else(|| panic!("{diags}"))
        .clone();
    assert_eq!(
        rel["location"]["range"]["start"],
        json!({ "line": line - 1, "character": utf16 - 1 })
    );
    send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }));
    send(json!({ "jsonrpc": "2.0", "method": "exit", "params": null }));
    drop(stdin);
    let _ = child.wait();
}
