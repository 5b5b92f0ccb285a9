//! MelWeightMatrix (opset 17): a [dft_length / 2 + 1, num_mel_bins] matrix of triangular
//! filters. With M = num_mel_bins, the M + 2 band edges are evenly spaced on the mel scale
//! mel(f) = 2595 log10(1 + f / 700) from mel(lower) in steps of (mel(upper) - mel(lower)) /
//! (M + 2) (as the ONNX reference and onnxruntime divide), mapped back to hertz and to a
//! spectrogram bin floor((dft_length + 1) hz / sample_rate). Filter i rises from its edge
//! l = e[i] to c = e[i + 1] ((j - l) / (c - l), or 1 at j = c when l = c) and falls to
//! h = e[i + 2] ((h - j) / (h - c) for c <= j < h, which wins at j = c).
//! Inputs known when the model is parsed give a constant computed in f64 (the mel edges
//! in f32, as the reference rounds them); inputs known only at run time give layers in f32.

use super::slicing::{add_slice, arith, scalar_input_dim, to_tensor, Dim, SliceSpec};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::elementwise::{AND, DIV, EQUAL, FLOOR_DIV, LESS, POW, PROD, SUB, SUM};
use crate::layers::generated::{ElementWise, Fill, Select, Unary};
use crate::layers::{fill, unary};
use crate::onnx::importer::{onnx_type, Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;

pub const OPS: &[(&str, ImportFn)] = &[("MelWeightMatrix", mel_weight_matrix)];

/// The sizes and edges of a mel filter bank.
#[derive(Clone, Copy, Debug)]
pub struct MelBank {
    pub mel_bins: i64,
    pub dft_length: i64,
    pub sample_rate: i64,
    pub lower_hz: f32,
    pub upper_hz: f32,
}

fn mel(hz: f32) -> f32 {
    2595.0 * (1.0 + hz / 700.0).log10()
}

impl MelBank {
    /// The spectrogram bin of each of the M + 2 band edges.
    fn edges(&self) -> Result<Vec<i64>> {
        let (low, high) = (mel(self.lower_hz), mel(self.upper_hz));
        let step = (high - low) / (self.mel_bins + 2) as f32;
        (0..self.mel_bins + 2)
            .map(|i| {
                let m = i as f64 * step as f64 + low as f64;
                let hz = 700.0 * (10f64.powf(m / 2595.0) - 1.0);
                let bin = ((self.dft_length + 1) as f64 * hz / self.sample_rate as f64).floor();
                if !bin.is_finite() || bin.abs() > 1e15 {
                    return Err(Error::invalid_argument(format!(
                        "MelWeightMatrix edges {} and {} Hz give no band edges",
                        self.lower_hz, self.upper_hz
                    )));
                }
                Ok(bin as i64)
            })
            .collect()
    }

    /// The matrix, row-major [dft_length / 2 + 1, M].
    pub fn weights(&self) -> Result<Vec<f64>> {
        let (m, rows) = (self.mel_bins, self.dft_length / 2 + 1);
        if m < 0 || self.dft_length < 0 || self.sample_rate <= 0 {
            return Err(Error::invalid_argument(format!(
                "MelWeightMatrix of {m} bins for a DFT of {} at rate {}",
                self.dft_length, self.sample_rate
            )));
        }
        let count = made_constant_count(&[rows, m], "a MelWeightMatrix")?;
        let edges = self.edges()?;
        let mut w = vec![0f64; count];
        for i in 0..m as usize {
            let (l, c, h) = (edges[i], edges[i + 1], edges[i + 2]);
            let mut set = |j: i64, v: f64| -> Result<()> {
                if !(0..rows).contains(&j) {
                    return Err(Error::invalid_argument(format!(
                        "MelWeightMatrix band edge at bin {j} is outside the {rows} spectrogram bins"
                    )));
                }
                w[j as usize * m as usize + i] = v;
                Ok(())
            };
            if c == l {
                set(c, 1.0)?;
            }
            for j in l..=c {
                if c != l {
                    set(j, (j - l) as f64 / (c - l) as f64)?;
                }
            }
            for j in c..h {
                set(j, (h - j) as f64 / (h - c) as f64)?;
            }
        }
        Ok(w)
    }
}

fn mel_weight_matrix(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let elem = Attrs(node).int("output_datatype", 1);
    let dtype = i32::try_from(elem)
        .ok()
        .and_then(onnx_type)
        .ok_or_else(|| Error::unsupported(format!("MelWeightMatrix output_datatype {elem}")))?;
    let mel_bins = scalar_input_dim(imp, input(node, 0)?, "num_mel_bins")?;
    let dft_length = scalar_input_dim(imp, input(node, 1)?, "the MelWeightMatrix dft_length")?;
    let sample_rate = scalar_input_dim(imp, input(node, 2)?, "the sample_rate")?;
    let (lower, upper) = (input(node, 3)?, input(node, 4)?);
    let known_float = |imp: &Importer, name: &str| -> Result<Option<f32>> {
        Ok(match imp.value(name)? {
            Value::Const(c) => Some(*c.floats()?.first().ok_or_else(|| Error::invalid_argument("an empty MelWeightMatrix edge"))?),
            Value::Tensor(_) => None,
        })
    };
    let y = match (mel_bins, dft_length, sample_rate, known_float(imp, lower)?, known_float(imp, upper)?) {
        (Dim::Num(mel_bins), Dim::Num(dft_length), Dim::Num(sample_rate), Some(lower_hz), Some(upper_hz)) => {
            let bank = MelBank { mel_bins, dft_length, sample_rate, lower_hz, upper_hz };
            let values: Vec<f32> = bank.weights()?.iter().map(|&v| v as f32).collect();
            imp.constant_tensor(&ConstValue::f32(vec![dft_length / 2 + 1, mel_bins], &values))?
        }
        _ => {
            let (lower, upper) = (imp.tensor(lower)?, imp.tensor(upper)?);
            run_time_matrix(imp, mel_bins, dft_length, sample_rate, lower, upper)?
        }
    };
    out(cast(imp, y, dtype)?)
}

/// 0, 1, ..., len - 1 (FLOAT) as a [len] tensor.
fn ramp(imp: &mut Importer, len: Dim) -> Result<TensorId> {
    let shape = to_tensor(imp, len)?;
    let start = scalar(imp, DataType::Float, 0.0, 1)?;
    let step = scalar(imp, DataType::Float, 1.0, 1)?;
    layer(imp, Fill::of(vec![], fill::LINSPACE), &[shape, start, step])
}

/// The same matrix from layers, in f32.
fn run_time_matrix(
    imp: &mut Importer,
    mel_bins: Dim,
    dft_length: Dim,
    sample_rate: Dim,
    lower: TensorId,
    upper: TensorId,
) -> Result<TensorId> {
    let ew = |imp: &mut Importer, op: i32, a: TensorId, b: TensorId| layer(imp, ElementWise::of(op), &[a, b]);
    let f = |imp: &mut Importer, v: f64| scalar(imp, DataType::Float, v, 1);
    let as_float = |imp: &mut Importer, d: Dim| -> Result<TensorId> {
        let t = to_tensor(imp, d)?;
        cast(imp, t, DataType::Float)
    };
    let to_mel = |imp: &mut Importer, hz: TensorId| -> Result<TensorId> {
        let hz = cast(imp, hz, DataType::Float)?;
        let hz = reshape_tensor(imp, hz, vec![1])?;
        let k = f(imp, 700.0)?;
        let ratio = ew(imp, DIV, hz, k)?;
        let one = f(imp, 1.0)?;
        let ratio = ew(imp, SUM, ratio, one)?;
        let ln = layer(imp, Unary::of(unary::LOG), &[ratio])?;
        let k = f(imp, 2595.0 / std::f64::consts::LN_10)?;
        ew(imp, PROD, ln, k)
    };
    // Band edges: e[i] = floor((dft_length + 1) hz(low + i step) / sample_rate).
    let (low, high) = (to_mel(imp, lower)?, to_mel(imp, upper)?);
    let edge_count = arith(imp, SUM, mel_bins, Dim::Num(2))?;
    let span = ew(imp, SUB, high, low)?;
    let count_f = as_float(imp, edge_count)?;
    let step = ew(imp, DIV, span, count_f)?;
    let i = ramp(imp, edge_count)?;
    let m = ew(imp, PROD, i, step)?;
    let m = ew(imp, SUM, m, low)?;
    let k = f(imp, 2595.0)?;
    let m = ew(imp, DIV, m, k)?;
    let ten = f(imp, 10.0)?;
    let p = ew(imp, POW, ten, m)?;
    let one = f(imp, 1.0)?;
    let p = ew(imp, SUB, p, one)?;
    let k = f(imp, 700.0)?;
    let hz = ew(imp, PROD, p, k)?;
    let n1 = arith(imp, SUM, dft_length, Dim::Num(1))?;
    let n1 = as_float(imp, n1)?;
    let scaled = ew(imp, PROD, hz, n1)?;
    let rate = as_float(imp, sample_rate)?;
    let bins = ew(imp, DIV, scaled, rate)?;
    let edges = layer(imp, Unary::of(unary::FLOOR), &[bins])?;
    let edges = unsqueeze(imp, edges, &[0])?; // [1, M + 2]
    let band = |imp: &mut Importer, from: i64| -> Result<TensorId> {
        let spec = SliceSpec { start: vec![Dim::Num(0), Dim::Num(from)], size: vec![None, Some(mel_bins)], stride: vec![Dim::Num(1); 2] };
        add_slice(imp, edges, spec)
    };
    let (l, c, h) = (band(imp, 0)?, band(imp, 1)?, band(imp, 2)?);
    let rows = arith(imp, FLOOR_DIV, dft_length, Dim::Num(2))?;
    let rows = arith(imp, SUM, rows, Dim::Num(1))?;
    let j = ramp(imp, rows)?;
    let j = unsqueeze(imp, j, &[1])?; // [rows, 1]
    let not_less = |imp: &mut Importer, a: TensorId, b: TensorId| -> Result<TensorId> {
        let less = ew(imp, LESS, a, b)?;
        layer(imp, Unary::of(unary::NOT), &[less])
    };
    // Rising side: l <= j <= c, (j - l) / (c - l), 1 where l = c (then j = c).
    let after_l = not_less(imp, j, l)?;
    let before_c = not_less(imp, c, j)?;
    let rising = ew(imp, AND, after_l, before_c)?;
    let jl = ew(imp, SUB, j, l)?;
    let cl = ew(imp, SUB, c, l)?;
    let up = ew(imp, DIV, jl, cl)?;
    let flat = ew(imp, EQUAL, c, l)?;
    let one = scalar(imp, DataType::Float, 1.0, 2)?;
    let up = layer(imp, Select::new(), &[flat, one, up])?;
    // Falling side: c <= j < h, (h - j) / (h - c).
    let after_c = not_less(imp, j, c)?;
    let before_h = ew(imp, LESS, j, h)?;
    let falling = ew(imp, AND, after_c, before_h)?;
    let hj = ew(imp, SUB, h, j)?;
    let hc = ew(imp, SUB, h, c)?;
    let down = ew(imp, DIV, hj, hc)?;
    let zero = scalar(imp, DataType::Float, 0.0, 2)?;
    let y = layer(imp, Select::new(), &[rising, up, zero])?;
    layer(imp, Select::new(), &[falling, down, y])
}

#[cfg(test)]
mod tests {
    use super::MelBank;

    #[test]
    fn triangles_peak_at_their_centres() {
        let bank = MelBank { mel_bins: 8, dft_length: 16, sample_rate: 8192, lower_hz: 0.0, upper_hz: 4096.0 };
        let w = bank.weights().unwrap();
        assert_eq!(w.len(), 9 * 8);
        // Every filter has one peak of 1 (at its centre bin).
        for i in 0..8 {
            let peak = (0..9).map(|j| w[j * 8 + i]).fold(0.0, f64::max);
            assert_eq!(peak, 1.0, "filter {i}");
        }
    }
}
