//! AffineGrid (opset 20): theta [N, s, s + 1] (s = 2 or 3 spatial axes) and size [N, C, (D,)
//! H, W] give grid [N, (D,) H, W, s] = theta · (x, y, (z,) 1) at every position, where x runs
//! over W, y over H and z over D. Each coordinate axis is a 1-D ramp over [-1, 1]: pixel
//! centres i at -1 + (2 i + 1) / L, or with align_corners the corners at -1 + 2 i / (L - 1)
//! (-1 alone when L = 1). The product is done as broadcast multiply-adds, one term per
//! column of theta. Sizes known when the model is parsed give constant ramps; sizes known
//! only at run time give linspace fills.

use super::slicing::{arith, to_tensor, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{DIV, MAX, PROD, SUB, SUM};
use crate::layers::fill;
use crate::layers::generated::{ElementWise, Fill};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::{dims_str, DataType};

pub const OPS: &[(&str, ImportFn)] = &[("AffineGrid", affine_grid)];

fn affine_grid(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let align_corners = Attrs(node).int("align_corners", 0) != 0;
    let theta = imp.tensor(input(node, 0)?)?;
    let td = imp.dims(theta);
    let s = match td[..] {
        [_, 2, 3] => 2,
        [_, 3, 4] => 3,
        _ => return Err(Error::invalid_argument(format!("AffineGrid theta must be [N, 2, 3] or [N, 3, 4], not {}", dims_str(&td)))),
    };
    let spatial = spatial_sizes(imp, input(node, 1)?, s)?;
    let dtype = imp.net.tensors[theta].dtype;
    let rank = s + 2;
    let mut grid: Option<TensorId> = None;
    // Column i of theta multiplies the coordinate of spatial axis s - 1 - i (x is W, the
    // last); column s is the translation.
    for i in 0..=s {
        let column = theta_column(imp, theta, i, rank)?;
        let term = if i < s {
            let axis = s - 1 - i;
            let ramp = coordinates(imp, spatial[axis], align_corners)?;
            let ramp = cast(imp, ramp, dtype)?;
            let others: Vec<usize> = (0..rank).filter(|&a| a != axis + 1).collect();
            let ramp = unsqueeze(imp, ramp, &others)?;
            layer(imp, ElementWise::of(PROD), &[ramp, column])?
        } else {
            column
        };
        grid = Some(match grid {
            Some(g) => layer(imp, ElementWise::of(SUM), &[g, term])?,
            None => term,
        });
    }
    out(grid.ok_or_else(|| Error::internal("an AffineGrid without terms"))?)
}

/// The spatial sizes ((D,) H, W) from `size` ([N, C, (D,) H, W]).
fn spatial_sizes(imp: &mut Importer, name: &str, s: usize) -> Result<Vec<Dim>> {
    if let Some(v) = imp.known_ints(name)? {
        if v.len() != s + 2 {
            return Err(Error::invalid_argument(format!("AffineGrid size has {} values for {s} spatial axes", v.len())));
        }
        if let Some(d) = v.iter().find(|&&d| d < 0) {
            return Err(Error::invalid_argument(format!("AffineGrid size {d} is negative")));
        }
        return Ok(v[2..].iter().map(|&d| Dim::Num(d)).collect());
    }
    let t = imp.tensor(name)?;
    let dims = imp.dims(t);
    if imp.net.tensors[t].dtype != DataType::Int32 || dims != [(s + 2) as i64] {
        return Err(Error::invalid_argument(format!("AffineGrid size must be {} integers, not {}", s + 2, dims_str(&dims))));
    }
    (2..s + 2).map(|k| Ok(Dim::Tensor(gather_1d(imp, t, &[k as i64])?))).collect()
}

/// theta[:, :, i] as [N, 1, ..., 1, s] (rank `rank`).
fn theta_column(imp: &mut Importer, theta: TensorId, i: usize, rank: usize) -> Result<TensorId> {
    let s = rank - 2;
    let mut spec = super::slicing::SliceSpec::range_on_axis(3, 2, i as i64, 1);
    spec.size[1] = Some(Dim::Num(s as i64));
    let column = super::slicing::add_slice(imp, theta, spec)?;
    let mut dims = vec![0i64];
    dims.extend(std::iter::repeat_n(1, s));
    dims.push(s as i64);
    reshape_tensor(imp, column, dims)
}

/// The ramp of `len` coordinates over [-1, 1] (FLOAT).
fn coordinates(imp: &mut Importer, len: Dim, align_corners: bool) -> Result<TensorId> {
    match len {
        Dim::Num(l) => {
            let count = made_constant_count(&[l], "an AffineGrid coordinate ramp")?;
            let values: Vec<f32> = (0..count)
                .map(|i| {
                    let (i, l) = (i as f64, l as f64);
                    if !align_corners {
                        (2.0 * i + 1.0) / l - 1.0
                    } else if l > 1.0 {
                        2.0 * i / (l - 1.0) - 1.0
                    } else {
                        -1.0
                    }
                })
                .map(|v| v as f32)
                .collect();
            imp.constant_tensor(&ConstValue::f32(vec![l], &values))
        }
        Dim::Tensor(_) => {
            // Corners: step 2 / max(L - 1, 1) from -1 (one point is -1 whatever the step);
            // centres: step 2 / L from step / 2 - 1.
            let divisor = if align_corners {
                let less = arith(imp, SUB, len, Dim::Num(1))?;
                arith(imp, MAX, less, Dim::Num(1))?
            } else {
                len
            };
            let divisor = to_tensor(imp, divisor)?;
            let divisor = cast(imp, divisor, DataType::Float)?;
            let two = scalar(imp, DataType::Float, 2.0, 1)?;
            let step = layer(imp, ElementWise::of(DIV), &[two, divisor])?;
            let start = if align_corners {
                scalar(imp, DataType::Float, -1.0, 1)?
            } else {
                let half = scalar(imp, DataType::Float, 0.5, 1)?;
                let half_step = layer(imp, ElementWise::of(PROD), &[step, half])?;
                let one = scalar(imp, DataType::Float, 1.0, 1)?;
                layer(imp, ElementWise::of(SUB), &[half_step, one])?
            };
            let shape = to_tensor(imp, len)?;
            layer(imp, Fill::of(vec![], fill::LINSPACE), &[shape, start, step])
        }
    }
}
