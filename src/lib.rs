//! djperf: static analysis of Django ORM performance problems.
//!
//! Three phases: facts per file (parse and lower in parallel, [`project`]), one project
//! [`index`] of models and managers, then the [`rules`] per file over the [`flow`] analysis.

pub mod baseline;
pub mod cache;
pub mod check;
pub mod cli;
pub mod config;
pub mod dependents;
pub mod diagnostic;
pub mod discover;
pub mod django;
pub mod docs;
pub mod fingerprint;
pub mod fix;
pub mod flow;
pub mod frameworks;
pub mod index;
pub mod measure;
pub mod noqa;
pub mod output;
pub mod progress;
pub mod project;
pub mod rules;
pub mod semantic;
pub mod server;
pub mod session;
pub mod settings;
pub mod suppress;
pub mod syntax;
pub mod watch;

pub use syntax::{ast, parse, source};
