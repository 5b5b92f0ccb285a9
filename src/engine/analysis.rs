//! What the runtime derives from an engine description: the shape program (every tensor's
//! dims and shape values as expressions of the inputs), which layers run, which are bound
//! constants and which are computed on the host from shapes, where each tensor is stored,
//! the largest size each may reach under the profiles, and the memory plan. The builder and
//! the plan loader run the same analysis; a plan whose records disagree with what its
//! layers imply is refused here.

use super::memory::{self, Block};
use super::{EngineDesc, Profile};
use crate::control::program::{self, Item};
use crate::control::{checks, facts, placement, Boundary, BoundaryKind, Construct, FlowGraph, FlowLayer, REVERSE};
use crate::error::{Error, Result};
use crate::layers::{InferCx, InferIn, MAX_SHAPE_VALUES};
use crate::shape::{ExprId, Interval, Node, ShapeGraph, Symbol};
use crate::types::{dims_str, DataType, TensorIOMode, MAX_DIMS};
use std::collections::HashMap;

/// Where a tensor's data lives during a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// The application's memory for I/O tensor `index`.
    Io(usize),
    /// The engine's copy of constant layer `layer`'s values.
    Constant(usize),
    /// The context's arena, at this offset.
    Arena(u64),
    /// Nowhere: a shape value only the host uses.
    None,
}

/// What happens to a layer at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// An implementation runs it.
    Run,
    /// A constant: its values are bound, it never runs.
    Constant,
    /// Its outputs are shape values computed on the host; they are written where a running
    /// layer or the application reads them.
    Host,
    /// A loop or conditional boundary: the control-flow executor (`crate::control::exec`)
    /// moves its data.
    Control,
}

#[derive(Clone, Debug)]
pub struct TensorInfo {
    pub dims: Vec<ExprId>,
    pub values: Option<Vec<ExprId>>,
    pub storage: Storage,
    /// Written from its shape values before the layers run (on the host, or by a fill
    /// kernel) because something reads its data.
    pub materialize: bool,
    /// The most bytes it can need under any profile.
    pub max_bytes: u64,
    /// An output whose size is only known after a layer ran: computed in the arena, then
    /// copied to memory the application provides (IOutputAllocator).
    pub deferred: bool,
}

#[derive(Clone, Debug)]
pub struct Analysis {
    pub graph: ShapeGraph,
    pub tensors: Vec<TensorInfo>,
    pub steps: Vec<Step>,
    pub arena_bytes: u64,
    /// Some layer's output size is only known after it ran (NonZero).
    pub data_dependent: bool,
    /// I/O index by tensor name.
    pub io_index: HashMap<String, usize>,
    /// What an executor walks: the layers in order, loops and conditionals as blocks.
    pub program: Vec<Item>,
    /// Staging memory of loop outputs written before their final place is known.
    pub staging: Vec<Staging>,
}

/// The staging memory of a concatenating loop output whose length is only known after the
/// loop (or a kREVERSE output of a loop whose count is not known before it): iteration j
/// goes to slot j here, and all of them to their place once the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Staging {
    pub exit: usize,
    pub offset: u64,
    pub bytes: u64,
    /// The output's length is the number of iterations: reported as a data-dependent count.
    pub counts: bool,
}

fn bad(msg: impl Into<String>) -> Error {
    Error::invalid_argument(msg)
}

