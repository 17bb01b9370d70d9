//! The syntax layer: source text, tree-sitter parsing and the lowered IR every later phase
//! reads. Re-exported at the crate root as `crate::ast`, `crate::parse`, `crate::source`.

pub mod ast;
pub mod errors;
mod lower;
pub mod parse;
pub mod source;
