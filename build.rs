//! Build script: the identity of the code that turns a file's text into its lowered syntax
//! tree, so the on-disk cache (src/cache.rs) never serves entries made by other code.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

/// Everything a cached `Module` depends on besides the file's text.
const INPUTS: &[&str] = &[
    "src/syntax/ast.rs",
    "src/syntax/lower.rs",
    "src/syntax/parse.rs",
    "src/syntax/source.rs",
    "src/syntax/errors.rs",
    "Cargo.lock",
];

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let mut h = DefaultHasher::new();
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
        // A missing input (Cargo.lock in a published crate) hashes as empty.
        std::fs::read(Path::new(&root).join(input))
            .unwrap_or_default()
            .hash(&mut h);
    }
    println!("cargo:rustc-env=DJPERF_BUILD_KEY={:016x}", h.finish());
    repository(Path::new(&root));
}

/// Where the repository lives on the web, for the links to the rules' pages (src/docs.rs):
/// `DJPERF_REPOSITORY_URL`, else Cargo.toml's `repository`, else the web address of the
/// source tree's `origin` remote (`pip install git+https://...` and clones of a forge). A
/// local path or an unknown scheme gives nothing; credentials in the URL are never kept.
fn repository(root: &Path) {
    for var in ["DJPERF_REPOSITORY_URL", "DJPERF_DOCS_URL"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let explicit = std::env::var("DJPERF_REPOSITORY_URL")
        .ok()
        .or_else(|| std::env::var("CARGO_PKG_REPOSITORY").ok())
        .filter(|s| !s.trim().is_empty());
    let url = explicit.or_else(|| {
        let out = std::process::Command::new("git")
            .args(["remote", "get-url", "origin"])
            .current_dir(root)
            .output()
            .ok()?;
        web_url(String::from_utf8_lossy(&out.stdout).trim())
    });
    println!(
        "cargo:rustc-env=DJPERF_REPOSITORY={}",
        url.unwrap_or_default().trim_end_matches('/')
    );
    // The pages in the source tree, for builds that know no web address.
    let local = root.join("docs/rules");
    let local = if local.is_dir() {
        local.to_string_lossy().into_owned()
    } else {
        String::new()
    };
    println!("cargo:rustc-env=DJPERF_SOURCE_DOCS={local}");
}

/// `https://host/owner/repo` for a git remote URL (https, `git@host:path`, `ssh://`).
fn web_url(remote: &str) -> Option<String> {
    let (host, path) = if let Some(rest) = remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("http://"))
        .or_else(|| remote.strip_prefix("ssh://"))
        .or_else(|| remote.strip_prefix("git://"))
    {
        let (authority, path) = rest.split_once('/')?;
        // drop `user:token@` and a port
        let host = authority.rsplit('@').next()?;
        let host = host.split(':').next()?;
        (host.to_owned(), path.to_owned())
    } else if let Some((user_host, path)) = remote.split_once(':') {
        // scp-like `git@host:owner/repo.git` (not a Windows drive or a local path)
        if user_host.contains('/') || !user_host.contains('@') {
            return None;
        }
        (user_host.rsplit('@').next()?.to_owned(), path.to_owned())
    } else {
        return None;
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/".contains(&b))
    };
    (ok(&host) && ok(path)).then(|| format!("https://{host}/{path}"))
}
