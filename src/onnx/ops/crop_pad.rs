//! CenterCropPad (opset 18): each listed axis is cropped or zero-padded to a target size,
//! centered. One fill-mode slice does both: it starts at trunc((input - target) / 2) (a
//! crop drops floor(excess / 2) in front, a pad adds floor(missing / 2) in front) and reads
//! `target` elements, zeros outside the input.

use super::slicing::{arith, input_dim, padded, Bound, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::layers::{elementwise, slice};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;

pub const OPS: &[(&str, ImportFn)] = &[("CenterCropPad", center_crop_pad)];

/// trunc(v / 2), for a value that may be negative. On tensors: with v clamped to
/// [-2^30, 2^30), floor(v / 2^30) is -1 for a negative v and 0 otherwise, and
/// trunc(v / 2) = floor((v - that) / 2).
fn half_toward_zero(imp: &mut Importer, v: Dim) -> Result<Dim> {
    const BIG: i64 = 1 << 30;
    match v {
        Dim::Num(x) => Ok(Dim::Num(x / 2)),
        Dim::Tensor(_) => {
            let c = arith(imp, elementwise::MAX, v, Dim::Num(-BIG))?;
            let c = arith(imp, elementwise::MIN, c, Dim::Num(BIG - 1))?;
            let negative = arith(imp, elementwise::FLOOR_DIV, c, Dim::Num(BIG))?;
            let v = arith(imp, elementwise::SUB, v, negative)?;
            arith(imp, elementwise::FLOOR_DIV, v, Dim::Num(2))
        }
    }
}

fn center_crop_pad(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let x = imp.tensor(input(node, 0)?)?;
    let rank = imp.dims(x).len();
    let axes = match Attrs(node).ints("axes") {
        Some(a) => axis_indices(&a, rank)?,
        None => (0..rank).collect(),
    };
    let shape_name = input(node, 1)?;
    let target = match imp.known_ints(shape_name)? {
        Some(v) => {
            if let Some(d) = v.iter().find(|&&d| !(0..=i32::MAX as i64).contains(&d)) {
                return Err(Error::invalid_argument(format!("CenterCropPad target size {d} is negative or too large")));
            }
            Bound::Known(v)
        }
        None => Bound::Tensor(imp.tensor(shape_name)?),
    };
    if target.len(imp) != axes.len() {
        return Err(Error::invalid_argument(format!("CenterCropPad has {} target sizes for {} axes", target.len(imp), axes.len())));
    }
    let mut pre = vec![Dim::Num(0); rank];
    let mut post = vec![Dim::Num(0); rank];
    for (k, &axis) in axes.iter().enumerate() {
        let t = target.at(imp, k)?;
        let d = input_dim(imp, x, axis)?;
        // Pads (negative: crops) before and after, summing to target - input.
        let excess = arith(imp, elementwise::SUB, d, t)?;
        let start = half_toward_zero(imp, excess)?;
        let before = arith(imp, elementwise::SUB, Dim::Num(0), start)?;
        let missing = arith(imp, elementwise::SUB, t, d)?;
        pre[axis] = before;
        post[axis] = arith(imp, elementwise::SUB, missing, before)?;
    }
    out(padded(imp, x, &pre, &post, slice::FILL, None)?)
}
