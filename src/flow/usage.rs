//! How the rows of a queryset are used after it is evaluated, and the small per-expression
//! facts the efficiency rules need (DJP202, DJP401-DJP404).
//!
//! The hooks here are called from the walk in [`super`] at the places where a queryset is
//! measured (`len()`, `bool()`, a truth test, `count()` compared with 0 or 1), where a
//! relation's key is read (`obj.author.id`) and where a plain field is read on a row.
//!
//! `len(qs)`/`if qs:` on a queryset held in a local name stays *pending* until the function
//! ends: any later read of the name (iteration, indexing, passing it on, putting it in a
//! context) means the rows are used, and the test is fine (it fills the cache once). A test
//! on a queryset built inline (`len(Book.objects.filter(...))`) can never be used again.

use super::{Analyzer, Event, Inst, Qs};
use crate::ast::{ExprId, ExprKind, Target};
use crate::index::{FieldKind, Member, ModelId};
use crate::source::Loc;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// How the rows were measured without being used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unused {
    /// `len(qs)`: only the number of rows is used (DJP401).
    Len,
    /// `if qs:`, `bool(qs)`, `not qs`, `if len(qs)`, `len(qs) > 0`: only "any rows?" (DJP402).
    Truth,
}

#[derive(Debug, Clone)]
struct Pending {
    /// The local name holding the queryset (`None` for an inline queryset).
    name: Option<Box<str>>,
    span: Loc,
    model: ModelId,
    how: Unused,
}

#[derive(Debug, Default, Clone)]
pub struct UsageState {
    pending: Vec<Pending>,
    /// The last `qs.count()` call: its span and model.
    last_count: Option<(Loc, ModelId)>,
    /// The last single relation read (`obj.author`): its span, the instance's model, the
    /// accessor, and whether the related object was already loaded.
    last_relation: Option<(Loc, ModelId, String, bool)>,
    /// Reads of each dotted attribute (`self.user`) in the function, by its text:
    /// (all reads, reads only for `.id`/`.pk`).
    rel_reads: HashMap<String, (u32, u32)>,
    /// DJP404 candidates, kept when every read of their relation expression is a key read.
    fk_id_candidates: Vec<(String, Event)>,
    /// Local names bound to an object built here (`create(...)`, `Model(...)`): its relations
    /// hold the objects it was built with.
    constructed: HashSet<Box<str>>,
    /// The expression being tested for truth right now (`if <e>:`).
    truth_expr: Option<Loc>,
}

/// Whether an expression is the integer literal `n`.
pub(crate) fn is_int(m: &crate::ast::Module, e: ExprId, n: u32) -> bool {
    matches!(m.kind(e), ExprKind::Num(v) if *v == Some(u64::from(n)))
}

/// For `count() OP k` (or `k OP count()` when `flipped`): `Some(negated)` when the test is an
/// existence test, `negated` when it asks "are there none?".
pub(crate) fn existence_test(op: &str, k: u32, flipped: bool) -> Option<bool> {
    let op = if flipped {
        match op {
            "<" => ">",
            ">" => "<",
            "<=" => ">=",
            ">=" => "<=",
            o => o,
        }
    } else {
        op
    };
    match (op, k) {
        (">" | "!=", 0) | (">=", 1) => Some(false),
        ("==" | "<=", 0) | ("<", 1) => Some(true),
        _ => None,
    }
}

