//! The rules a placed network or engine must follow beyond where its tensors are used:
//! recurrences have a next value of their initial value's type and shape, kLAST_VALUE reads a
//! recurrence, a concatenation without a length has a bounded trip count, and sizes known
//! only after a layer ran stay outside loops and conditionals.

use super::placement::{Placement, ROOT};
use super::{facts, BoundaryKind, FlowGraph, LAST_VALUE};
use crate::error::{Error, Result};
use crate::shape::{dims_text, ExprId, Node, ShapeGraph, Symbol};
use crate::types::DataType;

/// Shapes and types of a graph's tensors as inference left them.
pub struct Shapes<'a> {
    pub dims: &'a dyn Fn(usize) -> &'a [ExprId],
    pub values: &'a dyn Fn(usize) -> Option<&'a [ExprId]>,
    pub dtype: &'a dyn Fn(usize) -> DataType,
}

/// Whether `e` is (or is computed from) layer `layer`'s data-dependent count.
fn counts_of(g: &ShapeGraph, e: ExprId, layer: u32) -> bool {
    let mut stack = vec![e];
    let mut seen = std::collections::HashSet::new();
    while let Some(x) = stack.pop() {
        if !seen.insert(x) {
            continue;
        }
        match g.node(x) {
            Node::Sym(Symbol::DataDependent { layer: l, .. }) if l == layer => return true,
            Node::Sym(_) | Node::Const(_) => {}
            Node::Bin(_, a, b) => stack.extend([a, b]),
            Node::Select(c, a, b) => stack.extend([c, a, b]),
        }
    }
    false
}

/// Checks what can be checked from types and shapes known now: dimensions known to differ
/// are an error; `recurrence_checks` leaves the others to the engine's shape program.
pub fn check(fg: &FlowGraph, p: &Placement, s: &Shapes, g: &ShapeGraph) -> Result<()> {
    for k in &p.constructs {
        for &r in &k.recurrences {
            let l = &fg.layers[r];
            let (Some(init), Some(next)) = (l.inputs.first().copied().flatten(), l.inputs.get(1).copied().flatten()) else {
                return Err(Error::invalid_argument(format!(
                    "recurrence '{}' has no next value: set it with IRecurrenceLayer::setInput(1, tensor)",
                    l.name
                )));
            };
            let (a, b) = ((s.dtype)(init), (s.dtype)(next));
            if a != b {
                return Err(Error::invalid_argument(format!(
                    "recurrence '{}': its next value is {b} but its initial value is {a}; a recurrence keeps its type",
                    l.name
                )));
            }
            let (da, db) = ((s.dims)(init), (s.dims)(next));
            let (ka, kb) = (g.known(da), g.known(db));
            let differ = da.len() != db.len() || ka.iter().zip(&kb).any(|(&x, &y)| x >= 0 && y >= 0 && x != y);
            if differ {
                return Err(Error::invalid_argument(format!(
                    "recurrence '{}': its next value has shape {} but its initial value {}; a recurrence keeps its shape from one iteration to the next",
                    l.name,
                    dims_text(g, db),
                    dims_text(g, da)
                )));
            }
        }
        for &e in &k.exits {
            let l = &fg.layers[e];
            let Some((_, BoundaryKind::LoopOutput { kind, .. })) = p.boundary[e] else { continue };
            let input = l.inputs.first().copied().flatten();
            if kind == LAST_VALUE {
                let reads_recurrence = input.is_some_and(|t| k.recurrences.iter().any(|&r| fg.layers[r].outputs.contains(&t)));
                if !reads_recurrence {
                    return Err(Error::invalid_argument(format!(
                        "loop output '{}': a kLAST_VALUE output must read the output of an IRecurrenceLayer of its loop",
                        l.name
                    )));
                }
            } else if l.inputs.get(1).copied().flatten().is_none() {
                let Some(super::Construct::Loop(id)) = Some(k.construct) else { continue };
                let layers = fg.layers.iter().map(|x| (x.op, x.inputs));
                let f = facts::gather(facts::boundaries(layers), |t| Some((s.dims)(t)), |t| (s.values)(t), id);
                if f.static_count().is_none() && f.count.is_none() && f.extents.is_empty() {
                    return Err(Error::invalid_argument(format!(
                        "loop output '{}': its loop '{}' runs until a condition or a count computed at run time, with no iterator to bound it, so the concatenation needs a length: set it with ILoopOutputLayer::setInput(1, length)",
                        l.name,
                        p.construct_name(p.boundary[e].map(|(c, _)| c).unwrap_or(0))
                    )));
                }
            }
        }
    }
    for (li, l) in fg.layers.iter().enumerate() {
        if p.region[li] == ROOT {
            continue;
        }
        if l.outputs.iter().any(|&o| (s.dims)(o).iter().any(|&d| counts_of(g, d, li as u32))) {
            return Err(Error::unsupported(format!(
                "layer '{}' is in {} and has an output whose size is only known once it ran; such layers (and loop outputs without a length known in advance) are not supported inside loops and conditionals",
                l.name,
                p.describe(p.region[li])
            )));
        }
    }
    Ok(())
}

/// Adds to an engine's shape program the checks that each recurrence's next value has its
/// initial value's dims (run after `check`, which refused the ones known to differ).
pub fn recurrence_checks(fg: &FlowGraph, p: &Placement, dims: &dyn Fn(usize) -> Vec<ExprId>, g: &mut ShapeGraph) -> Result<()> {
    for k in &p.constructs {
        for &r in &k.recurrences {
            let l = &fg.layers[r];
            let (Some(init), Some(next)) = (l.inputs.first().copied().flatten(), l.inputs.get(1).copied().flatten()) else { continue };
            for (i, (x, y)) in dims(init).into_iter().zip(dims(next)).enumerate() {
                let name = l.name;
                g.assert_eq(y, x, || format!("recurrence '{name}': dimension {i} of its next value differs from its initial value's"))?;
            }
        }
    }
    Ok(())
}
