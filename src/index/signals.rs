//! Model signal receivers: the functions Django runs for a model's instances when they are
//! built (`post_init`), saved (`pre_save`/`post_save`) or deleted (`pre_delete`/
//! `post_delete`), connected with `@receiver(signal, sender=Model)` or
//! `signal.connect(handler, sender=Model)` anywhere in the project.
//!
//! A receiver connected without a sender runs for every model; one whose sender djperf cannot
//! resolve may run for any. Code that must not miss a reader (DJP201) treats both as reading
//! everything; code that reports what a receiver does (a save in a loop) only follows
//! receivers of the model itself.

use super::{Index, ModelId};
use crate::ast::{ExprId, ExprKind, FuncId, Keyword};
use crate::project::{File, FileId};
use rustc_hash::FxHashMap as HashMap;

/// The model signals djperf follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    PreInit,
    PostInit,
    PreSave,
    PostSave,
    PreDelete,
    PostDelete,
}

impl Signal {
    fn from_qual(q: &str) -> Option<Signal> {
        let name = q
            .strip_prefix("django.db.models.signals.")
            .or_else(|| q.strip_prefix("django.db.models."))?;
        Some(match name {
            "pre_init" => Signal::PreInit,
            "post_init" => Signal::PostInit,
            "pre_save" => Signal::PreSave,
            "post_save" => Signal::PostSave,
            "pre_delete" => Signal::PreDelete,
            "post_delete" => Signal::PostDelete,
            _ => return None,
        })
    }

    /// The signals sent by `Model.save()` (`save`) or `Model.delete()` (`delete`).
    pub fn of_method(method: &str) -> &'static [Signal] {
        match method {
            "save" => &[Signal::PreSave, Signal::PostSave],
            "delete" => &[Signal::PreDelete, Signal::PostDelete],
            _ => &[],
        }
    }
}

/// Which instances a receiver gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// No `sender=`: every model's.
    Any,
    /// `sender=Model` (or `"app.Model"`).
    Model(ModelId),
    /// A sender djperf cannot resolve: possibly any model's.
    Unknown,
}

/// One connected receiver function.
#[derive(Debug, Clone)]
pub struct Receiver {
    pub signal: Signal,
    pub sender: Sender,
    pub file: FileId,
    pub func: FuncId,
}

/// Every receiver of the project, in file and source order.
#[derive(Debug, Default)]
pub struct Signals {
    pub receivers: Vec<Receiver>,
}