/// Checks what does not need inference: indices, I/O modes, execution order, profiles.
fn check_structure(d: &EngineDesc) -> Result<()> {
    let n = d.tensors.len();
    for t in &d.tensors {
        if t.dims.len() > MAX_DIMS || t.dims.iter().any(|&x| x < -1) {
            return Err(bad(format!("tensor '{}' has invalid dims {}", t.name, dims_str(&t.dims))));
        }
        DataType::parse(t.dtype as i32, &format!("tensor '{}'", t.name))?;
    }
    let nb_in = d.nb_inputs();
    let mut is_io = vec![false; n];
    for (k, &t) in d.io.iter().enumerate() {
        let tensor = d.tensors.get(t).ok_or_else(|| bad(format!("I/O tensor index {t} is out of range")))?;
        let want = if k < nb_in { TensorIOMode::Input } else { TensorIOMode::Output };
        if tensor.io_mode != want || std::mem::replace(&mut is_io[t], true) {
            return Err(bad(format!("I/O tensor '{}' is listed inconsistently", tensor.name)));
        }
    }
    for (t, tensor) in d.tensors.iter().enumerate() {
        if tensor.io_mode != TensorIOMode::None && !is_io[t] {
            return Err(bad(format!("tensor '{}' is marked as I/O but is not in the I/O list", tensor.name)));
        }
        if tensor.shape_tensor && tensor.io_mode == TensorIOMode::None {
            return Err(bad(format!("tensor '{}' is marked as a shape tensor but is not I/O", tensor.name)));
        }
    }
    let mut names = std::collections::HashSet::new();
    for &t in &d.io {
        if d.tensors[t].name.is_empty() || !names.insert(d.tensors[t].name.as_str()) {
            return Err(bad(format!("I/O tensor name '{}' is empty or used twice", d.tensors[t].name)));
        }
    }
    let mut written: Vec<bool> = d.tensors.iter().map(|t| t.io_mode == TensorIOMode::Input).collect();
    for l in &d.layers {
        let kind = l.op.kind();
        let (lo, hi) = kind.inputs();
        let present = l.inputs.iter().flatten().count();
        if present < lo || l.inputs.len() > hi || l.outputs.len() != kind.outputs() {
            return Err(bad(format!("layer '{}' has the wrong number of inputs or outputs for a {} layer", l.name, kind.name())));
        }
        for (slot, &i) in l.inputs.iter().enumerate() {
            let Some(i) = i else { continue };
            // A recurrence's next value is written later in its loop (checked below).
            let later = crate::control::is_back_edge(l.op.as_ref(), slot);
            if i >= n || !(written[i] || later) {
                return Err(bad(format!("layer '{}' reads tensor {i} before any layer writes it", l.name)));
            }
        }
        for &o in &l.outputs {
            if o >= n || std::mem::replace(&mut written[o], true) {
                return Err(bad(format!("layer '{}' writes tensor {o}, which is out of range, an input, or already written", l.name)));
            }
        }
    }
    if let Some(t) = d.io[nb_in..].iter().find(|&&t| !written[t]) {
        return Err(bad(format!("output tensor '{}' is never written", d.tensors[*t].name)));
    }
    for l in &d.layers {
        if let Some(Some(t)) = l.inputs.get(1).filter(|_| crate::control::is_back_edge(l.op.as_ref(), 1)) {
            if !written[*t] {
                return Err(bad(format!("recurrence '{}' reads a next value no layer writes", l.name)));
            }
        }
    }
    if d.profiles.is_empty() {
        return Err(bad("the engine has no optimization profile"));
    }
    if d.implicit_batch {
        check_implicit_batch(d)?;
    }
    for (p, prof) in d.profiles.iter().enumerate() {
        if prof.inputs.len() != nb_in {
            return Err(bad(format!("profile {p} has {} input ranges for {nb_in} inputs", prof.inputs.len())));
        }
        for (k, r) in prof.inputs.iter().enumerate() {
            let t = &d.tensors[d.io[k]];
            let ok_rank = [&r.min, &r.opt, &r.max].iter().all(|v| v.len() == t.dims.len());
            let ok = ok_rank
                && (0..t.dims.len()).all(|i| {
                    let (a, b, c, fixed) = (r.min[i], r.opt[i], r.max[i], t.dims[i]);
                    0 <= a && a <= b && b <= c && (fixed < 0 || (a == fixed && c == fixed))
                });
            if !ok {
                return Err(bad(format!("profile {p}: the range of input '{}' does not fit its dims {}", t.name, dims_str(&t.dims))));
            }
            match (&r.values, t.shape_tensor) {
                (None, false) => {}
                (Some([a, b, c]), true) if a.len() == b.len() && b.len() == c.len() => {
                    if a.iter().zip(b).zip(c).any(|((x, y), z)| x > y || y > z) {
                        return Err(bad(format!("profile {p}: the value range of shape input '{}' is not min <= opt <= max", t.name)));
                    }
                }
                _ => return Err(bad(format!("profile {p}: shape input '{}' has no (or a malformed) value range", t.name))),
            }
        }
    }
    Ok(())
}

