//! DRF row sources: a list view serializes every row of its queryset (a detail view one row),
//! and a serializer built over rows in code (`TagSerializer(obj.tags.all(), many=True)`)
//! serializes each of them. The walk binds a row to each field of the serializer and lets
//! the interpreter run what DRF runs for it: the `source` lookups, nested serializers over
//! related rows, `str()` of a `StringRelatedField`, and the body of a `SerializerMethodField`
//! with `obj` bound to the row. What the interpreter observes is kept with its origin.

use super::serializers::{FieldRead, Serializer};
use super::View;
use crate::ast::{Const, ExprKind, Keyword};
use crate::flow::{Analyzer, CallHooks, EvalHow, Qs, Summaries, Value};
use crate::frameworks::{Observation, Origin};
use crate::index::{FieldKind, Index, Member, ReverseKind};
use crate::project::File;
use crate::source::Loc;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;

/// Nested serializers followed from one field at most this deep.
const MAX_NESTING: usize = 8;
/// Longest relation path followed through `Meta.depth` nesting.
const MAX_PATH: usize = 6;

pub(crate) struct Walker<'s> {
    ix: &'s Index,
    sums: &'s Summaries,
    files: &'s [File],
    serializers: &'s [Serializer],
    by_qual: &'s HashMap<String, usize>,
    /// Serializers being walked (a serializer nesting itself stops there).
    stack: RefCell<Vec<usize>>,
}

/// The observations of one walk, with the field being walked.
struct Sink {
    view: Option<usize>,
    serializer: usize,
    out: Vec<Observation>,
}

impl<'s> Walker<'s> {
    pub(crate) fn new(
        ix: &'s Index,
        sums: &'s Summaries,
        files: &'s [File],
        serializers: &'s [Serializer],
        by_qual: &'s HashMap<String, usize>,
    ) -> Self {
        Walker {
            ix,
            sums,
            files,
            serializers,
            by_qual,
            stack: RefCell::new(Vec::new()),
        }
    }

