//! The boundary layers of a loop (ILoop): IRecurrenceLayer, ITripLimitLayer, IIteratorLayer
//! and ILoopOutputLayer. Their specs give types and shapes; which layers form the body and
//! how iterations run is `crate::control`'s. None of them runs through an implementation, so
//! their CPU references refuse to be called (constant folding then leaves them alone).

use super::generated::{Iterator as IteratorSpec, LoopOutput, Recurrence, TripLimit};
use super::{any_impls, check_type, explicit_batch_only, input, shape_input_values, CpuCx, InferCx, InferIn, InferOut, Layer};
use crate::control::{construct_index, Boundary, BoundaryKind, Construct, CONCATENATE, LAST_VALUE, REVERSE, TRIP_COUNT, TRIP_WHILE};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::{BinOp, ExprId};
use crate::types::DataType;

/// The types loop boundaries move (copies of 1, 2 or 4 bytes per element).
pub const MOVABLE: &[DataType] = &[DataType::Float, DataType::Half, DataType::Int32, DataType::Int8, DataType::Uint8, DataType::Bool];

/// What every boundary layer's CPU reference says: the control-flow executor runs it.
pub(crate) fn driven_by_construct(what: &str) -> Error {
    Error::internal(format!("{what} runs as part of its construct, not on its own"))
}

fn in_loop(loop_id: i32, kind: BoundaryKind) -> Option<Boundary> {
    Some(Boundary { construct: Construct::Loop(loop_id as u32), kind })
}

impl Recurrence {
    pub fn of(loop_id: u32) -> Recurrence {
        Recurrence { loop_id: loop_id as i32 }
    }
}

impl Layer for Recurrence {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        construct_index("the recurrence", self.loop_id)?;
        // Input 1, the next value, is a back edge: checked against this once the loop body
        // is known (control::checks), never read here.
        let x = input(inputs, 0)?;
        check_type("a recurrence's initial value", x.dtype, MOVABLE)?;
        Ok(vec![InferOut::new(x.dtype, x.dims.to_vec())])
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(driven_by_construct("IRecurrenceLayer"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("ILoop (IRecurrenceLayer)"))
    }
    fn control(&self) -> Option<Boundary> {
        in_loop(self.loop_id, BoundaryKind::Recurrence)
    }
    any_impls!();
}

impl TripLimit {
    pub fn of(loop_id: u32, limit: i32) -> TripLimit {
        TripLimit { loop_id: loop_id as i32, limit }
    }
}

impl Layer for TripLimit {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        construct_index("the trip limit", self.loop_id)?;
        let x = input(inputs, 0)?;
        let (want, what) = match self.limit {
            TRIP_COUNT => (DataType::Int32, "a kCOUNT trip limit takes a 0-D kINT32 count"),
            TRIP_WHILE => (DataType::Bool, "a kWHILE trip limit takes a 0-D kBOOL condition"),
            v => return Err(Error::invalid_argument(format!("unknown TripLimit {v}"))),
        };
        if x.dtype != want || !x.dims.is_empty() {
            return Err(Error::invalid_argument(format!("{what}, not a {}-D {}", x.dims.len(), x.dtype)));
        }
        Ok(vec![])
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(driven_by_construct("ITripLimitLayer"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("ILoop (ITripLimitLayer)"))
    }
    fn control(&self) -> Option<Boundary> {
        in_loop(self.loop_id, BoundaryKind::TripLimit { while_: self.limit == TRIP_WHILE })
    }
    any_impls!();
}

impl IteratorSpec {
    pub fn of(loop_id: u32, axis: i32, reverse: bool) -> IteratorSpec {
        IteratorSpec { loop_id: loop_id as i32, axis, reverse }
    }
}

