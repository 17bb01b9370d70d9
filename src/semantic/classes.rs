//! One class table for the whole project: every top-level class by its qualified name, with
//! its bases resolved through imports, star imports and re-exports, and the method resolution
//! order over them. The model index, DRF, the admin and the generic views all ask this table;
//! none of them walks bases of its own.

use crate::ast::{ClassDef, ClassId, ExprId, ExprKind, FuncId, StmtKind, Target};
use crate::project::{File, FileId};
use rustc_hash::FxHashMap as HashMap;

/// A top-level class.
#[derive(Debug, Clone)]
pub struct ClassInfo {
    pub file: FileId,
    pub class: ClassId,
    /// Qualified names of the bases, in order (bases that are not dotted names left out).
    pub bases: Vec<String>,
    /// Some base is not a dotted name (`Generic[T]`, `with_metaclass(...)`): what it
    /// contributes is not known.
    pub opaque_base: bool,
    /// One of Django's own classes from djperf's built-in copy (outside the project).
    pub builtin: bool,
}

/// Every top-level class of the run.
#[derive(Debug, Default)]
pub struct ClassTable {
    by_qual: HashMap<String, usize>,
    by_def: HashMap<(FileId, ClassId), usize>,
    /// (qualified name, class), in file then definition order.
    classes: Vec<(String, ClassInfo)>,
}

/// The project classes of a class's method resolution order (depth-first, left to right, each
/// once), and what lies beyond them.
#[derive(Debug, Default, Clone)]
pub struct Mro {
    pub classes: Vec<String>,
    /// Some ancestor satisfied the `stop` predicate.
    pub reached: bool,
    /// Some ancestor is neither a project class nor stopped at: a class djperf cannot read.
    pub unresolved: bool,
}

impl ClassTable {
    /// The table of `files`' top-level classes; `qualify` turns a dotted base name of a file
    /// into its qualified, alias-resolved name.
    pub fn build(files: &[&File], qualify: &dyn Fn(&File, &str) -> String) -> ClassTable {
        let mut t = ClassTable::default();
        for f in files {
            for (ci, c) in f.ast.classes.iter().enumerate() {
                if c.outer.is_some() {
                    continue;
                }
                let Ok(class) = ClassId::try_from(ci) else {
                    continue;
                };
                let mut bases = Vec::new();
                let mut opaque_base = false;
                for b in &c.bases {
                    // `QuerySet["User"]`, `ModelSerializer[User]`: the generic's class
                    let b = match f.ast.kind(*b) {
                        ExprKind::Subscript { value, .. } => *value,
                        _ => *b,
                    };
                    match f.ast.dotted(b) {
                        Some(d) => bases.push(qualify(f, &d)),
                        None => match from_queryset(&f.ast, b) {
                            // `Manager.from_queryset(QS)`: a manager class with the
                            // queryset's methods.
                            Some((m, qs)) => {
                                bases.push(qualify(f, &m));
                                bases.push(qualify(f, &qs));
                            }
                            None => opaque_base = true,
                        },
                    }
                }
                let qual = format!("{}.{}", f.scope.module, c.name);
                let i = t.classes.len();
                t.by_def.insert((f.id, class), i);
                // the first definition of a name wins (a redefinition later in a file, or
                // two files with one module name, keep the first)
                t.by_qual.entry(qual.clone()).or_insert(i);
                t.classes.push((
                    qual,
                    ClassInfo {
                        file: f.id,
                        class,
                        bases,
                        opaque_base,
                        builtin: f.builtin,
                    },
                ));
            }
        }
        t
    }

    pub fn get(&self, qual: &str) -> Option<&ClassInfo> {
        self.by_qual.get(qual).map(|i| &self.classes[*i].1)
    }

