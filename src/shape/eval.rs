//! Evaluating the shape graph for one set of bindings: what a context does whenever its input
//! shapes (or shape-tensor input values, or a data-dependent count) change.

use super::{Node, ShapeGraph, Symbol};
use crate::error::{Error, Result};

/// The value of every node; None where it depends on a symbol not bound yet (a
/// data-dependent count before its layer ran).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    values: Vec<Option<i64>>,
}

impl Evaluation {
    pub fn get(&self, id: super::ExprId) -> Option<i64> {
        self.values.get(id as usize).copied().flatten()
    }

    /// Values of `ids`, or None if any is unknown.
    pub fn all(&self, ids: &[super::ExprId]) -> Option<Vec<i64>> {
        ids.iter().map(|&i| self.get(i)).collect()
    }

    /// Like `all`, writing into `out` (no allocation when its capacity suffices).
    pub fn fill(&self, ids: &[super::ExprId], out: &mut Vec<i64>) -> bool {
        out.clear();
        for &i in ids {
            match self.get(i) {
                Some(v) => out.push(v),
                None => return false,
            }
        }
        true
    }
}

impl ShapeGraph {
    /// Continues `e` over the nodes added since it was made, with data-dependent counts at
    /// their bounds (the sizes the builder times and plans with).
    pub fn extend_at_bounds(&self, e: &mut Evaluation, bind: impl Fn(Symbol) -> Option<i64>) -> Result<()> {
        for id in e.values.len()..self.nodes.len() {
            let v = match self.nodes[id] {
                Node::Sym(Symbol::DataDependent { bound, .. }) => e.values[bound as usize],
                Node::Const(c) => Some(c),
                Node::Sym(s) => bind(s),
                Node::Bin(op, a, b) => match (e.values[a as usize], e.values[b as usize]) {
                    (Some(x), Some(y)) => Some(op.apply(x, y).map_err(Error::invalid_argument)?),
                    _ => None,
                },
                Node::Select(c, a, b) => match e.values[c as usize] {
                    Some(0) => e.values[b as usize],
                    Some(_) => e.values[a as usize],
                    None => None,
                },
            };
            e.values.push(v);
        }
        Ok(())
    }

    /// Evaluates every node in id order. `bind` gives symbol values (None: not known yet).
    /// A failed check (two dimensions that do not broadcast, a division by zero) is an
    /// error naming what it checks.
    pub fn evaluate(&self, bind: impl Fn(Symbol) -> Option<i64>) -> Result<Evaluation> {
        let mut values: Vec<Option<i64>> = Vec::with_capacity(self.nodes.len());
        for (id, node) in self.nodes.iter().enumerate() {
            let v = match *node {
                Node::Const(c) => Some(c),
                Node::Sym(s) => bind(s),
                Node::Bin(op, a, b) => match (values[a as usize], values[b as usize]) {
                    (Some(x), Some(y)) => Some(op.apply(x, y).map_err(|why| {
                        let what = self.notes.get(&(id as u32)).map(|n| format!("{n}: ")).unwrap_or_default();
                        Error::invalid_argument(format!("{what}{why}"))
                    })?),
                    _ => None,
                },
                Node::Select(c, a, b) => match values[c as usize] {
                    Some(0) => values[b as usize],
                    Some(_) => values[a as usize],
                    None => None,
                },
            };
            values.push(v);
        }
        Ok(Evaluation { values })
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn evaluation_binds_symbols_and_reports_failed_checks() {
        let mut g = ShapeGraph::new();
        let a = g.symbol(Symbol::InputDim { input: 0, axis: 0 });
        let b = g.symbol(Symbol::InputDim { input: 1, axis: 0 });
        let c = g.broadcast(a, b, || "layer 'add'".into()).unwrap();
        let twice = g.add(c, c).unwrap();
        let bind = |x: i64, y: i64| {
            move |s: Symbol| match s {
                Symbol::InputDim { input: 0, .. } => Some(x),
                Symbol::InputDim { input: 1, .. } => Some(y),
                _ => None,
            }
        };
        let e = g.evaluate(bind(5, 1)).unwrap();
        assert_eq!(e.get(twice), Some(10));
        let err = g.evaluate(bind(5, 3)).unwrap_err();
        assert!(err.message.contains("layer 'add'") && err.message.contains("broadcast"), "{}", err.message);
    }
}