impl Layer for IteratorSpec {
    fn infer(&self, _cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        construct_index("the iterator", self.loop_id)?;
        let x = input(inputs, 0)?;
        check_type("an iterator's input", x.dtype, MOVABLE)?;
        let rank = x.dims.len();
        let axis = usize::try_from(self.axis).ok().filter(|&a| a < rank).ok_or_else(|| {
            Error::invalid_argument(format!("the iterator's axis {} is outside the {rank} axes of its input", self.axis))
        })?;
        let mut dims = x.dims.to_vec();
        dims.remove(axis);
        Ok(vec![InferOut::new(x.dtype, dims)])
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(driven_by_construct("IIteratorLayer"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("ILoop (IIteratorLayer)"))
    }
    fn control(&self) -> Option<Boundary> {
        in_loop(self.loop_id, BoundaryKind::Iterator { axis: self.axis, reverse: self.reverse })
    }
    any_impls!();
}

impl LoopOutput {
    pub fn of(loop_id: u32, output: i32, axis: i32) -> LoopOutput {
        LoopOutput { loop_id: loop_id as i32, output, axis }
    }

    /// The length of a concatenating output: its second input's value, or else the trip
    /// count (a shape value, or a count only known once the loop ran, bounded by the count
    /// and the iterators' extents).
    fn length(&self, cx: &mut InferCx, given: Option<&InferIn>) -> Result<ExprId> {
        if let Some(l) = given {
            let v = shape_input_values("the loop output's length (input 1)", l, true)?;
            let [len] = v else {
                return Err(Error::invalid_argument(format!("the loop output's length must be one value, not {}", v.len())));
            };
            return super::at_least_later(cx.g, *len, 0, || "the loop output's length must not be negative".into());
        }
        let zero = cx.g.constant(0);
        if let Some(count) = cx.trip.static_count() {
            return cx.g.op(BinOp::Max, count, zero);
        }
        // Without any bound the loop cannot be planned; control::checks refuses that with
        // a clear message, so 0 only stands in until then.
        let mut bound: Option<ExprId> = cx.trip.count.map(|c| cx.g.op(BinOp::Max, c, zero)).transpose()?;
        for &e in &cx.trip.extents.clone() {
            bound = Some(match bound {
                Some(b) => cx.g.op(BinOp::Min, b, e)?,
                None => e,
            });
        }
        let bound = bound.unwrap_or(zero);
        Ok(cx.data_dependent(0, bound))
    }
}

impl Layer for LoopOutput {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        construct_index("the loop output", self.loop_id)?;
        let x = input(inputs, 0)?;
        check_type("a loop output's input", x.dtype, MOVABLE)?;
        let given = inputs.get(1).and_then(|i| i.as_ref());
        match self.output {
            LAST_VALUE if given.is_some() => {
                Err(Error::invalid_argument("a kLAST_VALUE loop output takes one input; a length is only for kCONCATENATE and kREVERSE"))
            }
            LAST_VALUE => Ok(vec![InferOut::new(x.dtype, x.dims.to_vec())]),
            CONCATENATE | REVERSE => {
                let rank = x.dims.len();
                let axis = usize::try_from(self.axis).ok().filter(|&a| a <= rank).ok_or_else(|| {
                    Error::invalid_argument(format!("the loop output's axis {} is outside 0..={rank} for a {rank}-D value", self.axis))
                })?;
                let len = self.length(cx, given)?;
                let mut dims = x.dims.to_vec();
                dims.insert(axis, len);
                Ok(vec![InferOut::new(x.dtype, dims)])
            }
            v => Err(Error::invalid_argument(format!("unknown LoopOutput {v}"))),
        }
    }
    fn run_cpu(&self, _: &mut CpuCx, _: &[Option<TensorIn>], _: &mut [TensorOut]) -> Result<()> {
        Err(driven_by_construct("ILoopOutputLayer"))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        Err(explicit_batch_only("ILoop (ILoopOutputLayer)"))
    }
    fn control(&self) -> Option<Boundary> {
        in_loop(self.loop_id, BoundaryKind::LoopOutput { kind: self.output, axis: self.axis })
    }
    any_impls!();
}
