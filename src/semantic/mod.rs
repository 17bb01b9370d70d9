//! Names and classes across the project: one import scope per file ([`imports`]).

pub mod imports;