    /// Every class with its qualified name, in file and definition order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ClassInfo)> {
        self.classes.iter().map(|(q, c)| (q.as_str(), c))
    }

    /// The qualified name of a class definition.
    pub fn qual_of(&self, file: FileId, class: ClassId) -> Option<&str> {
        self.by_def
            .get(&(file, class))
            .map(|i| self.classes[*i].0.as_str())
    }

    /// The project classes of `qual`'s method resolution order, stopping at ancestors for
    /// which `stop` holds (Django's or DRF's base classes). Django's built-in copies count as
    /// outside the project.
    pub fn mro(&self, qual: &str, stop: &dyn Fn(&str) -> bool) -> Mro {
        let mut out = Mro::default();
        let mut stack = vec![qual.to_owned()];
        let mut steps = 0;
        while let Some(q) = stack.pop() {
            steps += 1;
            if steps > 256 {
                break;
            }
            if out.classes.contains(&q) {
                continue;
            }
            if stop(&q) {
                out.reached = true;
                continue;
            }
            let Some(info) = self.get(&q).filter(|c| !c.builtin) else {
                if q != "object" {
                    out.unresolved = true;
                }
                continue;
            };
            out.unresolved |= info.opaque_base;
            out.classes.push(q);
            for b in info.bases.iter().rev() {
                stack.push(b.clone());
            }
        }
        out
    }
}

/// The class table seen with the run's files: class bodies, attributes and methods.
#[derive(Clone, Copy)]
pub struct Hierarchy<'a> {
    pub table: &'a ClassTable,
    files: &'a [File],
}

impl<'a> Hierarchy<'a> {
    pub fn new(table: &'a ClassTable, files: &'a [File]) -> Self {
        Hierarchy { table, files }
    }

    /// The files of the run, by id.
    pub fn files(&self) -> &'a [File] {
        self.files
    }

    /// A file of the run by id.
    pub fn file(&self, id: FileId) -> Option<&'a File> {
        self.files.get(id as usize).filter(|f| f.id == id)
    }

    /// Every project class (not Django's built-in copies), in file and definition order.
    pub fn quals(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.table
            .iter()
            .filter(|(_, c)| !c.builtin)
            .map(|(q, _)| q)
    }

    pub fn mro(&self, qual: &str, stop: &dyn Fn(&str) -> bool) -> Mro {
        self.table.mro(qual, stop)
    }

    /// The file and definition of a project class.
    pub fn class(&self, qual: &str) -> Option<(&'a File, &'a ClassDef, ClassId)> {
        let info = self.table.get(qual).filter(|c| !c.builtin)?;
        let f = self.file(info.file)?;
        Some((f, f.ast.classes.get(info.class as usize)?, info.class))
    }

    /// A class attribute assigned in the body (`queryset = ...`; the last assignment wins).
    pub fn attr(&self, qual: &str, name: &str) -> Option<(&'a File, ExprId)> {
        let (f, c, _) = self.class(qual)?;
        class_attr(c, name).map(|e| (f, e))
    }

    /// A method defined in the class body.
    pub fn method(&self, qual: &str, name: &str) -> Option<(&'a File, FuncId)> {
        let (f, _, ci) = self.class(qual)?;
        f.ast
            .functions
            .iter()
            .position(|func| func.class == Some(ci) && &*func.name == name)
            .and_then(|i| Some((f, FuncId::try_from(i).ok()?)))
    }

    /// The first class of `mro` assigning attribute `name`.
    pub fn lookup_attr(&self, mro: &[String], name: &str) -> Option<(&'a File, ExprId)> {
        mro.iter().find_map(|q| self.attr(q, name))
    }

    /// The first class of `mro` defining method `name`.
    pub fn lookup_method(&self, mro: &[String], name: &str) -> Option<(&'a File, FuncId)> {
        mro.iter().find_map(|q| self.method(q, name))
    }
}

/// The value last assigned to `name` in a class body.
pub fn class_attr(c: &ClassDef, name: &str) -> Option<ExprId> {
    let mut found = None;
    for st in &c.body {
        if let StmtKind::Assign {
            targets,
            value: Some(v),
        } = &st.kind
        {
            if targets
                .iter()
                .any(|t| matches!(t, Target::Name(n, _) if &**n == name))
            {
                found = Some(*v);
            }
        }
    }
    found
}

/// The dotted names in a base `Manager.from_queryset(QuerySet)`.
fn from_queryset(m: &crate::ast::Module, b: ExprId) -> Option<(String, String)> {
    let ExprKind::Call { func, args, .. } = m.kind(b) else {
        return None;
    };
    let ExprKind::Attr { value, attr, .. } = m.kind(*func) else {
        return None;
    };
    if &**attr != "from_queryset" {
        return None;
    }
    Some((m.dotted(*value)?, m.dotted(*args.first()?)?))
}