    fn file(&self, id: crate::project::FileId) -> Option<&'s File> {
        self.files.get(id as usize).filter(|f| f.id == id)
    }

    /// Walk every view's serializers over its rows, then every serializer no view reached
    /// over rows of its model whose loads are unknown (nothing loaded).
    pub(crate) fn views(&'s self, views: &[(View, Qs)]) -> Vec<Observation> {
        let mut out = Vec::new();
        let mut reached: HashSet<usize> = HashSet::default();
        for (vi, (view, qs)) in views.iter().enumerate() {
            for &si in &view.serializers {
                let Some(s) = self.serializers.get(si) else {
                    continue;
                };
                if s.model != Some(qs.model) {
                    continue;
                }
                let Some(file) = self.file(s.file) else {
                    continue;
                };
                let mut an = Analyzer::new(self.ix, file, self.sums);
                an.set_hooks(self);
                let rows = Value::QuerySet(qs.clone());
                let row = if view.detail_only {
                    an.single_object(&rows, qs.span)
                } else {
                    an.enter_loop(&rows, qs.span)
                };
                let mut sink = Sink {
                    view: Some(vi),
                    serializer: si,
                    out: Vec::new(),
                };
                self.fields(&mut an, si, &row, "", &mut sink, &mut reached);
                out.extend(sink.out);
            }
        }
        for (si, s) in self.serializers.iter().enumerate() {
            let (Some(model), Some(file)) = (s.model, self.file(s.file)) else {
                continue;
            };
            if reached.contains(&si) {
                continue;
            }
            let Some(cdef) = self
                .ix
                .classes
                .get(&s.qual)
                .and_then(|c| file.ast.classes.get(c.class as usize))
            else {
                continue;
            };
            let mut an = Analyzer::new(self.ix, file, self.sums);
            an.set_hooks(self);
            let at = Loc::new(file.id, cdef.name_span);
            let rows = Value::QuerySet(Qs::rows_of(model, Default::default(), at));
            let row = an.enter_loop(&rows, at);
            let mut sink = Sink {
                view: None,
                serializer: si,
                out: Vec::new(),
            };
            self.fields(&mut an, si, &row, "", &mut sink, &mut HashSet::default());
            out.extend(sink.out);
        }
        out
    }

    /// Walk serializer `si`'s fields over `row` (labels prefixed by `prefix` for nested ones).
    fn fields(
        &self,
        an: &mut Analyzer<'s>,
        si: usize,
        row: &Value,
        prefix: &str,
        sink: &mut Sink,
        reached: &mut HashSet<usize>,
    ) {
        {
            let stack = self.stack.borrow();
            if stack.contains(&si) || stack.len() > MAX_NESTING {
                return;
            }
        }
        let Some(s) = self.serializers.get(si) else {
            return;
        };
        reached.insert(si);
        self.stack.borrow_mut().push(si);
        let object = match row {
            Value::Instance(i) => i.row.as_ref().map(|r| r.path.clone()).unwrap_or_default(),
            _ => Vec::new(),
        };
        for field in &s.fields {
            let label = if prefix.is_empty() {
                field.name.clone()
            } else {
                format!("{prefix}.{}", field.name)
            };
            an.forget_seen();
            let start = an.events.len();
            let origin = Origin::Serializer {
                view: sink.view,
                serializer: sink.serializer,
                field: label.clone(),
                object: object.clone(),
            };
            match &field.read {
                FieldRead::Model { depth } => {
                    self.model_field(an, row, &field.name, *depth, field.at, 0);
                }
                FieldRead::Source {
                    parts,
                    many,
                    pk_only,
                    nested,
                    stringify,
                } => {
                    let nested_row = self.source(an, row, parts, *many, *pk_only, field.at);
                    // this field's own reads first, then the nested serializer's
                    flush(an, start, &origin, sink);
                    if let Some((v, looped)) = nested_row {
                        if let Some(ni) = nested {
                            self.fields(an, *ni, &v, &label, sink, reached);
                        }
                        if *stringify {
                            an.format(&v, field.at);
                        }
                        if looped {
                            an.exit_loop();
                        }
                    }
                }
                FieldRead::Method { file, func } => {
                    if let Some(f) = self.file(*file) {
                        for r in an.call_bound(f, *func, &[(1, row.clone())]) {
                            // DRF renders a returned queryset: its rows are fetched.
                            if let Value::QuerySet(q) = &r {
                                if !q.values {
                                    let at = q.span;
                                    an.evaluate(&r, at, EvalHow::Iterate);
                                }
                            }
                        }
                    }
                }
            }
            flush(an, start, &origin, sink);
        }
        self.stack.borrow_mut().pop();
    }

    /// A `source` path read on `row`: the lookups of every step, and the value the field
    /// serializes (with `true` when a loop over a many-valued last step was entered, which the
    /// caller exits), or `None` when nothing further is read.
    fn source(
        &self,
        an: &mut Analyzer<'s>,
        row: &Value,
        parts: &[String],
        many: bool,
        pk_only: bool,
        at: Loc,
    ) -> Option<(Value, bool)> {
        let (last, init) = parts.split_last()?;
        let mut cur = row.clone();
        for p in init {
            cur = an.lookup(&cur, p, at);
            if matches!(cur, Value::Unknown) {
                return None;
            }
        }
        match &cur {
            Value::Instance(inst) => match self.ix.member(inst.model, last) {
                // a property or method of the model: DRF reads (or calls) it
                None => {
                    an.call_member(&cur, last, at);
                    None
                }
                // `PrimaryKeyRelatedField`: the key column, no join
                Some(Member::Forward(_)) if pk_only && !many => None,
                Some(Member::Plain(_) | Member::ForeignKeyId(_)) => None,
                Some(_) => {
                    let v = an.lookup(&cur, last, at);
                    if many {
                        let el = an.enter_loop(&v, at);
                        Some((el, true))
                    } else {
                        Some((v, false))
                    }
                }
            },
            // `source="tags.count"`: a manager's method
            Value::QuerySet(_) => {
                an.lookup(&cur, last, at);
                None
            }
            _ => None,
        }
    }

    /// A model field of `Meta.fields` on `v`, nested `depth` levels as `Meta.depth` does.
    fn model_field(
        &self,
        an: &mut Analyzer<'s>,
        v: &Value,
        name: &str,
        depth: u32,
        at: Loc,
        level: usize,
    ) {
        let Value::Instance(inst) = v else { return };
        match self.ix.member(inst.model, name) {
            // a property or method listed in `fields`: a read-only field reading it
            None if level == 0 => an.call_member(v, name, at),
            // without depth, a `PrimaryKeyRelatedField`: the key column only
            Some(Member::Forward(_)) if depth > 0 => {
                let c = an.lookup(v, name, at);
                self.relations(an, &c, depth - 1, at, level + 1);
            }
            Some(Member::Reverse(r)) if r.kind == ReverseKind::OneToOne => {
                let c = an.lookup(v, name, at);
                if depth > 0 {
                    self.relations(an, &c, depth - 1, at, level + 1);
                }
            }
            Some(Member::Reverse(_) | Member::ManyToMany(_)) => {
                let mgr = an.lookup(v, name, at);
                let el = an.enter_loop(&mgr, at);
                if depth > 0 {
                    self.relations(an, &el, depth - 1, at, level + 1);
                }
                an.exit_loop();
            }
            _ => {}
        }
    }

    /// Every relation field of `v`'s model, as a nested serializer of all its fields does.
    fn relations(&self, an: &mut Analyzer<'s>, v: &Value, depth: u32, at: Loc, level: usize) {
        let Value::Instance(inst) = v else { return };
        if level >= MAX_PATH {
            return;
        }
        let names: Vec<String> = self
            .ix
            .model(inst.model)
            .fields
            .iter()
            .filter(|f| {
                matches!(
                    f.kind,
                    FieldKind::ForeignKey | FieldKind::OneToOne | FieldKind::ManyToMany
                )
            })
            .map(|f| f.name.clone())
            .collect();
        for n in names {
            self.model_field(an, v, &n, depth, at, level);
        }
    }
}

