//! Precision and implementation choice. For each running layer the builder lists the
//! candidates: every precision the layer may run in (kFLOAT, and kHALF with BuilderFlag::kFP16
//! for float-flexible layers; ILayer::setPrecision narrows or orders them per the precision
//! constraint flags) times every implementation of the target that supports the resulting
//! types. A chooser picks one (the CPU takes the first; the GPU times them). Casts are then
//! inserted where a layer's chosen type differs from its input's, and after a layer whose
//! output type is fixed (ILayer::setOutputType, or the network output's declared type).

use super::config::{BuilderConfig, FLAG_FP16, FLAG_OBEY_PRECISION_CONSTRAINTS, FLAG_PREFER_PRECISION_CONSTRAINTS, FLAG_STRICT_TYPES};
use super::lower::Lowered;
use crate::backend::cuda::layers::{self as cuda_layers, Shapes};
use crate::backend::{cpu, LayerTypes, Target};
use crate::engine::analysis::Tracker;
use crate::engine::{EngineDesc, EngineLayer, EngineTensor};
use crate::error::{Error, Result};
use crate::layers::generated::{Cast, Constant};
use crate::log::Reporter;
use crate::shape::{Evaluation, Symbol};
use crate::types::{DataType, TensorIOMode};
use std::collections::HashMap;

/// One way to run a layer.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The type its float inputs and outputs get (for float-flexible layers).
    pub precision: Option<DataType>,
    pub types: LayerTypes,
    pub tactic: &'static str,
}

/// Picks among candidates: the CPU takes the first, the GPU times them.
pub trait Chooser {
    /// Whether `choose` needs the layer's shapes (at the first profile's kOPT).
    fn needs_shapes(&self) -> bool;
    fn choose(&mut self, layer: &EngineLayer, candidates: &[Candidate], shapes: Option<&Shapes>) -> Result<usize>;
}

pub struct FirstChoice;

impl Chooser for FirstChoice {
    fn needs_shapes(&self) -> bool {
        false
    }
    fn choose(&mut self, _: &EngineLayer, _: &[Candidate], _: Option<&Shapes>) -> Result<usize> {
        Ok(0)
    }
}

/// The engine being assembled: layers in order, tensors, and their inferred shapes.
struct Assembly {
    out: EngineDesc,
    tr: Tracker,
    /// Evaluation at the first profile's kOPT, extended as the graph grows.
    opt: Evaluation,
    casts: HashMap<(usize, DataType), usize>,
}

impl Assembly {
    fn dtype(&self, t: usize) -> DataType {
        self.out.tensors[t].dtype
    }

    fn opt_dims(&mut self, t: usize) -> Result<Vec<i64>> {
        let profile = &self.out.profiles[0];
        self.tr.g.extend_at_bounds(&mut self.opt, |s| match s {
            Symbol::InputDim { input, axis } => profile.inputs.get(input as usize)?.opt.get(axis as usize).copied(),
            Symbol::InputValue { input, index } => {
                profile.inputs.get(input as usize)?.values.as_ref()?[1].get(index as usize).map(|&v| v as i64)
            }
            Symbol::DataDependent { .. } => None,
        })?;
        self.opt.all(&self.tr.dims[t]).ok_or_else(|| Error::internal("a shape at kOPT is unknown"))
    }

    /// Adds a tensor (for a cast) and returns its index.
    fn add_tensor(&mut self, name: String, dtype: DataType, like: usize) -> usize {
        let dims = self.out.tensors[like].dims.clone();
        self.out.tensors.push(EngineTensor { name, dtype, dims, io_mode: TensorIOMode::None, shape_tensor: false });
        self.out.tensors.len() - 1
    }

    /// Appends a layer, inferring and recording its outputs.
    fn push(&mut self, l: EngineLayer) -> Result<()> {
        let li = self.out.layers.len();
        let tensors = &self.out.tensors;
        let outs =
            self.tr.infer(l.op.as_ref(), li, &l.inputs, |t| tensors[t].dtype).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
        for (o, &t) in outs.into_iter().zip(&l.outputs) {
            self.out.tensors[t].dtype = o.dtype;
            self.tr.record(t, o.dims, o.values);
        }
        self.out.layers.push(l);
        Ok(())
    }