/// An implicit-batch engine: one profile, every I/O tensor with a leading batch dimension,
/// inputs' batch from 1 up, no shape tensors.
fn check_implicit_batch(d: &EngineDesc) -> Result<()> {
    if d.profiles.len() != 1 {
        return Err(bad("an implicit-batch engine has exactly one profile"));
    }
    for (k, &t) in d.io.iter().enumerate() {
        let tensor = &d.tensors[t];
        let batch_input = tensor.dims.first() == Some(&-1) && d.profiles[0].inputs.get(k).is_none_or(|r| r.min.first() == Some(&1));
        if tensor.dims.is_empty() || tensor.shape_tensor || (tensor.io_mode == TensorIOMode::Input && !batch_input) {
            return Err(bad(format!("I/O tensor '{}' does not have the batch dimension of an implicit-batch engine", tensor.name)));
        }
    }
    Ok(())
}

/// Whether `id` depends on a data-dependent count (memoized in `memo`).
fn data_dependent(g: &ShapeGraph, id: ExprId, memo: &mut Vec<Option<bool>>) -> bool {
    memo.resize(g.len(), None);
    if let Some(v) = memo[id as usize] {
        return v;
    }
    let v = match g.node(id) {
        Node::Const(_) => false,
        Node::Sym(s) => matches!(s, Symbol::DataDependent { .. }),
        Node::Bin(_, a, b) => data_dependent(g, a, memo) || data_dependent(g, b, memo),
        Node::Select(c, a, b) => data_dependent(g, c, memo) || data_dependent(g, a, memo) || data_dependent(g, b, memo),
    };
    memo[id as usize] = Some(v);
    v
}

/// Symbol ranges under one profile.
/// Refuses an engine that cannot run at the kOPT point of one of its profiles (a reshape
/// whose volume does not match there, dimensions that do not broadcast), as TensorRT does:
/// the builder chooses implementations at kOPT, and the application would otherwise only
/// learn it at setInputShape. kMIN and kMAX are bounds per dimension or value, which need
/// not form a shape the network accepts (shape-tensor values [1, 1]..[12, 12] for a
/// reshape of 12 elements), so they are not checked.
pub fn check_profile_points(d: &EngineDesc, g: &ShapeGraph) -> Result<()> {
    for (p, prof) in d.profiles.iter().enumerate() {
        g.evaluate(|s| match s {
            Symbol::InputDim { input, axis } => prof.inputs.get(input as usize)?.opt.get(axis as usize).copied(),
            Symbol::InputValue { input, index } => {
                prof.inputs.get(input as usize)?.values.as_ref()?[1].get(index as usize).map(|&v| v as i64)
            }
            Symbol::DataDependent { .. } => None,
        })
        .map_err(|e| {
            let at: Vec<String> = d.io[..d.nb_inputs()]
                .iter()
                .zip(&prof.inputs)
                .map(|(&t, r)| format!("'{}' {}", d.tensors[t].name, dims_str(&r.opt)))
                .collect();
            e.context(format!("optimization profile {p} at its kOPT shapes ({})", at.join(", ")))
        })?;
    }
    Ok(())
}

fn profile_ranges(profile: &Profile) -> impl Fn(Symbol) -> Option<Interval> + '_ {
    move |s| match s {
        Symbol::InputDim { input, axis } => {
            let r = profile.inputs.get(input as usize)?;
            Some(Interval { lo: *r.min.get(axis as usize)?, hi: *r.max.get(axis as usize)? })
        }
        Symbol::InputValue { input, index } => {
            let [lo, _, hi] = profile.inputs.get(input as usize)?.values.as_ref()?;
            Some(Interval { lo: *lo.get(index as usize)? as i64, hi: *hi.get(index as usize)? as i64 })
        }
        Symbol::DataDependent { .. } => None,
    }
}

