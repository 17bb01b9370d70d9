//! Names and classes across the project: one import scope per file ([`imports`]) and one
//! class table with bases and method resolution order ([`classes`]).

pub mod classes;
pub mod imports;
