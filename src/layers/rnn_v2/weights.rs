//! The weights of an RNNv2 layer: where each gate's matrices and bias vectors are stored in
//! the layer's parameters, which ones its configuration needs and of what size, and the
//! checked f32 form both backends compute with.
//!
//! Layer indices are TensorRT's: for kUNIDIRECTION, index l is stacked layer l; for
//! kBIDIRECTION, index 2l is layer l's forward direction and 2l + 1 its backward direction
//! (a "sub-layer" below). A W matrix is [H, in] row-major, where `in` is the data length E
//! for the first layer's sub-layers and K * H above them (K = 1 or 2 directions: a layer
//! reads the concatenated outputs of both directions of the layer below); kSKIP leaves the
//! first layer's W out (the identity). R matrices are [H, H]; every bias vector has H values.

use super::Operation;
use crate::error::{Error, Result};
use crate::layers::generated::RNNv2;
use crate::weights::Weights;

/// nvinfer1::RNNGateType.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    Input = 0,
    Output = 1,
    Forget = 2,
    Update = 3,
    Reset = 4,
    Cell = 5,
    Hidden = 6,
}

/// How many RNNGateType values there are (slots are reserved for each).
pub const GATE_TYPES: usize = 7;

impl Gate {
    pub fn name(self) -> &'static str {
        match self {
            Gate::Input => "kINPUT",
            Gate::Output => "kOUTPUT",
            Gate::Forget => "kFORGET",
            Gate::Update => "kUPDATE",
            Gate::Reset => "kRESET",
            Gate::Cell => "kCELL",
            Gate::Hidden => "kHIDDEN",
        }
    }
}

/// Where the weights (or bias) of `gate` in sub-layer `layer_index`, input (`is_w`) or
/// recurrent, are stored in `gate_weights` (or `gate_biases`). The C++ bridge
/// (RNNv2Custom::slot in src/bridge/layers_custom.cpp) computes the same index.
pub fn slot(layer_index: usize, gate: Gate, is_w: bool) -> usize {
    (layer_index * GATE_TYPES + gate as usize) * 2 + usize::from(!is_w)
}

/// The sizes an RNNv2 configuration works with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub operation: Operation,
    /// Stacked layers (getLayerCount).
    pub layers: usize,
    /// 1 (kUNIDIRECTION) or 2 (kBIDIRECTION).
    pub dirs: usize,
    pub hidden: usize,
    /// E, the input's last dimension.
    pub data: usize,
    /// kSKIP: the first layer adds its input as it is instead of multiplying it by W.
    pub skip: bool,
}

impl Geometry {
    /// Sub-layers: one per stacked layer and direction (the L of the state tensors).
    pub fn sublayers(&self) -> usize {
        self.layers * self.dirs
    }

    /// The length of the vectors sub-layer `p` reads at each step.
    pub fn in_size(&self, p: usize) -> usize {
        if p < self.dirs {
            self.data
        } else {
            self.dirs * self.hidden
        }
    }

    /// Whether sub-layer `p` adds its input without a W matrix (kSKIP, first layer).
    pub fn skips_w(&self, p: usize) -> bool {
        self.skip && p < self.dirs
    }
}

/// One gate of one sub-layer, in f32.
#[derive(Clone, Debug, PartialEq)]
pub struct GateParams {
    /// W, [H, in] row-major; None under kSKIP (the identity).
    pub w: Option<Vec<f32>>,
    /// R, [H, H] row-major.
    pub r: Vec<f32>,
    pub wb: Vec<f32>,
    pub rb: Vec<f32>,
}

/// Every gate of one sub-layer, in the order of `Operation::gates`.
#[derive(Clone, Debug, PartialEq)]
pub struct SubLayer {
    pub in_size: usize,
    pub gates: Vec<GateParams>,
}

/// Whether no weight or bias is set at all (as just after addRNNv2).
pub fn nothing_set(spec: &RNNv2) -> bool {
    spec.gate_weights.iter().chain(&spec.gate_biases).all(|w| w.is_empty())
}

/// How many weight matrices and bias vectors the layer's configuration needs: per layer
/// index and gate W, R and two biases, without the first layer's W under kSKIP.
pub fn arrays_needed(spec: &RNNv2) -> Result<usize> {
    let gates = spec.op()?.gates().len();
    let dirs = if spec.direction == super::BIDIRECTION { 2 } else { 1 };
    let indices = spec.layer_count.max(0) as usize * dirs;
    let skipped = if spec.input_mode == super::SKIP { dirs.min(indices) * gates } else { 0 };
    Ok(indices * gates * 4 - skipped)
}

/// One array the configuration needs: where it is and how many values it holds.
struct Needed {
    what: String,
    stored: Option<Weights>,
    count: usize,
    shape: String,
}