/// Incremental inference over an engine's layers in execution order: symbolic dims and
/// shape values of every tensor in one shape graph with engine-level symbols (input dims by
/// I/O index, data-dependent counts by layer index). The analysis runs it over a whole
/// engine; the builder's precision pass runs it as it inserts casts.
pub struct Tracker {
    pub g: ShapeGraph,
    pub dims: Vec<Vec<ExprId>>,
    pub values: Vec<Option<Vec<ExprId>>>,
    memo: Vec<Option<bool>>,
    /// Some output so far has a data-dependent size.
    pub data_dependent: bool,
    /// The trip limits and iterators inferred so far (with their input): what a loop
    /// output's length follows.
    limits: Vec<(Boundary, Option<usize>)>,
}

impl Tracker {
    /// Symbols for the inputs' dynamic dims and shape-tensor values.
    pub fn new(d: &EngineDesc) -> Result<Tracker> {
        let n = d.tensors.len();
        let mut g = ShapeGraph::new();
        let mut dims: Vec<Vec<ExprId>> = vec![vec![]; n];
        let mut values: Vec<Option<Vec<ExprId>>> = vec![None; n];
        for (k, &t) in d.io[..d.nb_inputs()].iter().enumerate() {
            let tensor = &d.tensors[t];
            dims[t] = tensor
                .dims
                .iter()
                .enumerate()
                .map(|(axis, &x)| if x >= 0 { g.constant(x) } else { g.symbol(Symbol::InputDim { input: k as u32, axis: axis as u32 }) })
                .collect();
            if tensor.shape_tensor {
                let len = match tensor.dims.as_slice() {
                    [] => 1,
                    [l] if *l >= 0 && *l as usize <= MAX_SHAPE_VALUES => *l as usize,
                    _ => return Err(bad(format!("shape input '{}' must be a short 0-D or 1-D tensor", tensor.name))),
                };
                if tensor.dtype != DataType::Int32 {
                    return Err(bad(format!("shape input '{}' must be kINT32", tensor.name)));
                }
                values[t] = Some((0..len).map(|i| g.symbol(Symbol::InputValue { input: k as u32, index: i as u32 })).collect());
            }
        }
        Ok(Tracker { g, dims, values, memo: vec![], data_dependent: false, limits: vec![] })
    }

    /// Infers layer `li` reading `inputs` of types `dtype(t)`.
    pub fn infer(
        &mut self,
        op: &dyn crate::layers::Layer,
        li: usize,
        inputs: &[Option<usize>],
        dtype: impl Fn(usize) -> DataType,
    ) -> Result<Vec<crate::layers::InferOut>> {
        let mut trip = facts::TripFacts::default();
        match op.control() {
            Some(b @ Boundary { kind: BoundaryKind::TripLimit { .. } | BoundaryKind::Iterator { .. }, .. }) => {
                let entry = (b, inputs.first().copied().flatten());
                if !self.limits.contains(&entry) {
                    self.limits.push(entry);
                }
            }
            Some(Boundary { construct: Construct::Loop(l), kind: BoundaryKind::LoopOutput { .. } }) => {
                let (dims, values) = (&self.dims, &self.values);
                trip = facts::gather(self.limits.iter().copied(), |t| dims.get(t).map(Vec::as_slice), |t| values.get(t)?.as_deref(), l);
            }
            _ => {}
        }
        let (dims, values) = (&self.dims, &self.values);
        // A recurrence's next value (a back edge) may not be inferred yet: it is not read.
        let ins: Vec<Option<InferIn>> = inputs
            .iter()
            .map(|i| i.filter(|&i| i < dims.len()).map(|i| InferIn { dtype: dtype(i), dims: &dims[i], values: values[i].as_deref() }))
            .collect();
        op.infer(&mut InferCx { g: &mut self.g, layer: li as u32, trip }, &ins)
    }

    /// Records an inferred output as tensor `t`'s shape. Values that depend on a
    /// data-dependent count are dropped: they are not known before the run.
    pub fn record(&mut self, t: usize, dims: Vec<ExprId>, values: Option<Vec<ExprId>>) {
        if self.dims.len() <= t {
            self.dims.resize(t + 1, vec![]);
            self.values.resize(t + 1, None);
        }
        let g = &self.g;
        let memo = &mut self.memo;
        self.data_dependent |= dims.iter().any(|&e| data_dependent(g, e, memo));
        self.values[t] = values.filter(|v| !v.iter().any(|&e| data_dependent(g, e, memo)));
        self.dims[t] = dims;
    }

