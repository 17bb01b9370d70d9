//! Data-migration code: functions that run with the historical app registry (a `RunPython`
//! function, the helpers it hands `apps` to, a `post_migrate` handler). Their models come
//! from `apps.get_model(...)`: historical models, rebuilt from the migrations. Relations and
//! managers work as on the real models, but the models' own methods, properties and
//! `__str__` do not exist, and a custom manager is kept only when it sets
//! `use_in_migrations = True` (otherwise `objects` is Django's plain manager). Upgrades of
//! distributed apps run this code on production-sized tables, so its N+1s are reported.

use super::*;

impl<'a> Analyzer<'a> {
    /// The summary of a method or property of `model` the walked code can call: none in
    /// data-migration code.
    pub(super) fn member_summary(&self, model: ModelId, name: &str) -> Option<&'a FnSummary> {
        if self.historical {
            return None;
        }
        self.sums.model_member(self.ix, model, name)
    }

    /// Manager `name` of `model` (its effect and classes) as the walked code sees it.
    pub(super) fn manager_of(
        &self,
        model: ModelId,
        name: &str,
    ) -> Option<(crate::index::effects::ChainEffect, Vec<String>)> {
        if self.historical {
            self.ix.historical_manager(model, name)
        } else {
            self.ix.manager(model, name)
        }
    }
}

/// Functions that run while migrating, as `migrations/` files do: they take the historical
/// app registry as a parameter `apps` and call `apps.get_model(...)` (a `RunPython` function,
/// a helper it calls with `apps`, a `post_migrate` handler), and the functions nested in them.
pub(super) fn migration_time_functions(m: &Module) -> Vec<bool> {
    let calls: Vec<Span> = m
        .exprs
        .iter()
        .filter(|e| match &e.kind {
            ExprKind::Call { func, .. } => matches!(
                m.kind(*func),
                ExprKind::Attr { value, attr, .. }
                    if &**attr == "get_model"
                        && matches!(m.kind(*value), ExprKind::Name(n) if &**n == "apps")
            ),
            _ => false,
        })
        .map(|e| e.span)
        .collect();
    let mut out: Vec<bool> = m
        .functions
        .iter()
        .map(|f| {
            !calls.is_empty()
                && f.params.iter().any(|p| &*p.name == "apps")
                && calls
                    .iter()
                    .any(|c| c.start >= f.span.start && c.end <= f.span.end)
        })
        .collect();
    // Nested functions follow their parent (parents come first in `functions`).
    for i in 0..m.functions.len() {
        if let Some(p) = m.functions[i].parent {
            if out.get(p as usize).copied().unwrap_or(false) {
                out[i] = true;
            }
        }
    }
    out
}
