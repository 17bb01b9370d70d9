//! Probed walks: the values that reach a function's returns and its template-rendering calls
//! (views → templates).

use super::*;

/// A dict built in a function: its literal keys and their values.
pub type DictVal = Vec<(String, Value)>;

/// What a probed walk of one function saw: the values reaching its returns and its
/// template-rendering calls (see [`probe_function`]).
#[derive(Debug, Default)]
pub struct Probe {
    pub calls: Vec<ProbedCall>,
    /// Each `return`: its value, and its entries when it returns a dict built here.
    pub returns: Vec<(Value, Option<DictVal>)>,
    pub(super) dicts: HashMap<Box<str>, DictVal>,
}

/// A call to one of [`PROBED_CALLS`].
#[derive(Debug, Clone)]
pub struct ProbedCall {
    /// The callee as written, its first segment qualified through the imports
    /// (`django.shortcuts.render`, `self.render_to_response`).
    pub name: String,
    pub span: Loc,
    pub args: Vec<ProbedArg>,
}

#[derive(Debug, Clone)]
pub struct ProbedArg {
    pub kw: Option<Box<str>>,
    pub expr: ExprId,
    pub value: Value,
    /// The entries when the argument is a dict literal or a dict built in the function.
    pub dict: Option<DictVal>,
}

impl<'a> Analyzer<'a> {
    // ------------------------------------------------------------ probes

    /// The entries of a dict expression: a literal, `dict(k=v)`, a dict built earlier in
    /// the function, or `super().get_context_data(...)` (an empty start).
    pub(super) fn dict_of(&mut self, e: ExprId) -> Option<DictVal> {
        let m = self.m;
        match m.kind(e) {
            ExprKind::Dict(items) => {
                let mut out = Vec::new();
                for (k, v) in items.iter() {
                    let val = self.eval(*v);
                    match k.and_then(|k| m.str_value(k)) {
                        Some(k) => out.push((k.to_owned(), val)),
                        None => {
                            if let Some(rest) = self.dict_of(*v) {
                                out.extend(rest);
                            }
                        }
                    }
                }
                Some(out)
            }
            ExprKind::Name(n) => self.probe.as_ref()?.dicts.get(n).cloned(),
            ExprKind::Call { func, kwargs, .. } => {
                let name = m.dotted(*func);
                match name.as_deref().map(|n| n.rsplit('.').next().unwrap_or(n)) {
                    Some("dict") => Some(
                        kwargs
                            .iter()
                            .filter_map(|k| {
                                Some((k.name.as_deref()?.to_owned(), self.eval(k.value)))
                            })
                            .collect(),
                    ),
                    Some("get_context_data") => Some(Vec::new()),
                    _ => match m.kind(*func) {
                        // `super().get_context_data(**kwargs)`
                        ExprKind::Attr { attr, .. } if &**attr == "get_context_data" => {
                            Some(Vec::new())
                        }
                        _ => None,
                    },
                }
            }
            _ => None,
        }
    }

    /// A paginator built over a queryset (`Paginator(qs, 20)`, a project's
    /// `get_paginator(request, qs)`) and its pages (`.get_page(n)`, `.page(n)`): a template
    /// iterating the page iterates the queryset's rows.
    pub(super) fn probe_paginator(&mut self, func: ExprId, args: &[ExprId]) -> Option<Value> {
        let m = self.m;
        if let ExprKind::Attr { value, attr, .. } = m.kind(func) {
            if matches!(&**attr, "get_page" | "page") {
                if let v @ Value::QuerySet(_) = self.eval(*value) {
                    for a in args {
                        self.eval(*a);
                    }
                    return Some(v);
                }
            }
        }
        let name = m.dotted(func)?;
        let short = name.rsplit('.').next().unwrap_or(&name);
        if !short.to_ascii_lowercase().contains("paginat") {
            return None;
        }
        let vals: Vec<Value> = args.iter().map(|a| self.eval(*a)).collect();
        vals.into_iter()
            .find(|v| matches!(v, Value::QuerySet(q) if !q.values))
    }

