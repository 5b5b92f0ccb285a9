//! STFT (opset 17): frames of the signal, frame f = signal[f * step .. f * step + length],
//! gathered with an index grid, times the window, then a DFT of each frame (onesided by
//! default). The frame length is input 3, else the window's length, else the signal's.
//! Step and length may be known only at run time: the grid is then a linspace fill.

use super::fourier::{dft_along, Transform};
use super::slicing::{arith, input_dim, scalar_input_dim, to_tensor, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{FLOOR_DIV, PROD, SUB, SUM};
use crate::layers::fill;
use crate::layers::generated::{ElementWise, Fill, Gather};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;

pub const OPS: &[(&str, ImportFn)] = &[("STFT", stft)];

fn stft(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let onesided = Attrs(node).int("onesided", 1) != 0;
    let signal = imp.tensor(input(node, 0)?)?;
    let dims = imp.dims(signal);
    if dims.len() != 3 || !(dims[2] == 1 || dims[2] == 2) {
        return Err(Error::invalid_argument(format!(
            "an STFT signal must be [batch, length, 1 or 2], not {}",
            crate::types::dims_str(&dims)
        )));
    }
    let step = scalar_input_dim(imp, input(node, 1)?, "the STFT frame_step")?;
    let window = match optional_input(node, 2) {
        Some(name) => Some(imp.tensor(name)?),
        None => None,
    };
    if let Some(w) = window {
        if imp.dims(w).len() != 1 {
            return Err(Error::invalid_argument("an STFT window must be 1-D"));
        }
    }
    let length = match (optional_input(node, 3), window) {
        (Some(name), _) => scalar_input_dim(imp, name, "the STFT frame_length")?,
        (None, Some(w)) => input_dim(imp, w, 0)?,
        (None, None) => input_dim(imp, signal, 1)?,
    };
    if let (Some(w), Dim::Num(len)) = (window, length) {
        let wl = imp.dims(w)[0];
        if wl >= 0 && wl != len {
            return Err(Error::invalid_argument(format!("an STFT window of length {wl} for frames of length {len}")));
        }
    }
    if let Dim::Num(s) = step {
        if s < 1 {
            return Err(Error::invalid_argument(format!("an STFT frame_step must be positive, not {s}")));
        }
    }
    if let Dim::Num(len) = length {
        if len < 1 || (dims[1] >= 0 && len > dims[1]) {
            return Err(Error::invalid_argument(format!("an STFT frame_length of {len} for a signal of length {}", dims[1])));
        }
    }
    // frames = (signal length - frame length) / step + 1
    let signal_len = input_dim(imp, signal, 1)?;
    let spare = arith(imp, SUB, signal_len, length)?;
    let steps = arith(imp, FLOOR_DIV, spare, step)?;
    let frames = arith(imp, SUM, steps, Dim::Num(1))?;
    let grid = frame_indices(imp, frames, length, step)?;
    let mut framed = layer(imp, Gather::on_axis(1), &[signal, grid])?; // [batch, frames, length, c]
    if let Some(w) = window {
        let w = reshape_tensor(imp, w, vec![1, 1, -1, 1])?;
        framed = layer(imp, ElementWise::of(PROD), &[framed, w])?;
    }
    out(dft_along(imp, framed, 2, &Transform { length, onesided, inverse: false })?)
}

/// [frames, length] INT32 indices f * step + i.
fn frame_indices(imp: &mut Importer, frames: Dim, length: Dim, step: Dim) -> Result<TensorId> {
    if let (Dim::Num(f), Dim::Num(l), Dim::Num(s)) = (frames, length, step) {
        made_constant_count(&[f, l], "an STFT frame index grid")?;
        let values: Vec<i64> = (0..f).flat_map(|f| (0..l).map(move |i| f * s + i)).collect();
        return imp.constant_tensor(&ConstValue::from_i64("STFT frame indices", vec![f, l], &values)?);
    }
    let f = to_tensor(imp, frames)?;
    let l = to_tensor(imp, length)?;
    let shape = concat_1d(imp, &[f, l])?;
    let start = ints_tensor(imp, &[0])?;
    let s = to_tensor(imp, step)?;
    let one = ints_tensor(imp, &[1])?;
    let deltas = concat_1d(imp, &[s, one])?;
    layer(imp, Fill::of(vec![], fill::LINSPACE), &[shape, start, deltas])
}