    pub fn depends_on_count(&mut self, e: ExprId) -> bool {
        data_dependent(&self.g, e, &mut self.memo)
    }
}

/// What happens to a layer given its outputs' values: constants are bound, layers whose
/// outputs are all shape values are computed on the host, the rest run.
pub fn step_of(l: &super::EngineLayer, values: &[Option<Vec<ExprId>>], tensors: &[super::EngineTensor]) -> Step {
    let host = l.outputs.iter().all(|&o| values[o].is_some() && host_computable(tensors[o].dtype));
    match l.op.control() {
        // A conditional's input or output of shape values is one more shape value.
        Some(Boundary { kind: BoundaryKind::ConditionalInput | BoundaryKind::ConditionalOutput, .. }) if host => Step::Host,
        Some(_) => Step::Control,
        None if l.op.constant().is_some() => Step::Constant,
        None if host => Step::Host,
        None => Step::Run,
    }
}

/// Whether shape values of this type are computed on the host (and written as kINT32 where
/// something reads them); kBOOL values (comparisons of shapes) only serve checks such as
/// IAssertionLayer's, and their tensors are computed like any other.
pub fn host_computable(dtype: DataType) -> bool {
    dtype == DataType::Int32
}

/// Where the control-flow executor reads the data of boundary layer `li`'s inputs: at the
/// layer, except a recurrence's next value, read when its loop's body ends. A kCOUNT limit
/// whose count is a shape value and a loop output's length are read as shape values.
fn control_reads(l: &super::EngineLayer, li: usize, values: &[Option<Vec<ExprId>>], loops: &[(usize, usize)], readers: &mut [Vec<usize>]) {
    let Some(b) = l.op.control() else { return };
    for (slot, t) in l.inputs.iter().enumerate() {
        let Some(t) = *t else { continue };
        let at = match (b.kind, slot) {
            (BoundaryKind::Recurrence, 1) => innermost_loop(loops, li).map_or(li, |(_, end)| end),
            (BoundaryKind::TripLimit { while_: false }, _) if values[t].is_some() => continue,
            (BoundaryKind::LoopOutput { .. }, 1) => continue,
            _ => li,
        };
        readers[t].push(at);
    }
}

/// The innermost loop body (first and last layer) containing layer `li`.
fn innermost_loop(loops: &[(usize, usize)], li: usize) -> Option<(usize, usize)> {
    loops.iter().copied().filter(|&(s, e)| s <= li && li <= e).max_by_key(|&(s, _)| s)
}

/// The layers of an engine as control-flow analysis sees them.
pub fn flow_graph(d: &EngineDesc) -> FlowGraph<'_> {
    FlowGraph {
        layers: d.layers.iter().map(|l| FlowLayer { name: &l.name, op: l.op.as_ref(), inputs: &l.inputs, outputs: &l.outputs }).collect(),
        tensors: d.tensors.len(),
        outputs: d.io[d.nb_inputs()..].to_vec(),
    }
}

