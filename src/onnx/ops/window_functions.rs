//! HannWindow, HammingWindow and BlackmanWindow (opset 17): for n in [0, N),
//! w[n] = a0 + a1 cos(2 pi n / M) + a2 cos(4 pi n / M), with M = N (periodic, the default)
//! or N - 1 (symmetric). A size known at parse time gives a constant; one known only at run
//! time (an INT32 shape value) gives n from a linspace fill and the cosines from layers.

use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{ElementWise, Fill, Unary};
use crate::layers::{elementwise, fill, unary};
use crate::onnx::importer::{onnx_type, Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[
    ("BlackmanWindow", |i, n| window(i, n, BLACKMAN)),
    ("HammingWindow", |i, n| window(i, n, HAMMING)),
    ("HannWindow", |i, n| window(i, n, HANN)),
];

/// (a0, a1, a2) of each window. Hann is sin^2(pi n / M) = 0.5 - 0.5 cos(2 pi n / M).
const HANN: [f64; 3] = [0.5, -0.5, 0.0];
const HAMMING: [f64; 3] = [25.0 / 46.0, -21.0 / 46.0, 0.0];
const BLACKMAN: [f64; 3] = [0.42, -0.5, 0.08];

fn window(imp: &mut Importer, node: &NodeProto, coeffs: [f64; 3]) -> Result<Vec<Value>> {
    let a = Attrs(node);
    let periodic = a.int("periodic", 1) != 0;
    let elem = a.int("output_datatype", 1);
    let dtype = i32::try_from(elem).ok().and_then(onnx_type).ok_or_else(|| Error::unsupported(format!("window output_datatype {elem}")))?;
    let size = input(node, 0)?;
    match imp.known_ints(size)? {
        Some(v) => {
            let n = *v.first().ok_or_else(|| Error::invalid_argument("a window size must hold one value"))?;
            let count = made_constant_count(&[n], "a window")?;
            let m = if periodic { n } else { n - 1 } as f64;
            let values: Vec<f32> = (0..count)
                .map(|i| {
                    let t = i as f64 / m;
                    let tau = std::f64::consts::TAU;
                    (coeffs[0] + coeffs[1] * (tau * t).cos() + coeffs[2] * (2.0 * tau * t).cos()) as f32
                })
                .collect();
            let c = ConstValue::f32(vec![n], &values);
            let t = imp.constant_tensor(&c)?;
            out(cast(imp, t, dtype)?)
        }
        None => {
            let size = imp.tensor(size)?;
            if imp.net.tensors[size].dtype != DataType::Int32 {
                return Err(Error::invalid_argument("a window size must be an integer"));
            }
            let y = window_at_run_time(imp, size, periodic, coeffs)?;
            out(cast(imp, y, dtype)?)
        }
    }
}

fn window_at_run_time(imp: &mut Importer, size: TensorId, periodic: bool, coeffs: [f64; 3]) -> Result<TensorId> {
    let count = reshape_tensor(imp, size, vec![1])?;
    let mut f = Fill::of(vec![], fill::LINSPACE);
    f.alpha = 0.0;
    f.beta = 1.0;
    let n = layer(imp, f, &[count])?;
    let m = cast(imp, count, DataType::Float)?;
    let m = if periodic {
        m
    } else {
        let one = scalar(imp, DataType::Float, 1.0, 1)?;
        layer(imp, ElementWise::of(elementwise::SUB), &[m, one])?
    };
    let t = layer(imp, ElementWise::of(elementwise::DIV), &[n, m])?;
    let a0 = scalar(imp, DataType::Float, coeffs[0], 1)?;
    let mut y = a0;
    for (k, &c) in coeffs[1..].iter().enumerate() {
        if c == 0.0 {
            continue;
        }
        let freq = scalar(imp, DataType::Float, std::f64::consts::TAU * (k + 1) as f64, 1)?;
        let angle = layer(imp, ElementWise::of(elementwise::PROD), &[t, freq])?;
        let cos = layer(imp, Unary::of(unary::COS), &[angle])?;
        let c = scalar(imp, DataType::Float, c, 1)?;
        let term = layer(imp, ElementWise::of(elementwise::PROD), &[cos, c])?;
        y = layer(imp, ElementWise::of(elementwise::SUM), &[y, term])?;
    }
    Ok(y)
}