impl Signals {
    /// Find the receivers in `files` (the model index must be complete).
    pub fn build(files: &[File], ix: &Index) -> Signals {
        // Module-level functions by qualified name (for `signal.connect(module.handler)`).
        let mut fns: HashMap<String, (FileId, FuncId)> = HashMap::default();
        for f in files {
            for (i, func) in f.ast.functions.iter().enumerate() {
                if func.class.is_none() && func.parent.is_none() {
                    if let Ok(id) = FuncId::try_from(i) {
                        fns.insert(format!("{}.{}", f.scope.module, func.name), (f.id, id));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for f in files {
            if !mentions_signals(f) {
                continue;
            }
            let m = &f.ast;
            // `@receiver(post_save, sender=Book)`
            for (i, func) in m.functions.iter().enumerate() {
                let Ok(id) = FuncId::try_from(i) else {
                    continue;
                };
                for d in &func.decorators {
                    let ExprKind::Call {
                        func: df,
                        args,
                        kwargs,
                    } = m.kind(*d)
                    else {
                        continue;
                    };
                    let is_receiver = m.dotted(*df).is_some_and(|n| {
                        matches!(
                            ix.qualify_in(f, &n).as_str(),
                            "django.dispatch.receiver" | "django.dispatch.dispatcher.receiver"
                        )
                    });
                    let Some(first) = args.first().filter(|_| is_receiver) else {
                        continue;
                    };
                    let sender = sender_of(f, ix, kwargs);
                    for signal in signals_of(f, ix, *first) {
                        out.push(Receiver {
                            signal,
                            sender,
                            file: f.id,
                            func: id,
                        });
                    }
                }
            }
            // `post_save.connect(handler, sender=Book)`, anywhere in the file.
            for e in &m.exprs {
                let ExprKind::Call { func, args, kwargs } = &e.kind else {
                    continue;
                };
                let ExprKind::Attr { value, attr, .. } = m.kind(*func) else {
                    continue;
                };
                if &**attr != "connect" {
                    continue;
                }
                let Some(signal) = m
                    .dotted(*value)
                    .and_then(|d| Signal::from_qual(&ix.qualify_in(f, &d)))
                else {
                    continue;
                };
                let handler = args
                    .first()
                    .copied()
                    .or_else(|| m.kwarg(kwargs, "receiver").map(|k| k.value));
                let Some(target) = handler.and_then(|h| handler_fn(f, ix, &fns, h)) else {
                    continue;
                };
                // `connect(handler, Book)`: the sender is the second positional argument.
                let sender = match args.get(1) {
                    Some(s) => sender_expr(f, ix, *s),
                    None => sender_of(f, ix, kwargs),
                };
                out.push(Receiver {
                    signal,
                    sender,
                    file: target.0,
                    func: target.1,
                });
            }
        }
        Signals { receivers: out }
    }

    /// The receivers of `signal` that may get instances of `model`: those of the model, and
    /// (`with_unknown`) those connected to any or an unresolved sender.
    pub fn of(
        &self,
        signal: Signal,
        model: ModelId,
        with_unknown: bool,
    ) -> impl Iterator<Item = &Receiver> + '_ {
        self.receivers.iter().filter(move |r| {
            r.signal == signal
                && match r.sender {
                    Sender::Model(m) => m == model,
                    Sender::Any | Sender::Unknown => with_unknown,
                }
        })
    }
}

/// Whether a file may connect a receiver (a cheap gate before walking its expressions).
fn mentions_signals(f: &File) -> bool {
    f.scope
        .names
        .values()
        .any(|q| q.starts_with("django.db.models") || q.starts_with("django.dispatch"))
}

/// The signals named by a decorator's first argument (one signal or a list of them).
fn signals_of(f: &File, ix: &Index, e: ExprId) -> Vec<Signal> {
    let m = &f.ast;
    let one = |x: ExprId| {
        m.dotted(x)
            .and_then(|d| Signal::from_qual(&ix.qualify_in(f, &d)))
    };
    match m.kind(e) {
        ExprKind::Seq { elts, .. } => elts.iter().filter_map(|x| one(*x)).collect(),
        _ => one(e).into_iter().collect(),
    }
}

fn sender_of(f: &File, ix: &Index, kwargs: &[Keyword]) -> Sender {
    match f.ast.kwarg(kwargs, "sender") {
        Some(k) => sender_expr(f, ix, k.value),
        None => Sender::Any,
    }
}

/// A `sender=` value: a model class or an `"app_label.Model"` string.
fn sender_expr(f: &File, ix: &Index, e: ExprId) -> Sender {
    let m = &f.ast;
    if let Some(s) = m.str_value(e) {
        return match s.split_once('.') {
            Some((app, name)) => ix
                .model_by_app_and_name(app, name)
                .map_or(Sender::Unknown, Sender::Model),
            None => Sender::Unknown,
        };
    }
    match m.dotted(e) {
        Some(d) => ix
            .model_by_qual(&ix.qualify_in(f, &d))
            .map_or(Sender::Unknown, Sender::Model),
        None => Sender::Unknown,
    }
}

/// The function a `connect()` call hands over: a module-level function of this file or an
/// imported one.
fn handler_fn(
    f: &File,
    ix: &Index,
    fns: &HashMap<String, (FileId, FuncId)>,
    h: ExprId,
) -> Option<(FileId, FuncId)> {
    let d = f.ast.dotted(h)?;
    let q = ix.qualify_in(f, &d);
    fns.get(&q)
        .or_else(|| fns.get(&ix.resolve_alias(&q)))
        .copied()
}
