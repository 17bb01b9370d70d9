//! The on-disk cache of lowered files, so a run that checks one changed file in a large
//! project does not parse the whole project again.
//!
//! The model index always comes from every file under the project root, and parsing them is
//! most of a run's time. Each file's lowered [`Module`] is a pure function of its text and of
//! the lowering code, so the cache keys an entry by both:
//! - the directory name carries [`BUILD_KEY`], a hash of the lowering code computed at build
//!   time (`build.rs`), so a djperf built from other sources never reads these entries;
//! - the entry name is the 128-bit XXH3 hash of the file's decoded text.
//!
//! Nothing derived from several files (models, summaries, findings) is cached: those are
//! rebuilt on every run from the files' current text, so a cache entry can never serve a
//! stale model fact. A missing, unreadable or corrupt entry is a miss; a cache that cannot be
//! written is skipped silently (the run is only slower).
//!
//! Layout, as Ruff's `.ruff_cache`: `<root>/.djperf_cache/` with a `.gitignore` of `*` and a
//! `CACHEDIR.TAG`, and one directory per build holding one file per entry. Entries unused
//! by a run are removed once they outnumber the used ones (a project's edits leave old
//! versions behind), and directories of other builds are removed when a new one is made.

use crate::ast::Module;
use rustc_hash::FxHashSet as HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Name of the cache directory made in the project root.
pub const DIR_NAME: &str = ".djperf_cache";

/// Identity of the lowering code this binary was built from (see `build.rs`).
pub const BUILD_KEY: &str = env!("DJPERF_BUILD_KEY");

/// The key of one text.
pub type Key = u128;

pub fn key(text: &str) -> Key {
    xxhash_rust::xxh3::xxh3_128(text.as_bytes())
}

/// An opened cache directory. Shared by the loading threads.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    used: Mutex<HashSet<Key>>,
}

impl Cache {
    /// Open (creating if needed) the cache under `base` (normally `<root>/.djperf_cache`).
    /// `None` when it cannot be created: the run goes on without a cache.
    pub fn open(base: &Path) -> Option<Cache> {
        let dir = base.join(format!("ir-{}-{BUILD_KEY}", env!("CARGO_PKG_VERSION")));
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir).ok()?;
            // Marks that tools (git, backups) know; written once, when the cache is made.
            let _ = std::fs::write(base.join(".gitignore"), "# made by djperf\n*\n");
            let _ = std::fs::write(
                base.join("CACHEDIR.TAG"),
                "Signature: 8a477f597d28d172789f06886806bc55\n\
                 # This file is a cache directory tag created by djperf.\n",
            );
            remove_other_builds(base, &dir);
        }
        Some(Cache {
            dir,
            used: Mutex::new(HashSet::default()),
        })
    }

    fn entry(&self, key: Key) -> PathBuf {
        self.dir.join(format!("{key:032x}"))
    }

    /// The module lowered from a text with this key, if cached and readable.
    pub fn get(&self, key: Key) -> Option<Module> {
        self.mark(key);
        let bytes = std::fs::read(self.entry(key)).ok()?;
        postcard::from_bytes(&bytes).ok()
    }

    /// Store a module. Written to a temporary name and renamed, so a concurrent run reads
    /// either nothing or the whole entry.
    pub fn put(&self, key: Key, module: &Module) {
        self.mark(key);
        let Ok(bytes) = postcard::to_stdvec(module) else {
            return;
        };
        static WRITES: AtomicU64 = AtomicU64::new(0);
        let path = self.entry(key);
        let n = WRITES.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_extension(format!("tmp-{}-{n}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    fn mark(&self, key: Key) {
        if let Ok(mut used) = self.used.lock() {
            used.insert(key);
        }
    }

    /// Remove the entries this run did not use, once they outnumber the used ones.
    pub fn prune(&self) {
        let Ok(used) = self.used.lock() else { return };
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let names: Vec<(PathBuf, Option<Key>)> = entries
            .flatten()
            .map(|e| {
                let name = e.file_name();
                let key = name
                    .to_str()
                    .filter(|n| n.len() == 32)
                    .and_then(|n| u128::from_str_radix(n, 16).ok());
                (e.path(), key)
            })
            .collect();
        let unused = names
            .iter()
            .filter(|(_, k)| !k.is_some_and(|k| used.contains(&k)))
            .count();
        if unused <= used.len().max(64) {
            return;
        }
        for (path, key) in names {
            if !key.is_some_and(|k| used.contains(&k)) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// Remove the entry directories of other djperf builds (they can never be read again by
/// this one, and a project sees many builds during development).
fn remove_other_builds(base: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let is_build = e.file_name().to_str().is_some_and(|n| n.starts_with("ir-"));
        if is_build && path != keep && path.is_dir() {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corrupt_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().join(DIR_NAME);
        let cache = Cache::open(&base).unwrap();
        assert!(base.join(".gitignore").is_file());
        assert!(base.join("CACHEDIR.TAG").is_file());
        let text =
            "class A(models.Model):\n    b = models.ForeignKey(B, on_delete=models.CASCADE)\n";
        let module = crate::parse::parse(text).unwrap();
        let k = key(text);
        assert!(cache.get(k).is_none());
        cache.put(k, &module);
        let back = cache.get(k).expect("the entry just written");
        assert_eq!(format!("{back:?}"), format!("{module:?}"));
        // a corrupt entry is a miss, never an error
        std::fs::write(cache.entry(k), b"\xff\x00garbage").unwrap();
        assert!(cache.get(k).is_none());
        // a different text never shares an entry
        assert_ne!(k, key("class A(models.Model):\n    pass\n"));
    }

    #[test]
    fn other_builds_are_removed_and_unused_entries_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().join(DIR_NAME);
        std::fs::create_dir_all(base.join("ir-0.0.0-old")).unwrap();
        let cache = Cache::open(&base).unwrap();
        assert!(!base.join("ir-0.0.0-old").exists());
        let module = crate::parse::parse("x = 1\n").unwrap();
        for i in 0..100u128 {
            cache.put(i, &module);
        }
        let again = Cache::open(&base).unwrap();
        assert!(again.get(7).is_some());
        again.prune();
        let left: Vec<_> = std::fs::read_dir(&again.dir).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "only the entry this run used is kept");
    }
}
