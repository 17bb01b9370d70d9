//! Views → templates: the context a view renders with, followed through its template.
//!
//! A view's context values come from the flow analysis ([`crate::flow::probe_function`]
//! for function views and `get_queryset`/`get_context_data`, class attributes for generic
//! views). The template is then walked with an [`Analyzer`] of the view's file driven by
//! its stepping methods: `{% for %}` starts a loop over a queryset's rows, a lookup reads a
//! relation or calls a manager method. The analyzer's events are the same as in Python
//! code; their locations carry the template's file.

use super::parse::{Node, VarExpr};
use super::{TagDef, TagKind, Templates};
use crate::flow::{
    probe_call, probe_function, probe_method, Analyzer, DictVal, EvalHow, Event, Inst, Summaries,
    Value,
};
use crate::frameworks::views::{class_views, method_source, GenericKind, MethodSource};
use crate::index::Index;
use crate::project::{File, FileId};
use crate::semantic::classes::Hierarchy;
use crate::source::{Loc, Span};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// Includes and extends followed from one template at most this deep.
const MAX_DEPTH: usize = 16;
/// Nodes visited per rendered view at most.
const MAX_NODES: usize = 50_000;

/// The events of every view of one file; their locations point into the view's file (the
/// querysets) and into the templates (the lookups).
#[derive(Debug, Default)]
pub struct Walked {
    pub events: Vec<Event>,
    /// What the columns of the django-tables2 tables the views render read per row (located
    /// at the columns, in the tables' Python files).
    pub tables: Vec<Event>,
}

#[derive(Debug, Clone)]
enum TVal {
    V(Value),
    /// `{% regroup src by attr as name %}`: groups of the (already evaluated) rows.
    Regroup(Value, Value),
    /// One group: its rows and the grouper.
    Group(Value, Value),
}

/// `{% load %}`ed libraries of one template, in order (with the tags picked by `from`).
type Loads = Arc<Vec<(String, Option<Vec<String>>)>>;

struct Walker<'a> {
    an: Analyzer<'a>,
    ix: &'a Index,
    sums: &'a Summaries,
    /// The libraries each template loads.
    loads: HashMap<FileId, Loads>,
    tpl: &'a Templates,
    files: &'a [File],
    /// The template whose nodes are being walked.
    cur: FileId,
    scopes: Vec<HashMap<String, TVal>>,
    depth: usize,
    budget: usize,
    /// While a block is rendered: the definitions `{{ block.super }}` renders next.
    supers: Vec<Vec<BlockDef>>,
}

/// Template names tried in order, the context, and a `DetailView`'s queryset with the
/// names its object is bound to.
type Render = (Vec<String>, DictVal, Option<(Value, Vec<String>)>);