impl Analyzer<'_> {
    /// A local name is read: a pending measurement of it is followed by a use of its rows.
    pub(super) fn note_read(&mut self, name: &str) {
        self.usage
            .pending
            .retain(|p| p.name.as_deref() != Some(name));
    }

    /// The operands of `a or b`: the expression's value is one of them, so their rows may be
    /// used by whatever takes it.
    pub(super) fn note_operands_used(&mut self, e: ExprId, values: &[ExprId]) {
        if self.usage.truth_expr == Some(self.at(e)) {
            // `if a or b:`: the value is only tested.
            return;
        }
        for v in values {
            let vspan = self.at(*v);
            self.usage.pending.retain(|p| p.span != vspan);
            if let ExprKind::Name(n) = self.m.kind(*v) {
                let n = n.clone();
                self.note_read(&n);
            }
        }
    }

    /// `truth(e)` starts; returns the previous truth expression for [`Self::leave_truth`].
    pub(super) fn enter_truth(&mut self, e: ExprId) -> Option<Loc> {
        self.usage.truth_expr.replace(self.at(e))
    }

    pub(super) fn leave_truth(&mut self, prev: Option<Loc>) {
        self.usage.truth_expr = prev;
    }

    /// Whether `e` is the expression a truth test is evaluating (`if a or b:`).
    pub(super) fn is_truth_tested(&self, e: ExprId) -> bool {
        self.usage.truth_expr == Some(self.at(e))
    }

    /// `len(arg)` / `bool(arg)` on queryset `q`, before the walk marks it evaluated.
    pub(super) fn note_len_bool(&mut self, builtin: &str, arg: ExprId, q: &Qs, call_span: Loc) {
        let how = match builtin {
            "len" => Unused::Len,
            "bool" => Unused::Truth,
            _ => return,
        };
        self.add_pending(arg, q, call_span, how);
    }

    /// `if qs:` / `not qs` / `qs or ...` on queryset `q` (expression `e`).
    pub(super) fn note_truth(&mut self, e: ExprId, q: &Qs) {
        self.add_pending(e, q, self.at(e), Unused::Truth);
    }

    fn add_pending(&mut self, arg: ExprId, q: &Qs, span: Loc, how: Unused) {
        if q.cached || q.is_list || q.iterator || q.single || q.empty {
            return;
        }
        // A related manager measured per row is the N+1 rules' business (DJP102): their fix
        // (a prefetch) makes `len()` free, so `count()` would be the wrong advice.
        if let Some(rel) = &q.related {
            if rel.parent.row.as_ref().is_some_and(|r| self.per_row(r)) {
                return;
            }
            // `len(self.tags.all())` in a method: the caller may have prefetched `tags`, and
            // then `len()` reads the cache while `count()` would not be better.
            if rel.parent.open && q.narrowed.is_none() {
                return;
            }
        }
        let name = match self.m.kind(arg) {
            ExprKind::Name(n) => Some(n.clone()),
            // A queryset built inline: nothing can use its rows later.
            ExprKind::Call { .. } => None,
            _ => return,
        };
        self.usage.pending.push(Pending {
            name,
            span,
            model: q.model,
            how,
        });
    }

    /// A non-queryset expression used for its truth: `if len(qs):`, `if qs.count():`.
    pub(super) fn note_truth_of_call(&mut self, e: ExprId) {
        let span = self.at(e);
        if let Some(p) = self.usage.pending.iter_mut().find(|p| p.span == span) {
            p.how = Unused::Truth;
            return;
        }
        if let Some((cspan, model)) = self.usage.last_count {
            if cspan == span {
                self.events.push(Event::CountCompare {
                    span,
                    model,
                    form: "if qs.count()".into(),
                    negated: false,
                });
            }
        }
    }

    /// `not x` after `x` was used for its truth.
    pub(super) fn note_not(&mut self, x: ExprId) {
        let span = self.at(x);
        if let Some(Event::CountCompare {
            span: s,
            form,
            negated,
            ..
        }) = self.events.last_mut()
        {
            if *s == span && form == "if qs.count()" {
                "not qs.count()".clone_into(form);
                *negated = true;
            }
        }
    }

    /// `qs.count()` was called (span of the call).
    pub(super) fn note_count(&mut self, q: &Qs, span: Loc) {
        // A filled cache (prefetched relation, evaluated queryset) answers count() itself.
        if q.cached {
            self.usage.last_count = None;
            return;
        }
        self.usage.last_count = Some((span, q.model));
    }

    /// A comparison: `qs.count() > 0`, `len(qs) == 0`...
    pub(super) fn note_compare(
        &mut self,
        e: ExprId,
        left: ExprId,
        ops: &[Box<str>],
        comps: &[ExprId],
    ) {
        let [op] = ops else { return };
        let [right] = comps else { return };
        let m = self.m;
        let (subject, k, flipped) = if is_int(m, *right, 0) {
            (left, 0, false)
        } else if is_int(m, *right, 1) {
            (left, 1, false)
        } else if is_int(m, left, 0) {
            (*right, 0, true)
        } else if is_int(m, left, 1) {
            (*right, 1, true)
        } else {
            return;
        };
        let Some(negated) = existence_test(op, k, flipped) else {
            return;
        };
        let sspan = self.at(subject);
        if let Some(p) = self.usage.pending.iter_mut().find(|p| p.span == sspan) {
            p.how = Unused::Truth;
            return;
        }
        if flipped {
            // The right side is evaluated after this hook: count() is not seen yet.
            return;
        }
        if let Some((cspan, model)) = self.usage.last_count {
            if cspan == sspan {
                let form = format!("{op} {k}");
                self.events.push(Event::CountCompare {
                    span: self.at(e),
                    model,
                    form,
                    negated,
                });
            }
        }
    }

    /// `targets = value`: remember which names hold an object built here.
    pub(super) fn note_assign(&mut self, targets: &[Target], value: ExprId) {
        let built = match self.m.kind(value) {
            ExprKind::Call { func, .. } => match self.m.kind(*func) {
                ExprKind::Attr { attr, .. } => {
                    matches!(&**attr, "create" | "get_or_create" | "update_or_create")
                }
                ExprKind::Name(n) => matches!(self.name_value(n), super::Value::ModelClass(_)),
                _ => false,
            },
            _ => false,
        };
        for t in targets {
            let name = match t {
                Target::Name(n, _) => Some(n),
                Target::Tuple(ts) => match ts.first() {
                    Some(Target::Name(n, _)) => Some(n),
                    _ => None,
                },
                _ => None,
            };
            if let Some(n) = name {
                if built {
                    self.usage.constructed.insert(n.clone());
                } else {
                    self.usage.constructed.remove(n);
                }
            }
        }
    }

    /// A single relation was read (`obj.author`, expression span `span`).
    pub(super) fn note_relation(&mut self, inst: &Inst, attr: &str, span: Loc, loaded: bool) {
        let forward = matches!(self.ix.member(inst.model, attr), Some(Member::Forward(f)) if f.kind == FieldKind::ForeignKey || f.kind == FieldKind::OneToOne);
        // rows or an object a caller handed in may have it joined (`select_related`)
        let loaded = loaded || (inst.open && (inst.row.is_some() || inst.from_caller));
        self.usage.last_relation = forward.then(|| (span, inst.model, attr.to_owned(), loaded));
    }

    /// `<value>.<attr>` where `value` may be a relation read (`obj.author.id`).
    pub(super) fn note_id_read(&mut self, value: ExprId, attr: &str, span: Loc) {
        // Count every read of a dotted attribute (`obj.author`), by its text.
        if let Some(base) = self.m.dotted(value) {
            self.usage
                .rel_reads
                .entry(format!("{base}.{attr}"))
                .or_default()
                .0 += 1;
        }
        if attr != "id" && attr != "pk" {
            return;
        }
        let vspan = self.at(value);
        let Some((rspan, model, rel, loaded)) = self.usage.last_relation.clone() else {
            return;
        };
        if rspan != vspan || loaded {
            return;
        }
        // `obj.author.id`, not a property or method returning a related object
        // (`unit.source_language.pk`): only then does `author_id` hold the key
        if !matches!(self.m.kind(value), ExprKind::Attr { attr: a, .. } if **a == *rel) {
            return;
        }
        if let ExprKind::Attr { value: base, .. } = self.m.kind(value) {
            if let ExprKind::Name(n) = self.m.kind(*base) {
                if self.usage.constructed.contains(n) {
                    return;
                }
            }
        }
        let Some(Member::Forward(f)) = self.ix.member(model, &rel) else {
            return;
        };
        // `.id` is the key only when the target's primary key is the implicit `id`.
        if attr == "id" {
            let Some(target) = f.target else { return };
            let tm = self.ix.model(target);
            if tm.fields.iter().any(|g| g.primary_key && g.name != "id") {
                return;
            }
        }
        let Some(text) = self.m.dotted(value) else {
            return;
        };
        self.usage.rel_reads.entry(text.clone()).or_default().1 += 1;
        self.usage.fk_id_candidates.push((
            text,
            Event::FkIdThroughRelation {
                span,
                model,
                attr: rel,
                id_attr: attr.to_owned(),
            },
        ));
    }

    /// A plain field (or an FK's `_id`) read on an instance.
    pub(super) fn note_field_read(&mut self, inst: &Inst, field: &str, span: Loc) {
        let Some(row) = inst.row.clone() else { return };
        if !self.per_row(&row) || !inst.loads.defers(field) {
            return;
        }
        if self
            .ix
            .model(inst.model)
            .fields
            .iter()
            .any(|f| f.name == field && f.primary_key)
        {
            return;
        }
        self.events.push(Event::DeferredFieldRead {
            span,
            root_span: row.root_span,
            model: inst.model,
            field: field.to_owned(),
        });
    }

    /// The end of a function: pending measurements whose rows were never used.
    pub(super) fn flush_usage(&mut self) {
        for p in std::mem::take(&mut self.usage.pending) {
            self.events.push(Event::RowsUnused {
                span: p.span,
                model: p.model,
                how: p.how,
            });
        }
        // `obj.author.id` is wasted only if nothing else in the function reads `obj.author`
        // (another read fetches it anyway, and fills the cache the key read then uses).
        for (text, ev) in std::mem::take(&mut self.usage.fk_id_candidates) {
            if let Some((all, keys)) = self.usage.rel_reads.get(&text) {
                if all == keys {
                    self.events.push(ev);
                }
            }
        }
        self.usage.rel_reads.clear();
        self.usage.constructed.clear();
        self.usage.last_count = None;
        self.usage.last_relation = None;
    }
}