    /// A tensor with `src`'s values in type `to`: a converted copy of a constant, or a cast
    /// layer (shared by every consumer needing the same conversion).
    fn converted(&mut self, src: usize, to: DataType, chooser: &mut dyn Chooser) -> Result<usize> {
        if let Some(&t) = self.casts.get(&(src, to)) {
            return Ok(t);
        }
        let name = format!("{} [{}]", self.out.tensors[src].name, to.name());
        let t = self.add_tensor(name.clone(), to, src);
        let producer = self.out.layers.iter().find(|l| l.outputs.contains(&src));
        let constant = producer.and_then(|p| p.op.constant()).map(|(d, w)| (d.to_vec(), w.clone()));
        let layer = match constant {
            Some((dims, w)) if self.out.tensors[src].io_mode == TensorIOMode::None => EngineLayer {
                name,
                op: Box::new(Constant::of(dims, w.convert(to)?)),
                inputs: vec![],
                outputs: vec![t],
                tactic: String::new(),
            },
            _ => {
                let mut l =
                    EngineLayer { name, op: Box::new(Cast::to(to)), inputs: vec![Some(src)], outputs: vec![t], tactic: String::new() };
                let types = LayerTypes { inputs: vec![Some(self.dtype(src))], outputs: vec![to] };
                let cands = self.candidates(&l, &[(None, types)])?;
                let shapes = self.shapes_for(&l, chooser)?;
                l.tactic = cands[chooser.choose(&l, &cands, shapes.as_ref())?].tactic.to_string();
                l
            }
        };
        self.push(layer)?;
        self.casts.insert((src, to), t);
        Ok(t)
    }

    /// Candidates for `l` under each (precision, types) option.
    fn candidates(&self, l: &EngineLayer, options: &[(Option<DataType>, LayerTypes)]) -> Result<Vec<Candidate>> {
        let mut out = vec![];
        for (precision, types) in options {
            match self.out.target {
                Target::Cpu => out.push(Candidate { precision: *precision, types: types.clone(), tactic: cpu::TACTIC }),
                Target::Cuda(..) => {
                    for imp in cuda_layers::candidates(l.op.as_ref(), types) {
                        out.push(Candidate { precision: *precision, types: types.clone(), tactic: imp.name() });
                    }
                }
            }
        }
        Ok(out)
    }

    /// The layer's shapes at kOPT, if the chooser wants them.
    fn shapes_for(&mut self, l: &EngineLayer, chooser: &dyn Chooser) -> Result<Option<Shapes>> {
        if !chooser.needs_shapes() {
            return Ok(None);
        }
        // Outputs are inferred into scratch slots past the last tensor.
        let li = self.out.layers.len();
        let tensors = &self.out.tensors;
        let outs = self.tr.infer(l.op.as_ref(), li, &l.inputs, |t| tensors[t].dtype)?;
        let mut shapes = Shapes::default();
        for i in &l.inputs {
            shapes.inputs.push(match i {
                Some(i) => Some(self.opt_dims(*i)?),
                None => None,
            });
            shapes.values.push(match i {
                Some(i) => self.tr.values[*i].clone().and_then(|v| self.opt.all(&v)),
                None => None,
            });
        }
        let scratch = self.tr.dims.len();
        for (k, o) in outs.into_iter().enumerate() {
            self.tr.record(scratch + k, o.dims, None);
            shapes.outputs.push(self.opt_dims(scratch + k)?);
        }
        self.tr.dims.truncate(scratch);
        self.tr.values.truncate(scratch);
        Ok(Some(shapes))
    }
}

