//! Lookups held in variables: `category = "component__category"`,
//! `component = Prefetch("component", queryset=...)`, `lookups = ["a", "b"]` (grown with
//! `append`/`extend`/`+=`), then `qs.prefetch_related(component, category, *lookups)`.
//!
//! Real managers and querysets build their lookups this way (weblate's
//! `TranslationQuerySet.prefetch()` binds nine `Prefetch` objects in an `if`/`else`). The
//! values join like any other (a relation counts as loaded only if every path loads it), and
//! a list is trusted only while the function uses its name in no way djperf does not follow:
//! handed to another function, aliased, indexed or mutated otherwise, it may hold anything,
//! so the call's loads become unknown (no relation is claimed missing).

use super::*;
use crate::index::effects::{
    is_lookup_text, is_prefetch_call, prefetch_object, ArgEval, Lookup, Lookups,
};

/// The interpreter as [`apply_method`]'s view of a call's arguments (`argv`: their values,
/// already evaluated).
pub(super) struct FlowArgs<'x, 'a> {
    pub an: &'x mut Analyzer<'a>,
    pub args: &'x [ExprId],
    pub argv: &'x [Value],
}

impl ArgEval for FlowArgs<'_, '_> {
    fn queryset(&mut self, e: ExprId) -> Option<(LoadSet, bool)> {
        self.an.inner_loads(e)
    }

