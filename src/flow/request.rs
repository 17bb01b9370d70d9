//! Attributes the project sets on requests: `request.event = Event.objects.get(...)` in a
//! middleware, a decorator, a view's `dispatch()` or a DRF permission. Views then read
//! `request.event` (or `self.request.event`) as that row, and `request.event.quotas.all()`
//! is a queryset of known model.
//!
//! Every assignment of `<x>.request.<attr> = value` or `request.<attr> = value` in the
//! project votes: a model instance for its model, `None` and values djperf cannot name not
//! at all, anything else (a literal, a queryset, a class) against every model. An attribute
//! is typed only when the votes are unanimous; what its row loads is what every voting
//! assignment loads.

use super::*;
use rayon::prelude::*;

/// One assignment's vote for the type of a request attribute.
#[derive(Debug, Clone)]
pub(super) enum Vote {
    Row(ModelId, LoadSet),
    /// Not a model row (a literal, a queryset, a list): the attribute is no row.
    Other,
}

/// The request attributes the code of `files` sets, typed by unanimous votes (see the
/// module documentation). Request attributes already in `ix` are used to type the values
/// (`request.organizer = request.event.organizer`): call it again with the result in the
/// index to follow such chains one step further.
pub fn request_attrs(files: &[File], ix: &Index) -> HashMap<Box<str>, (ModelId, LoadSet)> {
    let votes: Vec<(Box<str>, Vote)> = files
        .par_iter()
        .filter(|f| sets_request_attr(&f.ast))
        .flat_map_iter(|f| {
            let mut a = Analyzer::new(ix, f, &NO_SUMMARIES);
            a.request_votes = Some(Vec::new());
            walk_file(&mut a, f);
            a.request_votes.take().unwrap_or_default()
        })
        .collect();
    let mut by_attr: HashMap<Box<str>, Option<(ModelId, LoadSet)>> = HashMap::default();
    // in file order (the votes of one attribute meet whatever the order; loads intersect)
    for (attr, vote) in votes {
        let slot = by_attr.entry(attr).or_insert_with(|| match &vote {
            Vote::Row(m, l) => Some((*m, l.clone())),
            Vote::Other => None,
        });
        *slot = match (slot.take(), vote) {
            (Some((m, l)), Vote::Row(m2, l2)) if m == m2 => Some((m, l.intersect(&l2))),
            _ => None,
        };
    }
    by_attr
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

/// Walk the module body and every function of `f` (only to see what is assigned).
fn walk_file<'a>(a: &mut Analyzer<'a>, f: &'a File) {
    let m = &f.ast;
    a.block(&m.body);
    for func in &m.functions {
        a.env.clear();
        a.loops.clear();
        a.conds.clear();
        a.fn_body = Some(&func.body);
        a.block(&func.body);
    }
    a.fn_body = None;
}

/// The attribute an assignment target `<x>.request.<attr>` / `request.<attr>` sets.
pub(super) fn request_attr_target(m: &Module, e: ExprId) -> Option<&str> {
    let ExprKind::Attr { value, attr, .. } = m.kind(e) else {
        return None;
    };
    // `request.user` is Django's (AuthenticationMiddleware); see `Analyzer::request_user`.
    if &**attr == "user" {
        return None;
    }
    let on_request = match m.kind(*value) {
        ExprKind::Name(n) => &**n == "request",
        ExprKind::Attr { attr, .. } => &**attr == "request",
        _ => false,
    };
    on_request.then_some(&**attr)
}

/// Whether some statement of `m` assigns an attribute of a request.
fn sets_request_attr(m: &Module) -> bool {
    let mut stack: Vec<&Block> = vec![&m.body];
    stack.extend(m.functions.iter().map(|f| &f.body));
    let mut steps = 0usize;
    while let Some(b) = stack.pop() {
        for s in b {
            steps += 1;
            if steps > 1_000_000 {
                return false;
            }
            if let StmtKind::Assign { targets, .. } = &s.kind {
                if targets
                    .iter()
                    .any(|t| matches!(t, Target::Attr(e) if request_attr_target(m, *e).is_some()))
                {
                    return true;
                }
            }
            stack.extend(s.kind.blocks());
        }
    }
    false
}

impl Analyzer<'_> {
    /// While request attributes are collected: the votes of `value` (the expression `e`
    /// assigned to `request.<attr>`).
    pub(super) fn vote_request_attr(&mut self, attr: &str, e: ExprId, value: &Value) {
        let mut votes = Vec::new();
        self.votes_of(e, value, &mut votes, 0);
        if let Some(out) = self.request_votes.as_mut() {
            out.extend(votes.into_iter().map(|v| (Box::from(attr), v)));
        }
    }

    fn votes_of(&mut self, e: ExprId, value: &Value, out: &mut Vec<Vote>, depth: u32) {
        match self.m.kind(e) {
            ExprKind::Const(crate::ast::Const::None) => {}
            ExprKind::Const(_)
            | ExprKind::Str(_)
            | ExprKind::FString(_)
            | ExprKind::Num(_)
            | ExprKind::Seq { .. }
            | ExprKind::Dict(_)
            | ExprKind::Comp { .. }
            | ExprKind::Lambda { .. } => out.push(Vote::Other),
            // `orga if isinstance(orga, Organizer) else Organizer.objects.get(pk=orga)`
            ExprKind::IfExp { body, orelse, .. } if depth < 4 => {
                let (body, orelse) = (*body, *orelse);
                let vb = self.eval(body);
                self.votes_of(body, &vb, out, depth + 1);
                let vo = self.eval(orelse);
                self.votes_of(orelse, &vo, out, depth + 1);
            }
            _ => match value {
                Value::Instance(i) => out.push(Vote::Row(i.model, i.loads.clone())),
                Value::Unknown => {}
                _ => out.push(Vote::Other),
            },
        }
    }
}