pub fn assign(lowered: Lowered, config: &BuilderConfig, reporter: &Reporter, chooser: &mut dyn Chooser) -> Result<EngineDesc> {
    let Lowered { desc: src, precision, output_types } = lowered;
    let obey = config.flag(FLAG_OBEY_PRECISION_CONSTRAINTS) || config.flag(FLAG_STRICT_TYPES);
    let prefer = config.flag(FLAG_PREFER_PRECISION_CONSTRAINTS);
    let mut allowed = vec![DataType::Float];
    if config.flag(FLAG_FP16) {
        allowed.push(DataType::Half);
    }
    // What a loop or conditional boundary reads keeps its declared type (a recurrence's next
    // value has its initial value's type, branch outputs each other's): a layer choosing
    // kHALF gets a cast back after it.
    let mut boundary_read = vec![false; src.tensors.len()];
    for l in src.layers.iter().filter(|l| l.op.control().is_some()) {
        for &t in l.inputs.iter().flatten() {
            boundary_read[t] = true;
        }
    }
    let tr = Tracker::new(&src)?;
    let declared: Vec<DataType> = src.tensors.iter().map(|t| t.dtype).collect();
    let mut asm = Assembly {
        out: EngineDesc { layers: Vec::with_capacity(src.layers.len()), ..src.clone() },
        tr,
        opt: Evaluation::default(),
        casts: HashMap::new(),
    };
    for (li, mut l) in src.layers.into_iter().enumerate() {
        // Constants are bound; layers whose outputs are all shape values run on the host.
        let tensors = &asm.out.tensors;
        let trial = asm
            .tr
            .infer(l.op.as_ref(), asm.out.layers.len(), &l.inputs, |t| tensors[t].dtype)
            .map_err(|e| e.context(format!("layer '{}'", l.name)))?;
        // As `step_of` decides: kBOOL shape values are computed by running the layer.
        let host_valued = trial.iter().all(|o| {
            crate::engine::analysis::host_computable(o.dtype)
                && o.values.as_ref().is_some_and(|v| !v.iter().any(|&e| asm.tr.depends_on_count(e)))
        });
        // Loop and conditional boundaries run as part of their construct, never on their own.
        if l.op.constant().is_some() || host_valued || l.op.control().is_some() {
            asm.push(l)?;
            continue;
        }
        let flexible = l.op.float_flexible() && l.inputs.iter().flatten().any(|&t| asm.dtype(t).is_float());
        let mut options: Vec<Option<DataType>> = if flexible { allowed.iter().map(|&p| Some(p)).collect() } else { vec![None] };
        let requested = precision[li].filter(|p| p.is_float() && flexible);
        if let Some(p) = requested {
            options.retain(|&o| o != Some(p));
            options.insert(0, Some(p));
            if obey {
                options.truncate(1);
            }
        }
        let mut typed = vec![];
        for &p in &options {
            // Float inputs take the option's precision; the rest keep their types.
            let tensors = &asm.out.tensors;
            let as_type = |t: usize| match p {
                Some(p) if tensors[t].dtype.is_float() => p,
                _ => tensors[t].dtype,
            };
            let inputs: Vec<Option<DataType>> = l.inputs.iter().map(|i| i.map(as_type)).collect();
            let Ok(outs) = asm.tr.infer(l.op.as_ref(), asm.out.layers.len(), &l.inputs, as_type) else { continue };
            typed.push((p, LayerTypes { inputs, outputs: outs.iter().map(|o| o.dtype).collect() }));
        }
        let mut cands = asm.candidates(&l, &typed)?;
        if let (Some(p), true) = (requested, cands.iter().all(|c| c.precision != requested)) {
            if obey {
                return Err(Error::unsupported(format!(
                    "layer '{}' must run in {p} (kOBEY_PRECISION_CONSTRAINTS), but no implementation for {} supports it",
                    l.name,
                    asm.out.target.name()
                )));
            }
            if prefer || !cands.is_empty() {
                reporter.warning(&format!("layer '{}': no {p} implementation; another precision is used", l.name));
            }
        }
        if cands.is_empty() {
            let types: Vec<String> = l.inputs.iter().flatten().map(|&t| asm.dtype(t).name().to_string()).collect();
            return Err(Error::unsupported(format!(
                "layer '{}' ({}) has no implementation on {} for inputs of types [{}]",
                l.name,
                l.op.kind().name(),
                asm.out.target.name(),
                types.join(", ")
            )));
        }
        // Time (or take) a candidate with its inputs in its own types.
        let shapes = asm.shapes_for(&l, chooser)?;
        let pick = cands.swap_remove(chooser.choose(&l, &cands, shapes.as_ref())?);
        for slot in 0..l.inputs.len() {
            let (Some(t), Some(want)) = (l.inputs[slot], pick.types.inputs[slot]) else { continue };
            if asm.dtype(t) != want {
                l.inputs[slot] = Some(asm.converted(t, want, chooser)?);
            }
        }
        l.tactic = pick.tactic.to_string();
        if let Some(p) = pick.precision {
            reporter.verbose(&format!("layer '{}' runs in {p} with implementation '{}'", l.name, l.tactic));
        }
        // Outputs whose type is fixed get a cast after the layer when they differ.
        let fixed: Vec<Option<DataType>> = l
            .outputs
            .iter()
            .enumerate()
            .map(|(i, &o)| {
                let kept = asm.out.tensors[o].io_mode == TensorIOMode::Output || boundary_read[o];
                output_types[li].get(i).copied().flatten().or(kept.then_some(declared[o]))
            })
            .collect();
        let produced = pick.types.outputs.clone();
        let mut reroute = vec![];
        for (i, want) in fixed.iter().enumerate() {
            if let Some(w) = *want {
                if produced[i] != w {
                    let o = l.outputs[i];
                    let inner = asm.add_tensor(format!("{} [{}]", asm.out.tensors[o].name, produced[i].name()), produced[i], o);
                    l.outputs[i] = inner;
                    reroute.push((inner, o, w));
                }
            }
        }
        asm.push(l)?;
        for (inner, o, w) in reroute {
            let name = format!("{} [to {}]", asm.out.tensors[o].name, w.name());
            let mut cast =
                EngineLayer { name, op: Box::new(Cast::to(w)), inputs: vec![Some(inner)], outputs: vec![o], tactic: String::new() };
            let types = LayerTypes { inputs: vec![Some(asm.dtype(inner))], outputs: vec![w] };
            let cands = asm.candidates(&cast, &[(None, types)])?;
            let first = cands.first().ok_or_else(|| Error::unsupported(format!("no cast to {w} on {}", asm.out.target.name())))?;
            cast.tactic = first.tactic.to_string();
            asm.push(cast)?;
        }
    }
    let Assembly { mut out, tr, .. } = asm;
    let n_inputs = out.nb_inputs();
    for (t, tensor) in out.tensors.iter_mut().enumerate() {
        let is_input = out.io[..n_inputs].contains(&t);
        if !is_input {
            tensor.dims = tr.g.known(&tr.dims[t]);
        }
    }
    Ok(out)
}