    fn lookups(&mut self, e: ExprId) -> Option<Lookups> {
        let m = self.an.m;
        match m.kind(e) {
            ExprKind::Starred(x) => {
                let ExprKind::Name(n) = m.kind(*x) else {
                    return None;
                };
                if self.an.lookups_escape(n) {
                    return None;
                }
                seq_lookups(self.an.env.get(n)?)
            }
            ExprKind::Name(n) => {
                if self.an.lookups_escape(n) {
                    return None;
                }
                let pos = self.args.iter().position(|a| *a == e)?;
                match self.argv.get(pos)? {
                    Value::Lookups(l) if !l.seq => Some((**l).clone()),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The lookups a list, a tuple of single lookups or a lookups value holds, as a sequence.
fn seq_lookups(v: &Value) -> Option<Lookups> {
    match v {
        Value::Lookups(l) if l.seq => Some((**l).clone()),
        Value::Tuple(vs) => {
            let mut out = Lookups {
                alts: vec![Vec::new()],
                seq: true,
            };
            for v in vs {
                match v {
                    Value::Lookups(l) if !l.seq => out = out.concat(l)?,
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn lookups_value(l: Lookups) -> Value {
    Value::Lookups(Arc::new(l))
}

impl<'a> Analyzer<'a> {
    /// A string literal that may be a lookup path.
    pub(super) fn str_lookup(s: &str) -> Value {
        if is_lookup_text(s) {
            lookups_value(Lookups::one(Lookup::Path(s.into())))
        } else {
            Value::Unknown
        }
    }

    /// `Prefetch(...)` with a literal lookup: the object, its queryset evaluated (`None`:
    /// not a `Prefetch` djperf can read).
    pub(super) fn prefetch_value(
        &mut self,
        func: ExprId,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Option<Value> {
        let m = self.m;
        if !is_prefetch_call(m, func) {
            return None;
        }
        let mut ev = FlowArgs {
            an: self,
            args: &[],
            argv: &[],
        };
        let p = prefetch_object(m, args, kwargs, &mut ev)?;
        Some(lookups_value(Lookups::one(Lookup::Prefetch(Arc::new(p)))))
    }

    /// A list display: the lookups it holds when every element is a lookup (or `*` of a
    /// list of them), else unknown.
    pub(super) fn list_lookups(&mut self, elts: &[ExprId]) -> Value {
        let m = self.m;
        let mut out = Some(Lookups {
            alts: vec![Vec::new()],
            seq: true,
        });
        for x in elts {
            let part = match m.kind(*x) {
                ExprKind::Starred(inner) => {
                    let v = self.eval(*inner);
                    match m.kind(*inner) {
                        ExprKind::Name(n) if !self.lookups_escape(n) => seq_lookups(&v),
                        _ => None,
                    }
                }
                _ => match self.eval(*x) {
                    Value::Lookups(l) if !l.seq => Some((*l).clone()),
                    _ => None,
                },
            };
            out = match (out, part) {
                (Some(o), Some(p)) => o.concat(&p),
                _ => None,
            };
        }
        out.map_or(Value::Unknown, lookups_value)
    }

    /// `a + b` of two lists of lookups.
    pub(super) fn concat_lookups(a: &Value, b: &Value) -> Value {
        match (seq_lookups(a), seq_lookups(b)) {
            (Some(a), Some(b)) => a.concat(&b).map_or(Value::Unknown, lookups_value),
            _ => Value::Unknown,
        }
    }

    /// `lookups.append(x)`, `lookups.extend(xs)` on a list of lookups held by a variable:
    /// the variable holds the longer list. Any other method may change it in ways not
    /// followed: the variable's lookups become unknown.
    pub(super) fn lookups_method(
        &mut self,
        recv: ExprId,
        list: &Lookups,
        method: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Value {
        let (argv, _) = self.eval_arg_values(args, kwargs);
        let ExprKind::Name(n) = self.m.kind(recv) else {
            return Value::Unknown;
        };
        if let ("append", [v], true) = (method, argv.as_slice(), list.is_empty_seq()) {
            if let Some(model) = self.new_per_iteration(v) {
                self.env.insert(n.clone(), Value::Items(model));
                return Value::Unknown;
            }
        }
        let grown = match (method, argv.as_slice()) {
            ("append", [Value::Lookups(x)]) if !x.seq => list.concat(x),
            ("extend", [v]) => seq_lookups(v).and_then(|x| list.concat(&x)),
            ("copy", []) => return lookups_value(list.clone()),
            _ => None,
        };
        let v = grown.map_or(Value::Unknown, lookups_value);
        self.env.insert(n.clone(), v);
        Value::Unknown
    }

    /// A method of a list variable holding instances built one per iteration
    /// ([`Value::Items`]): more of the same keep it, reordering keeps it, anything else may
    /// put other things in it.
    pub(super) fn items_method(
        &mut self,
        recv: ExprId,
        model: crate::index::ModelId,
        method: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Value {
        let (argv, _) = self.eval_arg_values(args, kwargs);
        let ExprKind::Name(n) = self.m.kind(recv) else {
            return Value::Unknown;
        };
        let keeps = match (method, argv.as_slice()) {
            ("append", [v]) => self.new_per_iteration(v) == Some(model),
            ("sort" | "reverse", _) => true,
            _ => false,
        };
        if !keeps {
            self.env.insert(n.clone(), Value::Unknown);
        }
        Value::Unknown
    }

    /// The model of `v` when it is an instance that is a different one on every iteration of
    /// the repeating loop running now: built in its body (`Book(...)`), or one of the rows it
    /// iterates.
    pub(super) fn new_per_iteration(&self, v: &Value) -> Option<crate::index::ModelId> {
        let Value::Instance(i) = v else {
            return None;
        };
        let fresh = i.created_in_loop.is_some_and(|l| self.iterating(l));
        let row = i.row.as_ref().is_some_and(|r| self.iterating(r.loop_id));
        (fresh || row).then_some(i.model)
    }

    /// `name += value`: a list of lookups grown by another, else unknown.
    pub(super) fn aug_assign_lookups(&self, name: &str, value: &Value) -> Value {
        match self.env.get(name) {
            Some(v @ Value::Lookups(l)) if l.seq => Self::concat_lookups(v, value),
            _ => Value::Unknown,
        }
    }

    /// Whether the function walked uses the variable `name` other than as lookups djperf
    /// follows: an argument of `select_related`/`prefetch_related` (spread or not), the
    /// receiver of `append`/`extend`/`copy`, an element of a list or tuple display, an
    /// operand of `+`. Any other use (handed to a function, aliased, indexed, tested) may
    /// change a list or leave it in doubt. Outside a function nothing is trusted.
    pub(super) fn lookups_escape(&self, name: &str) -> bool {
        if self.fn_body.is_none() {
            return true;
        }
        let m = self.m;
        let span = self.fn_span;
        let is_name = |e: ExprId| matches!(m.kind(e), ExprKind::Name(n) if &**n == name);
        let is_name_or_spread =
            |e: ExprId| is_name(e) || matches!(m.kind(e), ExprKind::Starred(x) if is_name(*x));
        let (mut uses, mut followed) = (0usize, 0usize);
        for ex in &m.exprs {
            if ex.span.start < span.start || ex.span.end > span.end {
                continue;
            }
            match &ex.kind {
                ExprKind::Name(n) if &**n == name => uses += 1,
                ExprKind::Call { func, args, .. } => {
                    if let ExprKind::Attr { value, attr, .. } = m.kind(*func) {
                        if matches!(&**attr, "select_related" | "prefetch_related") {
                            followed += args.iter().filter(|a| is_name_or_spread(**a)).count();
                        }
                        if matches!(&**attr, "append" | "extend" | "copy") && is_name(*value) {
                            followed += 1;
                        }
                    }
                }
                ExprKind::Seq {
                    kind: SeqKind::List | SeqKind::Tuple,
                    elts,
                } => followed += elts.iter().filter(|a| is_name_or_spread(**a)).count(),
                ExprKind::BinOp { left, op, right } if &**op == "+" => {
                    followed += usize::from(is_name(*left)) + usize::from(is_name(*right));
                }
                _ => {}
            }
        }
        uses > followed
    }
}