    /// Record a call to a template-rendering function.
    pub(super) fn probe_call(
        &mut self,
        func: ExprId,
        args: &[ExprId],
        kwargs: &[Keyword],
        span: Loc,
    ) {
        let m = self.m;
        let Some(dotted) = m.dotted(func) else { return };
        let short = dotted.rsplit('.').next().unwrap_or(&dotted);
        if !PROBED_CALLS.contains(&short) {
            return;
        }
        let name = self.file.scope.qualify(&dotted);
        let mut out = Vec::new();
        for a in args {
            let value = self.eval(*a);
            let dict = self.dict_of(*a);
            out.push(ProbedArg {
                kw: None,
                expr: *a,
                value,
                dict,
            });
        }
        for k in kwargs {
            let value = self.eval(k.value);
            let dict = self.dict_of(k.value);
            out.push(ProbedArg {
                kw: k.name.clone(),
                expr: k.value,
                value,
                dict,
            });
        }
        if let Some(p) = &mut self.probe {
            p.calls.push(ProbedCall {
                name,
                span,
                args: out,
            });
        }
    }
}

/// Own members walked inside one another at most this deep (`positions` reads `order`).
const MAX_MEMBER_DEPTH: usize = 4;

impl<'a> Analyzer<'a> {
    /// The value a probed view's own property or helper `f` (`self.positions`,
    /// `self.get_authors()`) returns, by walking its body here when it is defined in the
    /// walked file: the querysets it builds keep their places in it (where their fix goes),
    /// and what it reads of `self` is what the probe knows of the view (`self.object`, its
    /// other properties). `None` when the body is not walked (another file's method, a
    /// call handing it values: a queryset it is handed and returns transformed is the
    /// caller's to fix; the files not at hand, nesting too deep): the caller falls back to
    /// `f`'s summary.
    pub(super) fn walk_own_member(
        &mut self,
        f: &'a FnSummary,
        argv: &[Value],
        kwv: &[(Box<str>, Value)],
    ) -> Option<Value> {
        if self.sym
            || !argv.is_empty()
            || !kwv.is_empty()
            || self.files.is_empty()
            || f.at.0 != self.file.id as usize
            || self.apply_depth >= MAX_APPLY_DEPTH
            || self.members.len() >= MAX_MEMBER_DEPTH
            || self.members.contains(&f.at)
        {
            return None;
        }
        let file = self.files.get(f.at.0)?;
        self.members.push(f.at);
        let returns = self.call_bound(file, f.at.1, &[]);
        self.members.pop();
        let mut it = returns.into_iter();
        let first = it.next()?;
        Some(it.fold(first, |a, b| a.join(&b)))
    }

    /// Whether `self.<attr>` of the walked method is read as the view the probe stands for:
    /// a probed method, or a view member walked from it ([`Analyzer::walk_own_member`]).
    pub(super) fn reads_probed_view(&self) -> bool {
        (self.probe.is_some() || !self.members.is_empty()) && !self.env.contains_key("self")
    }

    /// `self.get_object()` in a probed single-object view: Django's `get()` binds
    /// `self.object` to what it returns, so it is the object the probe knows.
    pub(super) fn view_object_call(
        &self,
        recv: ExprId,
        attr: &str,
        args: &[ExprId],
        kwargs: &[Keyword],
    ) -> Option<Value> {
        if attr != "get_object"
            || !args.is_empty()
            || !kwargs.is_empty()
            || !self.reads_probed_view()
            || !matches!(self.m.kind(recv), ExprKind::Name(n) if &**n == "self")
        {
            return None;
        }
        self.self_attrs
            .iter()
            .find(|(k, _)| &**k == "object")
            .map(|(_, v)| v.clone())
    }
}