fn needed(spec: &RNNv2, geo: &Geometry) -> Vec<Needed> {
    let mut out = vec![];
    let h = geo.hidden;
    let item = |list: &[Weights], i: usize| list.get(i).filter(|w| !w.is_empty()).cloned();
    for p in 0..geo.sublayers() {
        for &gate in geo.operation.gates() {
            let name = |what: &str| format!("the {what} of gate {} in layer index {p}", gate.name());
            if !geo.skips_w(p) {
                let input = geo.in_size(p);
                let stored = item(&spec.gate_weights, slot(p, gate, true));
                out.push(Needed { what: name("W weights"), stored, count: h * input, shape: format!("[{h}, {input}]") });
            }
            let stored = item(&spec.gate_weights, slot(p, gate, false));
            out.push(Needed { what: name("R weights"), stored, count: h * h, shape: format!("[{h}, {h}]") });
            for (is_w, what) in [(true, "W bias"), (false, "R bias")] {
                let stored = item(&spec.gate_biases, slot(p, gate, is_w));
                out.push(Needed { what: name(what), stored, count: h, shape: format!("[{h}]") });
            }
        }
    }
    out
}

/// Checks the weights and biases `geo` needs: all there, of a float type and the right
/// size. None set at all passes here (the application sets them after addRNNv2): see
/// `nothing_set`.
pub fn check(spec: &RNNv2, geo: &Geometry) -> Result<()> {
    if nothing_set(spec) {
        return Ok(());
    }
    for n in &needed(spec, geo) {
        let Some(w) = &n.stored else {
            return Err(Error::invalid_argument(format!(
                "IRNNv2Layer: {} is not set (setWeightsForGate / setBiasForGate); it needs {} values {}",
                n.what, n.count, n.shape
            )));
        };
        let dtype = w.data_type()?;
        if !dtype.is_float() {
            return Err(Error::invalid_argument(format!("IRNNv2Layer: {}: the values are {dtype}, not kFLOAT or kHALF", n.what)));
        }
        let given = w.count()?;
        if given != n.count {
            return Err(Error::invalid_argument(format!(
                "IRNNv2Layer: {}: {given} values given, {} needed {}",
                n.what, n.count, n.shape
            )));
        }
    }
    Ok(())
}

/// The data length E the weights were given for, for a backend that prepares them before
/// it sees the input's shape: H under kSKIP, otherwise the first W matrix's H * E values
/// divided by H (`collect` then checks every size against it).
pub fn data_length(spec: &RNNv2) -> Result<i64> {
    if spec.input_mode == super::SKIP {
        return Ok(spec.hidden_size as i64);
    }
    let first = spec.op()?.gates()[0];
    let w = spec.gate_weights.get(slot(0, first, true)).filter(|w| !w.is_empty());
    let w = w.ok_or_else(|| Error::invalid_argument("IRNNv2Layer: the W weights of layer index 0 are not set"))?;
    Ok((w.count()? / spec.hidden_size.max(1) as usize) as i64)
}

/// The checked weights of every sub-layer, in f32.
pub fn collect(spec: &RNNv2, geo: &Geometry) -> Result<Vec<SubLayer>> {
    if nothing_set(spec) {
        return Err(Error::invalid_argument("IRNNv2Layer: no weights or biases are set (setWeightsForGate, setBiasForGate)"));
    }
    check(spec, geo)?;
    let values = |list: &[Weights], i: usize| -> Result<Vec<f32>> {
        list.get(i).ok_or_else(|| Error::internal("a checked RNNv2 weight is missing"))?.to_f32()
    };
    let mut out = Vec::with_capacity(geo.sublayers());
    for p in 0..geo.sublayers() {
        let mut gates = Vec::with_capacity(geo.operation.gates().len());
        for &gate in geo.operation.gates() {
            let w = if geo.skips_w(p) { None } else { Some(values(&spec.gate_weights, slot(p, gate, true))?) };
            gates.push(GateParams {
                w,
                r: values(&spec.gate_weights, slot(p, gate, false))?,
                wb: values(&spec.gate_biases, slot(p, gate, true))?,
                rb: values(&spec.gate_biases, slot(p, gate, false))?,
            });
        }
        out.push(SubLayer { in_size: geo.in_size(p), gates });
    }
    Ok(out)
}

/// Every sub-layer's weights in one f32 array for a device, and where each sub-layer's
/// block starts. A block holds, gate by gate in `Operation::gates` order: every W (none
/// under kSKIP), then every R, then every W bias, then every R bias.
pub fn pack(sublayers: &[SubLayer]) -> (Vec<f32>, Vec<usize>) {
    let mut values = vec![];
    let mut offsets = Vec::with_capacity(sublayers.len());
    for s in sublayers {
        offsets.push(values.len());
        for g in &s.gates {
            values.extend(g.w.iter().flatten());
        }
        for g in &s.gates {
            values.extend(&g.r);
        }
        for g in &s.gates {
            values.extend(&g.wb);
        }
        for g in &s.gates {
            values.extend(&g.rb);
        }
    }
    (values, offsets)
}
