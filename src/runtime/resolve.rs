//! Shape resolution for one context: binding the engine's shape symbols (input dims, the
//! values of shape-tensor inputs, data-dependent counts) and evaluating the shape program.
//! Done when a binding changes, never on a repeated enqueue with the same shapes.

use crate::engine::{Analysis, EngineDesc, Storage};
use crate::error::{Error, Result};
use crate::shape::{Evaluation, Symbol};
use crate::types::{byte_size, dims_str};

/// Recomputes a run's shapes once layers reported data-dependent counts (layer, output, count).
pub type Reresolve<'a> = dyn Fn(&[(u32, u32, i64)]) -> crate::error::Result<Resolution> + 'a;

#[derive(Clone, Debug, Default)]
pub struct Resolution {
    profile: usize,
    shapes: Vec<Vec<i64>>,
    values: Vec<Vec<i64>>,
    counts: Vec<(u32, u32, i64)>,
    pub eval: Evaluation,
    /// Actual dims of every tensor; None while a data-dependent count it depends on is
    /// unknown.
    pub dims: Vec<Option<Vec<i64>>>,
}

impl Resolution {
    /// Whether this resolution is for exactly these bindings (no allocation).
    pub fn matches(&self, profile: usize, shapes: &[Vec<i64>], values: &[Vec<i64>]) -> bool {
        self.profile == profile && self.shapes == shapes && self.values == values
    }

    /// Whether data-dependent counts of a finished run are bound (a new run starts without).
    pub fn has_counts(&self) -> bool {
        !self.counts.is_empty()
    }

    /// Evaluates the shape program for these bindings and checks every stored tensor stays
    /// within the memory planned for it.
    pub fn new(
        desc: &EngineDesc,
        a: &Analysis,
        profile: usize,
        shapes: &[Vec<i64>],
        values: &[Vec<i64>],
        counts: &[(u32, u32, i64)],
    ) -> Result<Resolution> {
        let eval = a.graph.evaluate(|s| match s {
            Symbol::InputDim { input, axis } => shapes.get(input as usize)?.get(axis as usize).copied(),
            Symbol::InputValue { input, index } => values.get(input as usize)?.get(index as usize).copied(),
            Symbol::DataDependent { layer, output, .. } => counts.iter().find(|c| c.0 == layer && c.1 == output).map(|c| c.2),
        })?;
        let mut dims = Vec::with_capacity(a.tensors.len());
        for (t, info) in a.tensors.iter().enumerate() {
            let d = eval.all(&info.dims);
            if let Some(d) = &d {
                let name = &desc.tensors[t].name;
                if d.iter().any(|&x| x < 0) {
                    return Err(Error::invalid_argument(format!("tensor '{name}' would have the negative shape {}", dims_str(d))));
                }
                if info.storage != Storage::None {
                    let bytes = byte_size(d, desc.tensors[t].dtype).unwrap_or(usize::MAX) as u64;
                    if bytes > info.max_bytes {
                        return Err(Error::invalid_argument(format!(
                            "tensor '{name}' of shape {} needs {bytes} bytes, more than the {} its profile allows",
                            dims_str(d),
                            info.max_bytes
                        )));
                    }
                }
            }
            dims.push(d);
        }
        Ok(Resolution { profile, shapes: shapes.to_vec(), values: values.to_vec(), counts: counts.to_vec(), eval, dims })
    }
}