/// Follow every view of `file` into the templates it renders.
pub fn view_events(
    ix: &Index,
    sums: &Summaries,
    file: &File,
    files: &[File],
    tpl: &Templates,
) -> Walked {
    let mut out = Walked::default();
    if file.template {
        return out;
    }
    // Without templates only the tables views render are followed.
    let no_templates = tpl.is_empty();
    let mut renders: Vec<Render> = Vec::new();
    let m = &file.ast;
    let classes = Hierarchy::new(&ix.classes, files);
    let views = class_views(file, &classes);
    let text_mentions_render = file
        .text
        .as_deref()
        .is_some_and(|t| t.contains("render") || t.contains("TemplateResponse"));
    // Function views (and any function rendering a template by name).
    if text_mentions_render && !no_templates {
        for f in &m.functions {
            if f.class.is_some_and(|c| views.iter().any(|v| v.class == c)) {
                continue;
            }
            let probe = probe_function(ix, file, f);
            for call in probe.calls {
                let short = call.name.rsplit('.').next().unwrap_or("");
                let (tpos, cpos) = match short {
                    "render" if call.name.starts_with("django.") || call.name == "render" => (1, 2),
                    "TemplateResponse" | "SimpleTemplateResponse" => {
                        if short == "TemplateResponse" {
                            (1, 2)
                        } else {
                            (0, 1)
                        }
                    }
                    "render_to_string" => (0, 1),
                    _ => continue,
                };
                let positional: Vec<_> = call.args.iter().filter(|a| a.kw.is_none()).collect();
                let tname = positional.get(tpos).copied().or_else(|| {
                    call.args
                        .iter()
                        .find(|a| a.kw.as_deref() == Some("template_name"))
                });
                let ctx = positional.get(cpos).copied().or_else(|| {
                    call.args
                        .iter()
                        .find(|a| a.kw.as_deref() == Some("context"))
                });
                let (Some(tname), Some(ctx)) = (tname, ctx) else {
                    continue;
                };
                let names = template_names(m, tname.expr);
                if let (false, Some(d)) = (names.is_empty(), &ctx.dict) {
                    renders.push((names, d.clone(), None));
                }
            }
        }
    }
    // Generic class-based views.
    for v in &views {
        if no_templates && v.table_class.is_none() {
            continue;
        }
        let mut an = Analyzer::new(ix, file, sums);
        let mut qs = Value::Unknown;
        match method_source(&classes, file, v.class, "get_queryset") {
            MethodSource::Here(fi) => {
                // `self.model` is the view's `model = X`
                let mut self_attrs = Vec::new();
                if let Some(mexpr) = v.model {
                    if let model @ Value::ModelClass(_) = an.eval_detached(mexpr) {
                        self_attrs.push((Box::from("model"), model));
                    }
                }
                let probe = probe_method(ix, sums, files, file, &m.functions[fi], self_attrs);
                let mut it = probe.returns.into_iter().map(|r| r.0);
                if let Some(first) = it.next() {
                    qs = it.fold(first, |a, b| a.join(&b));
                }
            }
            MethodSource::Django if v.foreign_queryset => {}
            MethodSource::Django => {
                if let Some(q) = v.queryset {
                    qs = an.eval_detached(q);
                } else if let Some(mexpr) = v.model {
                    let model = an.eval_detached(mexpr);
                    qs = an.lookup(&model, "_default_manager", Loc::new(file.id, m.span(mexpr)));
                }
            }
            // A mixin from elsewhere may build the queryset: nothing is known.
            MethodSource::Unknown => {}
        }
        let model = match &qs {
            Value::QuerySet(q) => Some(ix.model(q.model)),
            _ => None,
        };
        if let (GenericKind::List, Some(tc), Value::QuerySet(_)) = (v.kind, v.table_class, &qs) {
            out.tables
                .extend(table_events(ix, sums, file, &classes, v.class, tc, &qs));
        }
        let mut ctx: DictVal = Vec::new();
        let mut object = None;
        let suffix = match v.kind {
            GenericKind::List => "_list",
            GenericKind::Detail => "_detail",
            GenericKind::Template => "",
        };
        match v.kind {
            GenericKind::List => {
                ctx.push(("object_list".into(), qs.clone()));
                if let Some(md) = model {
                    ctx.push((format!("{}_list", md.name.to_lowercase()), qs.clone()));
                }
                if let Some(n) = &v.context_object_name {
                    ctx.push((n.clone(), qs.clone()));
                }
            }
            GenericKind::Detail
                if method_source(&classes, file, v.class, "get_object") == MethodSource::Django =>
            {
                let mut names = vec!["object".to_owned()];
                names.extend(model.map(|md| md.name.to_lowercase()));
                names.extend(v.context_object_name.clone());
                object = Some((qs.clone(), names));
            }
            GenericKind::Detail | GenericKind::Template => {}
        }
        if let MethodSource::Here(fi) = method_source(&classes, file, v.class, "get_context_data") {
            // a single-object view's `self.object` (and `self.get_object()`) is one row of
            // its model: what it loads is the view's queryset's when Django's `get_object()`
            // fetches it, not known when the view's own does
            let mut self_attrs = Vec::new();
            if let (GenericKind::Detail, Value::QuerySet(q)) = (v.kind, &qs) {
                let mut obj = Inst::open(q.model);
                if object.is_some() {
                    obj.loads = q.loads.clone();
                    obj.open = q.loads.opaque;
                }
                self_attrs.push((Box::from("object"), Value::Instance(obj)));
            }
            let probe = probe_method(ix, sums, files, file, &m.functions[fi], self_attrs);
            for (_, d) in probe.returns {
                ctx.extend(d.unwrap_or_default());
            }
        }
        let names = match (&v.template_name, model) {
            (Some(t), _) => vec![t.clone()],
            (None, Some(md)) if v.kind != GenericKind::Template && !v.no_default_template => {
                vec![format!(
                    "{}/{}{suffix}.html",
                    md.app_label,
                    md.name.to_lowercase()
                )]
            }
            _ => Vec::new(),
        };
        // a project base choosing the template (`get_template_names()`) elsewhere, unless
        // every override keeps `template_name`
        let names_known = method_source(&classes, file, v.class, "get_template_names")
            != MethodSource::Unknown
            || crate::frameworks::views::template_name_followed(&classes, file, v.class);
        if !names.is_empty() && names_known {
            renders.push((names, ctx, object));
        }
    }
    for (names, ctx, object) in renders {
        let Some(id) = names.iter().find_map(|n| tpl.find(n)) else {
            continue;
        };
        let mut w = Walker {
            an: Analyzer::new(ix, file, sums),
            ix,
            sums,
            loads: HashMap::default(),
            tpl,
            files,
            cur: id,
            scopes: vec![ctx.into_iter().map(|(k, v)| (k, TVal::V(v))).collect()],
            depth: 0,
            budget: MAX_NODES,
            supers: Vec::new(),
        };
        if let Some((Value::QuerySet(q), names)) = object {
            let span = q.span;
            let obj = w.an.single_object(&Value::QuerySet(q), span);
            for n in names {
                w.scopes[0].insert(n, TVal::V(obj.clone()));
            }
        }
        w.render(id, &HashMap::default());
        out.events.extend(w.an.events);
    }
    out
}

