//! What Django and its libraries do with a project's code: DRF serializers and views, admin
//! changelists, generic class-based views, templates. Each framework finds the places where
//! rows are produced and consumed (row sources) and drives the flow interpreter over the code
//! that runs per row; nothing here evaluates Python by itself.

pub mod admin;
pub mod drf;
pub mod templates;
pub mod views;