pub fn analyze(d: &EngineDesc) -> Result<Analysis> {
    check_structure(d)?;
    let n = d.tensors.len();
    let nb_in = d.nb_inputs();
    let mut tr = Tracker::new(d)?;
    let mut steps = Vec::with_capacity(d.layers.len());
    for (li, l) in d.layers.iter().enumerate() {
        let first_node = tr.g.len();
        let outs = tr.infer(l.op.as_ref(), li, &l.inputs, |t| d.tensors[t].dtype).map_err(|e| e.context(format!("layer '{}'", l.name)))?;
        tr.g.attribute_notes(first_node, &format!("layer '{}'", l.name));
        for (o, &t) in outs.into_iter().zip(&l.outputs) {
            let stored = &d.tensors[t];
            if o.dtype != stored.dtype || tr.g.known(&o.dims) != stored.dims {
                return Err(bad(format!(
                    "layer '{}' produces {} {} but its output '{}' is recorded with type {} and shape {}",
                    l.name,
                    o.dtype,
                    dims_str(&tr.g.known(&o.dims)),
                    stored.name,
                    stored.dtype,
                    dims_str(&stored.dims)
                )));
            }
            tr.record(t, o.dims, o.values);
        }
        steps.push(step_of(l, &tr.values, &d.tensors));
    }
    // Loops and conditionals: where each layer is, the block order, the boundary rules.
    let flow = flow_graph(d);
    let program = if flow.has_constructs() {
        let p = placement::place(&flow, &[], &[])?;
        let items = program::program(&flow, &p)?;
        let (dims, values) = (&tr.dims, &tr.values);
        let shapes = checks::Shapes { dims: &|t| dims[t].as_slice(), values: &|t| values[t].as_deref(), dtype: &|t| d.tensors[t].dtype };
        checks::check(&flow, &p, &shapes, &tr.g)?;
        checks::recurrence_checks(&flow, &p, &|t| dims[t].clone(), &mut tr.g)?;
        items
    } else {
        (0..d.layers.len()).map(Item::Layer).collect()
    };
    let loops: Vec<(usize, usize)> = program::loops(&program).iter().map(|b| (b.start, b.end)).collect();
    let data_dependent_any = tr.data_dependent;
    let Tracker { g, mut dims, mut values, mut memo, .. } = tr;
    for &t in &d.io[nb_in..] {
        if d.tensors[t].shape_tensor && (values[t].is_none() || d.tensors[t].dtype != DataType::Int32) {
            return Err(bad(format!(
                "output '{}' is marked as a shape tensor but its values are not computable from shapes",
                d.tensors[t].name
            )));
        }
    }

    // Who reads each tensor's data: running layers (not through shape inputs) and the
    // application (device outputs).
    let mut readers: Vec<Vec<usize>> = vec![vec![]; n];
    for (li, l) in d.layers.iter().enumerate() {
        if steps[li] == Step::Control {
            control_reads(l, li, &values, &loops, &mut readers);
        }
        if steps[li] != Step::Run {
            continue;
        }
        let shape_inputs = l.op.kind().shape_inputs();
        for (slot, &i) in l.inputs.iter().enumerate() {
            if let Some(i) = i {
                if !shape_inputs.contains(&slot) {
                    readers[i].push(li);
                }
            }
        }
    }
    let mut producer: Vec<Option<usize>> = vec![None; n];
    for (li, l) in d.layers.iter().enumerate() {
        for &o in &l.outputs {
            producer[o] = Some(li);
        }
    }
    // A recurrence's value is rewritten when its loop's body ends.
    let blocks_of_loops = program::loops(&program);
    for b in &blocks_of_loops {
        for &r in &b.recurrences {
            readers[d.layers[r].outputs[0]].push(b.end);
        }
    }
    let io_of: HashMap<usize, usize> = d.io.iter().enumerate().map(|(k, &t)| (t, k)).collect();
    let mut storage = vec![Storage::None; n];
    let mut materialize = vec![false; n];
    let mut deferred = vec![false; n];
    for t in 0..n {
        let step = producer[t].map(|p| steps[p]);
        let host_valued = step == Some(Step::Host) || (d.tensors[t].shape_tensor && d.tensors[t].io_mode == TensorIOMode::Input);
        storage[t] = match (io_of.get(&t), step) {
            // A host shape input that a running layer reads needs a device copy.
            (Some(&k), _) if d.tensors[t].shape_tensor && d.tensors[t].io_mode == TensorIOMode::Input => {
                if readers[t].is_empty() {
                    Storage::Io(k)
                } else {
                    materialize[t] = true;
                    Storage::Arena(0)
                }
            }
            (Some(_), _) if dims[t].iter().any(|&e| data_dependent(&g, e, &mut memo)) => {
                deferred[t] = true;
                Storage::Arena(0)
            }
            (Some(&k), _) => {
                materialize[t] = host_valued && !d.tensors[t].shape_tensor;
                Storage::Io(k)
            }
            (None, Some(Step::Constant)) => Storage::Constant(producer[t].unwrap_or(0)),
            (None, Some(Step::Host)) if readers[t].is_empty() => Storage::None,
            (None, Some(Step::Host)) => {
                materialize[t] = true;
                Storage::Arena(0)
            }
            _ => Storage::Arena(0),
        };
    }

    // The largest size of every stored tensor over all profiles.
    let mut max_bytes = vec![0u64; n];
    for (p, prof) in d.profiles.iter().enumerate() {
        let bounds = g.bounds(profile_ranges(prof));
        for t in 0..n {
            if storage[t] == Storage::None {
                continue;
            }
            let mut elems: u64 = 1;
            for &e in &dims[t] {
                let hi = bounds[e as usize].hi.max(0) as u64;
                elems = elems.checked_mul(hi).filter(|&v| v < (1 << 62)).ok_or_else(|| {
                    bad(format!("tensor '{}' may hold more elements than memory can address under profile {p}", d.tensors[t].name))
                })?;
            }
            max_bytes[t] = max_bytes[t].max(elems * d.tensors[t].dtype.size_bytes() as u64);
        }
    }

    // Concatenating loop outputs: staged when their final place is only known after the
    // loop, else written in place during it (live from the loop's start).
    let mut staged: Vec<(usize, u64, usize, bool)> = vec![];
    let mut written_from: Vec<Option<usize>> = vec![None; n];
    for b in &blocks_of_loops {
        for &e in &b.outputs {
            let Some(Boundary { kind: BoundaryKind::LoopOutput { kind, axis }, .. }) = d.layers[e].op.control() else { continue };
            if kind == crate::control::LAST_VALUE {
                continue;
            }
            let out = d.layers[e].outputs[0];
            let counts = dims[out].get(axis as usize).is_some_and(|&len| data_dependent(&g, len, &mut memo));
            let count_known_first = b.count.is_some() && b.while_.is_none();
            if counts || (kind == REVERSE && !count_known_first) {
                staged.push((e, max_bytes[out], b.start, counts));
            } else {
                written_from[out] = Some(b.start);
            }
        }
    }

    // Live intervals of arena tensors in layer steps; materialized ones are written first.
    // A tensor read inside a loop body it was not produced in lives until the body's end:
    // every iteration reads it.
    let beyond = |p: Option<usize>, r: usize| -> usize {
        let outside = |s: usize, e: usize| p.is_none_or(|p| p < s || p > e);
        blocks_of_loops.iter().filter(|b| b.start <= r && r <= b.end && outside(b.start, b.end)).map(|b| b.end).max().unwrap_or(r).max(r)
    };
    let mut blocks = Vec::new();
    let mut arena_tensors = Vec::new();
    for t in 0..n {
        if storage[t] != Storage::Arena(0) {
            continue;
        }
        let first = if materialize[t] { 0 } else { written_from[t].or(producer[t]).unwrap_or(0) };
        // Deferred outputs are copied out after the last layer.
        let end = if deferred[t] { d.layers.len() } else { first };
        let p = if materialize[t] { None } else { producer[t] };
        let last = readers[t].iter().map(|&r| beyond(p, r)).max().unwrap_or(end).max(end);
        blocks.push(Block { bytes: max_bytes[t], first, last });
        arena_tensors.push(t);
    }
    for &(e, bytes, start, _) in &staged {
        blocks.push(Block { bytes, first: start, last: e });
    }
    let (offsets, arena_bytes) = memory::plan(&blocks).ok_or_else(|| bad("the activation memory size overflows"))?;
    for (&t, &off) in arena_tensors.iter().zip(&offsets) {
        storage[t] = Storage::Arena(off);
    }
    let staging = staged
        .iter()
        .zip(&offsets[arena_tensors.len()..])
        .map(|(&(exit, bytes, _, counts), &offset)| Staging { exit, offset, bytes, counts })
        .collect();
    let tensors = (0..n)
        .map(|t| TensorInfo {
            dims: std::mem::take(&mut dims[t]),
            values: values[t].take(),
            storage: storage[t],
            materialize: materialize[t],
            max_bytes: max_bytes[t],
            deferred: deferred[t],
        })
        .collect();
    Ok(Analysis {
        graph: g,
        tensors,
        steps,
        arena_bytes,
        data_dependent: data_dependent_any,
        io_index: d.io.iter().enumerate().map(|(k, &t)| (d.tensors[t].name.clone(), k)).collect(),
        program,
        staging,
    })
}
