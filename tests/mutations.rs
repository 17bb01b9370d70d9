//! A bounded, deterministic stand-in for the fuzzer that runs in every `cargo test`: mutants
//! of every fixture file go through the whole check path (decode, parse, lower, index, flow,
//! rules, every output format). A panic fails the test; the mutant is printed to reproduce it.
//! The open-ended search is `scripts/fuzz` (cargo-fuzz, nightly).

use djperf::output::Format;
use std::path::{Path, PathBuf};

/// xorshift64*: a tiny deterministic generator, so every run checks the same mutants.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            usize::try_from(self.next() % n as u64).unwrap_or(0)
        }
    }
}

/// Fragments that stress the parser and the analysis: unclosed brackets, stray indentation,
/// loops and querysets, odd bytes and line endings.
const TOKENS: &[&[u8]] = &[
    b"(",
    b")",
    b"[",
    b"]",
    b"{",
    b":",
    b"\n",
    b"\n    ",
    b"\n        ",
    b"\t",
    b"\r",
    b"\r\n",
    b"\0",
    b"\xff",
    b"\xEF\xBB\xBF",
    b"\"\"\"",
    b"'",
    b"\\",
    b"#",
    b"# noqa: DJP101",
    b"for x in ",
    b"while ",
    b"async ",
    b"await ",
    b"lambda: ",
    b"yield ",
    b"del ",
    b"*",
    b"**",
    b".objects",
    b".all()",
    b".select_related(\"author\")",
    b".prefetch_related(",
    b"Prefetch(\"books\", to_attr=\"x\")",
    b".save()",
    b".author",
    b".books.all()",
    b"class M(models.Model):\n    a = models.ForeignKey(M, on_delete=models.CASCADE)\n",
    b"def f(self):\n",
    b"return ",
    b" if ",
    b" else ",
    b"[y for y in ",
    b"@property\n",
    b"import ",
    b"from . import ",
    b"global ",
    b"nonlocal ",
    b"match x:\n    case ",
];

fn mutate(rng: &mut Rng, src: &[u8]) -> Vec<u8> {
    let mut out = src.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, tok.iter().copied());
            }
            1 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(200)).min(out.len());
                let chunk = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, chunk);
            }
            3 => out.truncate(at),
            4 => {
                if let Some(b) = out.get_mut(at) {
                    *b = u8::try_from(rng.below(256)).unwrap_or(0);
                }
            }
            _ => {
                // Re-indent a line by a random amount.
                let line_start = out[..at]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                let n = rng.below(12);
                out.splice(line_start..line_start, std::iter::repeat_n(b' ', n));
            }
        }
    }
    out
}

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            python_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "py") {
            out.push(p);
        }
    }
}

fn run_check_path(bytes: &[u8]) {
    let (text, _) = djperf::parse::decode(bytes);
    let res = djperf::check::check_source("app/views.py", &text);
    for format in [Format::Full, Format::Concise, Format::Json] {
        let mut out = Vec::new();
        djperf::output::write(&res, format, false, &mut out).unwrap();
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let mut files = Vec::new();
    python_files(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata"),
        &mut files,
    );
    assert!(files.len() > 5, "fixtures not found");
    let per_file: usize = std::env::var("DJPERF_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut runs = 0;
    for f in &files {
        let src = std::fs::read(f).unwrap();
        run_check_path(&src);
        for _ in 0..per_file {
            let m = mutate(&mut rng, &src);
            let r = std::panic::catch_unwind(|| run_check_path(&m));
            assert!(
                r.is_ok(),
                "panic on a mutant of {}:\n{}",
                f.display(),
                String::from_utf8_lossy(&m)
            );
            runs += 1;
        }
    }
    eprintln!("{runs} mutants of {} fixture files checked", files.len());
}

/// The in-process check path gives the same findings as the fixture expectations rely on.
#[test]
fn check_source_finds_what_the_binary_finds() {
    let src = "from django.db import models\n\n\nclass Author(models.Model):\n    name = models.CharField(max_length=100)\n\n\nclass Book(models.Model):\n    author = models.ForeignKey(Author, on_delete=models.CASCADE)\n\n\ndef titles():\n    for book in Book.objects.all():\n        print(book.author.name)\n";
    let res = djperf::check::check_source("app/views.py", src);
    let codes: Vec<&str> = res.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["DJP101"]);
    let res = djperf::check::check_source(
        "app/views.py",
        &src.replace(".all()", ".select_related(\"author\")"),
    );
    assert!(res.diagnostics.is_empty());
}