/// Move the events observed since `start` into the sink, with their origin.
fn flush(an: &mut Analyzer<'_>, start: usize, origin: &Origin, sink: &mut Sink) {
    let events: Vec<_> = an.events.drain(start..).collect();
    sink.out.extend(events.into_iter().map(|event| Observation {
        origin: origin.clone(),
        event,
    }));
}

/// `many=True` among the keyword arguments.
fn many_kwarg(an: &Analyzer<'_>, kwargs: &[Keyword]) -> bool {
    let m = an.module();
    kwargs.iter().any(|k| {
        k.name.as_deref() == Some("many") && matches!(m.kind(k.value), ExprKind::Const(Const::True))
    })
}

impl<'s> CallHooks<'s> for Walker<'s> {
    fn handles(&self, callee: &str) -> bool {
        self.by_qual.contains_key(callee)
    }

    /// `Serializer(rows, many=True)` serializes each row; `Serializer(obj)` one object.
    fn call(
        &self,
        an: &mut Analyzer<'s>,
        callee: &str,
        argv: &[Value],
        kwargs: &[Keyword],
        kwv: &[(Box<str>, Value)],
        at: Loc,
    ) -> Value {
        let Some(&si) = self.by_qual.get(callee) else {
            return Value::Unknown;
        };
        let instance = argv
            .first()
            .or_else(|| kwv.iter().find(|(k, _)| &**k == "instance").map(|(_, v)| v));
        let Some(instance) = instance else {
            return Value::Unknown;
        };
        let Some(model) = self.serializers.get(si).and_then(|s| s.model) else {
            return Value::Unknown;
        };
        // the walk's observations belong to the field being walked by the caller
        let mut sink = Sink {
            view: None,
            serializer: si,
            out: Vec::new(),
        };
        let before = an.events.len();
        match instance {
            Value::QuerySet(q) if many_kwarg(an, kwargs) && !q.values && q.model == model => {
                let el = an.enter_loop(instance, at);
                self.fields(an, si, &el, "", &mut sink, &mut HashSet::default());
                an.exit_loop();
            }
            Value::Instance(i) if i.model == model && !many_kwarg(an, kwargs) => {
                self.fields(an, si, instance, "", &mut sink, &mut HashSet::default());
            }
            _ => {}
        }
        // Fields drained their events into the sink: put them back for the caller's walk.
        an.events.truncate(before);
        an.events.extend(sink.out.into_iter().map(|o| o.event));
        Value::Unknown
    }
}