/// The columns of the table a `SingleTableMixin` view renders (`table_class = X`), run over
/// one row of the view's queryset; nothing when the view builds its table or its data in
/// code of its own.
fn table_events<'a>(
    ix: &'a Index,
    sums: &'a Summaries,
    file: &'a File,
    classes: &Hierarchy<'a>,
    class: crate::ast::ClassId,
    table_class: crate::ast::ExprId,
    qs: &Value,
) -> Vec<Event> {
    for hook in [
        "get_table",
        "get_table_class",
        "get_table_data",
        "get_table_kwargs",
    ] {
        match method_source(classes, file, class, hook) {
            MethodSource::Django => {}
            // `table = super().get_table(**kwargs); table.caption = ...; return table`
            MethodSource::Here(fi) if extends_super(file, fi, hook) => {}
            _ => return Vec::new(),
        }
    }
    let m = &file.ast;
    let Some(d) = m.dotted(table_class) else {
        return Vec::new();
    };
    let q = ix.resolve_alias(&file.scope.qualify(&d));
    let at = Loc::new(file.id, m.span(table_class));
    let mut an = Analyzer::new(ix, file, sums);
    let row = an.enter_loop(qs, at);
    let events = crate::frameworks::tables::run_table(&mut an, classes, ix, &q, &row);
    events.into_iter().filter(Event::is_per_row).collect()
}

/// Whether method `fi` of `file` only extends django-tables2's own `hook`: it calls
/// `super().hook(...)` and names neither the table's data nor excluded columns.
fn extends_super(file: &File, fi: usize, hook: &str) -> bool {
    let Some(f) = file.ast.functions.get(fi) else {
        return false;
    };
    let Some(text) = file.text.as_deref().and_then(|t| t.get(f.span.range())) else {
        return false;
    };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains(&format!("super().{hook}("))
        && !["data", "exclude", "sequence", "table_class"]
            .iter()
            .any(|w| {
                compact.contains(&format!("{w}="))
                    || compact.contains(&format!("\"{w}\""))
                    || compact.contains(&format!("'{w}'"))
            })
}

