//! What shape inference knows of a loop's trip count: a loop output that concatenates
//! without a given length is as long as the loop runs.

use super::{Boundary, BoundaryKind, Construct};
use crate::layers::Layer;
use crate::shape::ExprId;

/// A loop's trip limits and iterators as far as inference sees them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TripFacts {
    /// The loop has a kCOUNT limit.
    pub has_count: bool,
    /// Its count, when it is a shape value (computable on the host).
    pub count: Option<ExprId>,
    /// The loop has a kWHILE limit.
    pub has_while: bool,
    /// The extent of each iterator along its axis (iterating past one is an error, so each
    /// bounds the trip count).
    pub extents: Vec<ExprId>,
}

impl TripFacts {
    /// The trip count when it is known from shapes alone: a kCOUNT limit's shape value
    /// without a kWHILE limit.
    pub fn static_count(&self) -> Option<ExprId> {
        self.count.filter(|_| !self.has_while)
    }
}

/// Gathers the facts of loop `loop_id` from boundary layers (each with its input 0) and the
/// dims and shape values of tensors so far (None where not inferred yet).
pub fn gather<'b>(
    boundaries: impl IntoIterator<Item = (Boundary, Option<usize>)>,
    dims: impl Fn(usize) -> Option<&'b [ExprId]>,
    values: impl Fn(usize) -> Option<&'b [ExprId]>,
    loop_id: u32,
) -> TripFacts {
    let mut f = TripFacts::default();
    for (b, input) in boundaries {
        if b.construct != Construct::Loop(loop_id) {
            continue;
        }
        match b.kind {
            BoundaryKind::TripLimit { while_: true } => f.has_while = true,
            BoundaryKind::TripLimit { while_: false } => {
                f.has_count = true;
                f.count = input.and_then(&values).and_then(|v| (v.len() == 1).then_some(v[0]));
            }
            BoundaryKind::Iterator { axis, .. } => {
                let extent = input.and_then(&dims).and_then(|d| usize::try_from(axis).ok().and_then(|a| d.get(a).copied()));
                f.extents.extend(extent);
            }
            _ => {}
        }
    }
    f
}

/// The boundary layers of a list of layers, each with its input 0.
pub fn boundaries<'a>(
    layers: impl IntoIterator<Item = (&'a dyn Layer, &'a [Option<usize>])> + 'a,
) -> impl Iterator<Item = (Boundary, Option<usize>)> + 'a {
    layers.into_iter().filter_map(|(op, inputs)| op.control().map(|b| (b, inputs.first().copied().flatten())))
}
