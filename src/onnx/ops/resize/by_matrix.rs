//! A resize applied axis by axis with the exact ONNX weights of each axis (axis_weights):
//! nearest as a Gather of the chosen indices (exact for every type), linear and cubic as a
//! product with the constant [n, m] weight matrix in float. tf_crop_and_resize outputs whose
//! source lies outside the input take the extrapolation value.

use super::axis_weights::{AxisMatrix, AxisResize, Kernel};
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise;
use crate::layers::generated::{Constant, ElementWise, Gather, MatrixMultiply, Select, Shuffle};
use crate::layers::matmul;
use crate::onnx::importer::Importer;
use crate::onnx::ops::util::{cast, ints_tensor, layer, made_constant_count, scalar};
use crate::types::DataType;
use crate::weights::Weights;

/// `x` resized on each (axis, resize) pair; the other axes keep their size.
pub fn resize_by_matrices(imp: &mut Importer, x: TensorId, axes: &[(usize, AxisResize)], extrapolation: f64) -> Result<TensorId> {
    let dtype = imp.net.tensors[x].dtype;
    let interpolates = axes.iter().any(|(_, a)| !matches!(a.kernel, Kernel::Nearest(_)));
    if interpolates && !matches!(dtype, DataType::Float | DataType::Half) {
        return Err(Error::unsupported(format!(
            "a linear or cubic resize of a {dtype:?} tensor where the resize layer cannot be exact (only float types are interpolated by weight matrix)"
        )));
    }
    let mut y = x;
    for &(axis, resize) in axes {
        let m = resize.matrix()?;
        let identity = resize.m == resize.n && !m.outside.iter().any(|&o| o) && (0..resize.n).all(|i| m.weights[i * resize.n + i] == 1.0);
        if identity {
            continue;
        }
        y = match resize.kernel {
            Kernel::Nearest(_) => nearest_axis(imp, y, axis, &resize, &m)?,
            _ => interpolated_axis(imp, y, axis, &resize, &m)?,
        };
        if m.outside.iter().any(|&o| o) {
            y = extrapolated(imp, y, axis, &m.outside, extrapolation)?;
        }
    }
    Ok(y)
}

/// Gathers the one input index each output row takes.
fn nearest_axis(imp: &mut Importer, x: TensorId, axis: usize, resize: &AxisResize, m: &AxisMatrix) -> Result<TensorId> {
    let n = resize.n;
    let picks: Vec<i64> = m.weights.chunks(n).map(|row| row.iter().position(|&w| w == 1.0).unwrap_or(0) as i64).collect();
    let indices = ints_tensor(imp, &picks)?;
    layer(imp, Gather::on_axis(axis as i32), &[x, indices])
}

/// The axis moved last, times the [n, m] transposed weights, moved back; in float.
fn interpolated_axis(imp: &mut Importer, x: TensorId, axis: usize, resize: &AxisResize, m: &AxisMatrix) -> Result<TensorId> {
    let rank = imp.dims(x).len();
    let dtype = imp.net.tensors[x].dtype;
    let (n, rows) = (resize.n, resize.m);
    let mut transposed = vec![0f32; n * rows];
    for (i, row) in m.weights.chunks(n).enumerate() {
        for (j, &w) in row.iter().enumerate() {
            transposed[j * rows + i] = w as f32;
        }
    }
    let x = cast(imp, x, DataType::Float)?;
    // A rank-1 input becomes a row [1, n] for the product.
    let (x, squeezed) = if rank == 1 { (layer(imp, Shuffle::reshape_to(vec![1, n as i64]), &[x])?, true) } else { (x, false) };
    let r = if squeezed { 2 } else { rank };
    let mut dims = vec![1i64; r];
    dims[r - 2] = n as i64;
    dims[r - 1] = rows as i64;
    made_constant_count(&dims, "resize weight matrix")?;
    let weights = imp.add(Box::new(Constant::of(dims, Weights::from_f32(&transposed))), &[])?;
    let axis = if squeezed { 1 } else { axis };
    let mut perm: Vec<i64> = (0..r as i64).filter(|&a| a != axis as i64).collect();
    perm.push(axis as i64);
    let last = axis == r - 1;
    let xt = if last { x } else { layer(imp, Shuffle::transpose(perm.clone()), &[x])? };
    let id = imp.add_layer(Box::new(MatrixMultiply::of(matmul::NONE, matmul::NONE)), &[xt, weights])?;
    imp.net.layers[id].precision = Some(DataType::Float);
    let mut y = imp.net.layers[id].outputs[0];
    if !last {
        let mut back = vec![0i64; r];
        for (place, &a) in perm.iter().enumerate() {
            back[a as usize] = place as i64;
        }
        y = layer(imp, Shuffle::transpose(back), &[y])?;
    }
    if squeezed {
        y = layer(imp, Shuffle::reshape_to(vec![rows as i64]), &[y])?;
    }
    cast(imp, y, dtype)
}

/// Outputs marked outside set to the extrapolation value (a Select, so exact for any input).
fn extrapolated(imp: &mut Importer, y: TensorId, axis: usize, outside: &[bool], value: f64) -> Result<TensorId> {
    let rank = imp.dims(y).len();
    let dtype = imp.net.tensors[y].dtype;
    let mut dims = vec![1i64; rank];
    dims[axis] = outside.len() as i64;
    let flags: Vec<f32> = outside.iter().map(|&o| if o { 1.0 } else { 0.0 }).collect();
    let flags = imp.add(Box::new(Constant::of(dims, Weights::from_f32(&flags))), &[])?;
    let one = scalar(imp, DataType::Float, 1.0, rank)?;
    let is_outside = layer(imp, ElementWise::of(elementwise::EQUAL), &[flags, one])?;
    let value = scalar(imp, dtype, value, rank)?;
    layer(imp, Select::new(), &[is_outside, value, y])
}
