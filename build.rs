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
}