/// The template names a view passes: a string, or a list/tuple of strings (first found).
fn template_names(m: &crate::ast::Module, e: crate::ast::ExprId) -> Vec<String> {
    use crate::ast::ExprKind;
    match m.kind(e) {
        ExprKind::Str(s) => vec![s.to_string()],
        ExprKind::Seq { elts, .. } => elts
            .iter()
            .filter_map(|x| m.str_value(*x).map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// One definition of a block: the template and its body.
type BlockDef = (FileId, Arc<Vec<Node>>);

/// Child blocks overriding a parent's: name → definitions, the most derived first (what
/// `{{ block.super }}` steps through).
type Blocks = HashMap<String, Vec<BlockDef>>;

impl Walker<'_> {
    /// A location in the template being walked.
    fn span(&self, off: u32, len: usize) -> Loc {
        let len = u32::try_from(len).unwrap_or(0);
        Loc::new(self.cur, Span::new(off as usize, (off + len) as usize))
    }

    /// Render template `id` with blocks overridden by `blocks` (from its descendants).
    fn render(&mut self, id: FileId, blocks: &Blocks) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let local = id;
        let nodes = self.tpl.nodes(self.files, id);
        let parent = nodes.iter().find_map(|n| match n {
            Node::Extends(p) => Some(p.clone()),
            _ => None,
        });
        self.depth += 1;
        match parent.and_then(|p| self.tpl.find(&p)) {
            Some(pid) if pid != id => {
                let mut all = blocks.clone();
                collect_blocks(&nodes, local, &mut all);
                self.render(pid, &all);
            }
            _ => {
                let saved = self.cur;
                self.cur = local;
                self.nodes(&nodes, blocks);
                self.cur = saved;
            }
        }
        self.depth -= 1;
    }

    fn nodes(&mut self, nodes: &[Node], blocks: &Blocks) {
        for n in nodes {
            if self.budget == 0 {
                return;
            }
            self.budget -= 1;
            self.node(n, blocks);
        }
    }

    fn node(&mut self, n: &Node, blocks: &Blocks) {
        match n {
            Node::Var(v) if is_block_super(v) => {
                // The parent's definition of the block being rendered is rendered here.
                if let Some(chain) = self.supers.last().cloned() {
                    self.render_block(&chain, blocks);
                }
            }
            Node::Var(v) => self.var(v),
            Node::Load { .. } => {}
            Node::Tag {
                name,
                args,
                target,
                at,
            } => {
                let libs = self.loaded();
                let def = self
                    .tpl
                    .tag_libs(self.files)
                    .find(&libs, name, false)
                    .cloned();
                match def {
                    Some(def) => self.call_tag(&def, args, self.span(*at, name.len())),
                    // Django's tags (`{% url "x" book.slug %}`): the arguments are read.
                    None => {
                        for v in args.iter().filter_map(|(_, v)| v.as_ref()) {
                            self.var(v);
                        }
                    }
                }
                if let (Some(t), Some(s)) = (target, self.scopes.last_mut()) {
                    s.insert(t.clone(), TVal::V(Value::Unknown));
                }
            }
            Node::For {
                targets,
                iter,
                body,
                empty,
                at: _,
            } => {
                let it = self.resolve(iter);
                let span = self.var_span(iter);
                // Every target is bound, `Unknown` unless known: a name of an outer scope
                // is shadowed.
                let mut scope: HashMap<String, TVal> = targets
                    .iter()
                    .map(|t| (t.clone(), TVal::V(Value::Unknown)))
                    .collect();
                match it {
                    TVal::V(v) => {
                        let elem = self.an.enter_loop(&v, span);
                        match (targets.as_slice(), elem) {
                            ([t], elem) => {
                                scope.insert(t.clone(), TVal::V(elem));
                            }
                            // `{% for i, book in rows %}` over `enumerate(qs)`, `zip(a, b)`
                            (ts, Value::Tuple(items)) if items.len() == ts.len() => {
                                for (t, x) in ts.iter().zip(items) {
                                    scope.insert(t.clone(), TVal::V(x));
                                }
                            }
                            _ => {}
                        }
                    }
                    TVal::Regroup(rows, grouper) => {
                        self.an.enter_loop(&Value::Unknown, span);
                        if let [t] = targets.as_slice() {
                            scope.insert(t.clone(), TVal::Group(rows, grouper));
                        }
                    }
                    TVal::Group(..) => {
                        self.an.enter_loop(&Value::Unknown, span);
                    }
                }
                self.scopes.push(scope);
                self.nodes(body, blocks);
                self.scopes.pop();
                self.an.exit_loop();
                self.nodes(empty, blocks);
            }
            Node::If { conds, branches } => {
                for c in conds {
                    if let TVal::V(v) = self.resolve(c) {
                        let span = self.var_span(c);
                        self.an.evaluate(&v, span, EvalHow::Exists);
                    }
                }
                for b in branches {
                    self.nodes(b, blocks);
                }
            }
            Node::With { binds, body } => {
                let scope = binds
                    .iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect();
                self.scopes.push(scope);
                self.nodes(body, blocks);
                self.scopes.pop();
            }
            Node::Block { name, body } => {
                // The most derived definition renders; `{{ block.super }}` steps to the next.
                let mut chain = blocks.get(name).cloned().unwrap_or_default();
                // (a block nested in an overriding body is in the chain already)
                if !chain.iter().any(|(_, b)| Arc::ptr_eq(b, body)) {
                    chain.push((self.cur, body.clone()));
                }
                self.render_block(&chain, blocks);
            }
            Node::Extends(_) => {}
            Node::Include { name, binds, only } => {
                let Some(id) = self.tpl.find(name) else {
                    return;
                };
                let scope: HashMap<String, TVal> = binds
                    .iter()
                    .map(|(k, v)| (k.clone(), self.resolve(v)))
                    .collect();
                let saved = if *only {
                    Some(std::mem::take(&mut self.scopes))
                } else {
                    None
                };
                self.scopes.push(scope);
                self.render(id, &HashMap::default());
                self.scopes.pop();
                if let Some(s) = saved {
                    self.scopes = s;
                }
            }
            Node::Regroup {
                source,
                by,
                name,
                at: _,
            } => {
                let val = match self.resolve(source) {
                    TVal::V(v) => {
                        // Django reads `by` on every row while grouping.
                        let span = self.var_span(source);
                        let row = self.an.enter_loop(&v, span);
                        let mut g = row;
                        for seg in by.split('.') {
                            g = self.an.lookup(&g, seg, span);
                        }
                        self.an.exit_loop();
                        let rows = match v {
                            Value::QuerySet(mut q) => {
                                q.cached = true;
                                q.is_list = true;
                                Value::QuerySet(q)
                            }
                            other => other,
                        };
                        TVal::Regroup(rows, g)
                    }
                    _ => TVal::V(Value::Unknown),
                };
                if let Some(s) = self.scopes.last_mut() {
                    s.insert(name.clone(), val);
                }
            }
        }
    }

    /// `{{ v }}`: the lookups run; an object rendered as is runs its `__str__`.
    fn var(&mut self, v: &VarExpr) {
        if let TVal::V(x) = self.resolve(v) {
            if v.filters.is_empty() {
                let span = self.var_span(v);
                self.an.format(&x, span);
            }
        }
    }

    /// The libraries the template being walked loads.
    fn loaded(&mut self) -> Loads {
        let id = self.cur;
        if let Some(l) = self.loads.get(&id) {
            return l.clone();
        }
        fn walk(nodes: &[Node], out: &mut Vec<(String, Option<Vec<String>>)>, depth: usize) {
            if depth > 64 {
                return;
            }
            for n in nodes {
                match n {
                    Node::Load { libs, only } => {
                        out.extend(libs.iter().map(|l| (l.clone(), only.clone())));
                    }
                    Node::For { body, empty, .. } => {
                        walk(body, out, depth + 1);
                        walk(empty, out, depth + 1);
                    }
                    Node::If { branches, .. } => {
                        for b in branches {
                            walk(b, out, depth + 1);
                        }
                    }
                    Node::With { body, .. } => walk(body, out, depth + 1),
                    Node::Block { body, .. } => walk(body, out, depth + 1),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.tpl.nodes(self.files, id), &mut out, 0);
        let l: Loads = Arc::new(out);
        self.loads.insert(id, l.clone());
        l
    }

    /// `{{ x|name }}` with a custom filter `name`: its function is called with the value.
    fn call_filter(&mut self, name: &str, x: Value, span: Loc) {
        if matches!(x, Value::Unknown) {
            return;
        }
        let libs = self.loaded();
        let files = self.files;
        let Some(def) = self.tpl.tag_libs(files).find(&libs, name, true) else {
            return;
        };
        let Some(f) = files
            .get(def.file as usize)
            .and_then(|t| Some((t, t.ast.functions.get(def.func)?)))
        else {
            return;
        };
        let sums = self.sums;
        if let Some(sum) = sums.get(&format!("{}.{}", f.0.scope.module, f.1.name)) {
            self.an.call_function(sum, &[x, Value::Unknown], &[], span);
        }
    }

    /// The value of a tag argument (`None`: a literal).
    fn arg_value(&mut self, v: Option<&VarExpr>) -> Value {
        match v.map(|v| self.resolve(v)) {
            Some(TVal::V(x)) => x,
            _ => Value::Unknown,
        }
    }

    /// A custom tag of a loaded library called at `span`: the rows handed to its function
    /// are followed through the function's summary, and an inclusion tag's template is
    /// rendered with the dict the function returns (the values that come from the arguments).
    fn call_tag(&mut self, def: &TagDef, args: &[(Option<String>, Option<VarExpr>)], span: Loc) {
        let files = self.files;
        let Some(tfile) = files.get(def.file as usize) else {
            return;
        };
        let Some(f) = tfile.ast.functions.get(def.func) else {
            return;
        };
        let mut argv = Vec::new();
        let mut kwv: Vec<(Box<str>, Value)> = Vec::new();
        if def.takes_context {
            argv.push(Value::Unknown);
        }
        for (kw, v) in args {
            let x = self.arg_value(v.as_ref());
            match kw {
                Some(k) => kwv.push((k.as_str().into(), x)),
                None => argv.push(x),
            }
        }
        let sums = self.sums;
        if let Some(sum) = sums.get(&format!("{}.{}", tfile.scope.module, f.name)) {
            self.an.call_function(sum, &argv, &kwv, span);
        }
        let TagKind::Inclusion(name) = &def.kind else {
            return;
        };
        let Some(id) = self.tpl.find(name) else {
            return;
        };
        // parameters bound to the arguments
        let mut binds: Vec<(Box<str>, Value)> = Vec::new();
        let mut pos = argv.iter();
        for p in &f.params {
            if p.kind != crate::ast::ParamKind::Normal {
                continue;
            }
            let v = kwv
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v.clone())
                .or_else(|| pos.next().cloned())
                .unwrap_or_default();
            binds.push((p.name.clone(), v));
        }
        let roots: Vec<Loc> = argv
            .iter()
            .chain(kwv.iter().map(|(_, v)| v))
            .flat_map(value_roots)
            .collect();
        let probe = probe_call(self.ix, tfile, f, binds);
        let mut ctx: HashMap<String, TVal> = HashMap::default();
        for (_, d) in probe.returns {
            for (k, v) in d.unwrap_or_default() {
                // A value built inside the tag function has spans of its module: not followed.
                let v = if value_roots(&v).iter().all(|r| roots.contains(r))
                    && !value_roots(&v).is_empty()
                {
                    v
                } else {
                    Value::Unknown
                };
                let v = match ctx.remove(&k) {
                    Some(TVal::V(old)) => old.join(&v),
                    _ => v,
                };
                ctx.insert(k, TVal::V(v));
            }
        }
        // The template renders with the returned dict only.
        let saved = std::mem::replace(&mut self.scopes, vec![ctx]);
        let saved_supers = std::mem::take(&mut self.supers);
        self.render(id, &HashMap::default());
        self.scopes = saved;
        self.supers = saved_supers;
    }

    /// Render the first definition of `chain`, the rest being its `{{ block.super }}`.
    fn render_block(&mut self, chain: &[BlockDef], blocks: &Blocks) {
        let Some(((local, body), rest)) = chain.split_first() else {
            return;
        };
        if self.supers.len() >= MAX_DEPTH * 4 {
            return;
        }
        let saved = self.cur;
        self.cur = *local;
        self.supers.push(rest.to_vec());
        self.nodes(body, blocks);
        self.supers.pop();
        self.cur = saved;
    }

    fn var_span(&self, v: &VarExpr) -> Loc {
        match (v.path.first(), v.path.last()) {
            (Some(a), Some(b)) => {
                let s = self.span(a.1, 0);
                let e = self.span(b.1, b.0.len());
                Loc::new(
                    self.cur,
                    Span::new(s.span.start as usize, e.span.end as usize),
                )
            }
            _ => Loc::new(self.cur, Span::default()),
        }
    }

    /// The value of a variable with its lookups and filters; reading it runs the lookups.
    fn resolve(&mut self, v: &VarExpr) -> TVal {
        let Some((first, _)) = v.path.first() else {
            return TVal::V(Value::Unknown);
        };
        let mut cur = self
            .scopes
            .iter()
            .rev()
            .find_map(|s| s.get(first))
            .cloned()
            .unwrap_or(TVal::V(Value::Unknown));
        for (seg, off) in &v.path[1..] {
            let span = self.span(*off, seg.len());
            cur = match cur {
                TVal::V(Value::Unknown) => return TVal::V(Value::Unknown),
                // `pair.0`: an item of a tuple
                TVal::V(Value::Tuple(items)) => TVal::V(
                    seg.parse::<usize>()
                        .ok()
                        .and_then(|i| items.get(i).cloned())
                        .unwrap_or_default(),
                ),
                TVal::V(x) => TVal::V(self.an.template_lookup(&x, seg, span)),
                TVal::Group(rows, grouper) => match seg.as_str() {
                    "list" => TVal::V(rows),
                    "grouper" => TVal::V(grouper),
                    _ => TVal::V(Value::Unknown),
                },
                TVal::Regroup(..) => TVal::V(Value::Unknown),
            };
        }
        let span = self.var_span(v);
        for f in &v.filters {
            cur = match (cur, f.as_str()) {
                (TVal::V(x), "length" | "length_is" | "count") => {
                    self.an.evaluate(&x, span, EvalHow::Count);
                    TVal::V(Value::Unknown)
                }
                (TVal::V(x), "first" | "last") => {
                    let (_, last) = v.path.last().cloned().unwrap_or_default();
                    TVal::V(self.an.lookup(&x, f, self.span(last, 0)))
                }
                (
                    TVal::V(x),
                    "join" | "dictsort" | "dictsortreversed" | "random" | "unordered_list",
                ) => {
                    self.an.evaluate(&x, span, EvalHow::Builtin(f.clone()));
                    TVal::V(Value::Unknown)
                }
                (keep, "default" | "default_if_none" | "safe" | "escape" | "force_escape") => keep,
                (TVal::V(x), name) => {
                    // A custom filter of a loaded library runs its function on the value.
                    self.call_filter(name, x, span);
                    TVal::V(Value::Unknown)
                }
                _ => TVal::V(Value::Unknown),
            };
        }
        cur
    }
}

/// The queryset spans a value is rooted at (rows and related managers of rows: their root
/// queryset; a queryset: itself).
fn value_roots(v: &Value) -> Vec<Loc> {
    match v {
        Value::Instance(i) => i.row.iter().map(|r| r.root_span).collect(),
        Value::QuerySet(q) => match &q.related {
            Some(rel) => rel.parent.row.iter().map(|r| r.root_span).collect(),
            None => vec![q.span],
        },
        Value::Tuple(vs) | Value::Zip(vs) => vs.iter().flat_map(value_roots).collect(),
        _ => Vec::new(),
    }
}

/// `{{ block.super }}`.
fn is_block_super(v: &VarExpr) -> bool {
    v.path.len() == 2 && v.path[0].0 == "block" && v.path[1].0 == "super"
}

/// The `{% block %}`s of a child template (at any depth), the first definition winning.
fn collect_blocks(nodes: &Arc<Vec<Node>>, local: FileId, out: &mut Blocks) {
    fn walk(nodes: &[Node], local: FileId, out: &mut Blocks, depth: usize) {
        if depth > 64 {
            return;
        }
        for n in nodes {
            match n {
                Node::Block { name, body } => {
                    let defs = out.entry(name.clone()).or_default();
                    // a template defines a block once (Django rejects duplicates)
                    if !defs.iter().any(|(l, _)| *l == local) {
                        defs.push((local, body.clone()));
                    }
                    walk(body, local, out, depth + 1);
                }
                Node::For { body, empty, .. } => {
                    walk(body, local, out, depth + 1);
                    walk(empty, local, out, depth + 1);
                }
                Node::If { branches, .. } => {
                    for b in branches {
                        walk(b, local, out, depth + 1);
                    }
                }
                Node::With { body, .. } => walk(body, local, out, depth + 1),
                _ => {}
            }
        }
    }
    walk(nodes, local, out, 0);
}
