//! Control flow: ILoop (trip limits, recurrences, iterators, loop outputs), IIfConditional
//! and IAssertionLayer, built through the public Rust API and run on every backend this
//! machine has (tests/common/exec.rs: the CPU always, CUDA where there is a GPU). Expected
//! values are worked out by hand in the comments, never computed by the code under test.
//! Then what is refused, with the message.

mod common;

use common::cases::{decode, encode, t, T};
use common::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::Target;
use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::control::{CONCATENATE, LAST_VALUE, REVERSE, TRIP_COUNT, TRIP_WHILE};
use nvinfer::ir::Network;
use nvinfer::layers::elementwise::{GREATER, LESS, PROD, SUM};
use nvinfer::layers::generated::{
    Assertion, Condition, ConditionalInput, ConditionalOutput, Constant, ElementWise, Identity, Iterator as Iter, LoopOutput, Recurrence,
    Shape, TripLimit,
};
use nvinfer::layers::Layer;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::{byte_size, DataType, ProfileSelector};
use nvinfer::weights::Weights;
use nvinfer::Result;
use std::sync::Arc;

use DataType::{Bool, Float, Int32};

// ---------------------------------------------------------------- building networks

/// A network under construction, with shorthands for the layers these cases use.
struct Net {
    n: Network,
}

impl Net {
    /// Adds a layer and returns it.
    fn layer(&mut self, op: impl Layer, inputs: &[usize]) -> Result<usize> {
        self.n.add_layer(Box::new(op), inputs)
    }
    /// Adds a layer and returns its first output.
    fn add(&mut self, op: impl Layer, inputs: &[usize]) -> Result<usize> {
        let l = self.layer(op, inputs)?;
        Ok(self.n.layers[l].outputs[0])
    }
    fn floats(&mut self, dims: &[i64], v: &[f32]) -> Result<usize> {
        self.add(Constant::of(dims.to_vec(), Weights::from_f32(v)), &[])
    }
    fn int(&mut self, v: i32) -> Result<usize> {
        self.add(Constant::of(vec![], Weights::from_i32(&[v])), &[])
    }
    fn ew(&mut self, op: i32, a: usize, b: usize) -> Result<usize> {
        self.add(ElementWise::of(op), &[a, b])
    }
    /// A recurrence of loop `l` starting at `init`; its next value is set with `next`.
    fn recurrence(&mut self, l: u32, init: usize) -> Result<(usize, usize)> {
        let r = self.layer(Recurrence::of(l), &[init])?;
        Ok((r, self.n.layers[r].outputs[0]))
    }
    fn next(&mut self, recurrence: usize, value: usize) -> Result<()> {
        self.n.set_layer_input(recurrence, 1, value)
    }
    fn count(&mut self, l: u32, n: usize) -> Result<usize> {
        self.layer(TripLimit::of(l, TRIP_COUNT), &[n])
    }
    fn iterate(&mut self, l: u32, x: usize, axis: i32, reverse: bool) -> Result<usize> {
        self.add(Iter::of(l, axis, reverse), &[x])
    }
    fn out(&mut self, l: u32, x: usize, kind: i32, axis: i32) -> Result<usize> {
        self.add(LoopOutput::of(l, kind, axis), &[x])
    }
    /// A concatenating output with its length given as input 1.
    fn out_len(&mut self, l: u32, x: usize, kind: i32, axis: i32, len: usize) -> Result<usize> {
        self.add(LoopOutput::of(l, kind, axis), &[x, len])
    }
}

type Build = Box<dyn Fn(&mut Net, &[usize]) -> Result<Vec<usize>>>;

/// One case: a network built from its inputs, and the expected outputs.
struct Flow {
    what: String,
    inputs: Vec<T>,
    build: Build,
    expected: Vec<T>,
}

fn flow(what: &str, inputs: Vec<T>, build: impl Fn(&mut Net, &[usize]) -> Result<Vec<usize>> + 'static, expected: Vec<T>) -> Flow {
    Flow { what: what.to_string(), inputs, build: Box::new(build), expected }
}

/// The network of a case (inputs "in0", ..., outputs "out0", ...) and the profile its shape
/// tensor inputs need.
fn network(inputs: &[T], build: &Build) -> Result<(Network, Option<OptimizationProfile>)> {
    let mut net = Net { n: Network::new() };
    let ids: Vec<usize> =
        inputs.iter().enumerate().map(|(i, x)| net.n.add_input(&format!("in{i}"), x.dtype, &x.dims)).collect::<Result<_>>()?;
    let outs = build(&mut net, &ids)?;
    for (k, &o) in outs.iter().enumerate() {
        net.n.set_tensor_name(o, &format!("out{k}"))?;
        net.n.mark_output(o)?;
    }
    net.n.infer_shapes()?;
    let shape_tensors = net.n.shape_tensors();
    let mut profile = OptimizationProfile::new();
    let mut needed = false;
    for (i, x) in inputs.iter().enumerate() {
        if shape_tensors[ids[i]] {
            let v: Vec<i32> = x.values.iter().map(|&v| v as i32).collect();
            for sel in [ProfileSelector::Min, ProfileSelector::Opt, ProfileSelector::Max] {
                profile.set_shape_values(&format!("in{i}"), sel, &v)?;
            }
            needed = true;
        }
    }
    Ok((net.n, needed.then_some(profile)))
}

fn engine(inputs: &[T], build: &Build, target: &Target) -> Result<Arc<Engine>> {
    let (net, profile) = network(inputs, build)?;
    let mut config = BuilderConfig::default();
    if let Some(p) = &profile {
        config.add_profile(p)?;
    }
    config.set_flag(nvinfer::builder::config::FLAG_TF32, false);
    let plan = build_for(&net, &config, &common::quiet(), target.clone())?;
    Ok(Arc::new(Engine::deserialize(&plan)?))
}

/// Runs a context once with these inputs; returns `nb_out` outputs.
fn execute(ctx: &mut ExecutionContext, engine: &Engine, inputs: &[T], nb_out: usize, target: &Target) -> Result<Vec<T>> {
    let on_device = matches!(target, Target::Cuda(..));
    let mut keep = vec![];
    for (i, x) in inputs.iter().enumerate() {
        let name = format!("in{i}");
        let Some(k) = engine.io_index(&name) else { continue };
        let host = engine.io_tensor(k).is_some_and(|t| t.shape_tensor);
        let b = IoBuffer::with(&encode(x), on_device && !host);
        if !host {
            ctx.set_input_shape(&name, &x.dims)?;
        }
        ctx.set_tensor_address(&name, b.address())?;
        keep.push(b);
    }
    let mut outputs = vec![];
    for k in 0..nb_out {
        let name = format!("out{k}");
        let host = engine.io_index(&name).and_then(|i| engine.io_tensor(i)).is_some_and(|t| t.shape_tensor);
        let b = IoBuffer::new(ctx.max_output_size(&name)? as usize, on_device && !host);
        ctx.set_tensor_address(&name, b.address())?;
        outputs.push(b);
    }
    ctx.execute()?;
    let mut results = vec![];
    for (k, b) in outputs.iter().enumerate() {
        let name = format!("out{k}");
        let dims = ctx.tensor_shape(&name)?;
        let dtype = engine.io_tensor(engine.io_index(&name).unwrap()).unwrap().dtype;
        results.push(T { dtype, values: decode(dtype, &b.read(byte_size(&dims, dtype).unwrap())), dims });
    }
    Ok(results)
}

fn run(case: &Flow, target: &Target) -> Result<Vec<T>> {
    let engine = engine(&case.inputs, &case.build, target)?;
    let mut ctx = ExecutionContext::new(engine.clone())?;
    execute(&mut ctx, &engine, &case.inputs, case.expected.len(), target)
}

fn compare(label: &str, got: &[T], expected: &[T], failures: &mut Vec<String>) {
    for (k, (g, e)) in got.iter().zip(expected).enumerate() {
        let close =
            g.values.len() == e.values.len() && g.values.iter().zip(&e.values).all(|(a, b)| (a - b).abs() <= 1e-5 * b.abs().max(1.0));
        if g.dtype != e.dtype || g.dims != e.dims || !close {
            failures.push(format!(
                "{label} output {k}: got {} {:?} {:?}, expected {} {:?} {:?}",
                g.dtype, g.dims, g.values, e.dtype, e.dims, e.values
            ));
        }
    }
}

/// Runs every case on every backend; fails with every mismatch listed.
fn check(kind: &str, cases: Vec<Flow>) {
    let mut failures = vec![];
    for target in targets() {
        let mut passed = 0;
        for case in &cases {
            let label = format!("{} {}", backend_name(&target), case.what);
            match run(case, &target) {
                Err(e) => failures.push(format!("{label}: {}", e.message)),
                Ok(got) => {
                    let before = failures.len();
                    compare(&label, &got, &case.expected, &mut failures);
                    passed += (failures.len() == before) as usize;
                }
            }
        }
        common::report(&format!("LAYER-CASES backend={} layer={kind} type=mixed cases={passed} max_rel_err=0", backend_name(&target)));
    }
    assert!(failures.is_empty(), "{} runs failed:\n{}", failures.len(), failures.join("\n"));
}

/// The message of the error building this network (adding a layer or building the engine).
fn build_error(inputs: Vec<T>, build: impl Fn(&mut Net, &[usize]) -> Result<Vec<usize>> + 'static) -> String {
    let build: Build = Box::new(build);
    match engine(&inputs, &build, &Target::Cpu) {
        Ok(_) => panic!("the network was accepted"),
        Err(e) => e.message,
    }
}

fn assert_mentions(message: &str, needle: &str) {
    assert!(message.contains(needle), "error message {message:?} does not mention {needle:?}");
}

fn f(dims: &[i64], v: &[f64]) -> T {
    t(Float, dims, v.to_vec())
}

fn i(dims: &[i64], v: &[f64]) -> T {
    t(Int32, dims, v.to_vec())
}

// ---------------------------------------------------------------- loops

/// Running sum over the rows of x [4, 2] with a kCOUNT limit of 4 (a build-time constant):
/// rows (1,2) (3,4) (5,6) (7,8); sums after each iteration (1,2) (4,6) (9,12) (16,20).
fn running_sum(x: usize, net: &mut Net, kinds: &[i32]) -> Result<Vec<usize>> {
    let l = net.n.add_loop()?;
    let n = net.int(4)?;
    net.count(l, n)?;
    let zero = net.floats(&[2], &[0.0, 0.0])?;
    let (r, acc) = net.recurrence(l, zero)?;
    let row = net.iterate(l, x, 0, false)?;
    let next = net.ew(SUM, acc, row)?;
    net.next(r, next)?;
    kinds.iter().map(|&k| if k == LAST_VALUE { net.out(l, acc, k, 0) } else { net.out(l, next, k, 0) }).collect()
}

#[test]
fn count_loops() {
    let x = f(&[4, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    let cases = vec![
        flow(
            "kCOUNT running sum: kLAST_VALUE",
            vec![x.clone()],
            |net, ins| running_sum(ins[0], net, &[LAST_VALUE]),
            vec![f(&[2], &[16.0, 20.0])],
        ),
        flow(
            "kCOUNT running sum: kCONCATENATE and kREVERSE along axis 0",
            vec![x.clone()],
            |net, ins| running_sum(ins[0], net, &[CONCATENATE, REVERSE]),
            vec![f(&[4, 2], &[1.0, 2.0, 4.0, 6.0, 9.0, 12.0, 16.0, 20.0]), f(&[4, 2], &[16.0, 20.0, 9.0, 12.0, 4.0, 6.0, 1.0, 2.0])],
        ),
        flow(
            // Axis 1: output [2, 4], column j holds iteration j.
            "kCOUNT running sum: kCONCATENATE along axis 1",
            vec![x.clone()],
            |net, ins| {
                let l = net.n.add_loop()?;
                let n = net.int(4)?;
                net.count(l, n)?;
                let zero = net.floats(&[2], &[0.0, 0.0])?;
                let (r, acc) = net.recurrence(l, zero)?;
                let row = net.iterate(l, ins[0], 0, false)?;
                let next = net.ew(SUM, acc, row)?;
                net.next(r, next)?;
                Ok(vec![net.out(l, next, CONCATENATE, 1)?])
            },
            vec![f(&[2, 4], &[1.0, 4.0, 9.0, 16.0, 2.0, 6.0, 12.0, 20.0])],
        ),
        flow(
            // Factorial: a count from a network input (read at run time), 5! = 120; an
            // integer recurrence counts 1..5 beside a float product.
            "kCOUNT factorial, count computed at run time",
            vec![i(&[], &[5.0])],
            |net, ins| {
                let l = net.n.add_loop()?;
                net.count(l, ins[0])?;
                let one = net.floats(&[], &[1.0])?;
                let (rp, prod) = net.recurrence(l, one)?;
                let (rk, k) = net.recurrence(l, one)?;
                let p = net.ew(PROD, prod, k)?;
                let k1 = net.ew(SUM, k, one)?;
                net.next(rp, p)?;
                net.next(rk, k1)?;
                Ok(vec![net.out(l, prod, LAST_VALUE, 0)?, net.out(l, k, LAST_VALUE, 0)?])
            },
            vec![f(&[], &[120.0]), f(&[], &[6.0])],
        ),
        flow(
            // A count of 0: kLAST_VALUE is the initial value.
            "kCOUNT of zero iterations",
            vec![f(&[], &[7.0])],
            |net, ins| {
                let l = net.n.add_loop()?;
                let n = net.int(0)?;
                net.count(l, n)?;
                let (r, v) = net.recurrence(l, ins[0])?;
                let next = net.ew(PROD, v, v)?;
                net.next(r, next)?;
                Ok(vec![net.out(l, v, LAST_VALUE, 0)?])
            },
            vec![f(&[], &[7.0])],
        ),
        flow(
            // Reverse iteration: rows 3, 2, 1, 0 of x, each doubled, concatenated.
            "iterator in reverse, kCONCATENATE",
            vec![x.clone()],
            |net, ins| {
                let l = net.n.add_loop()?;
                let n = net.int(4)?;
                net.count(l, n)?;
                let row = net.iterate(l, ins[0], 0, true)?;
                let two = net.floats(&[1], &[2.0])?;
                let d = net.ew(PROD, row, two)?;
                Ok(vec![net.out(l, d, CONCATENATE, 0)?])
            },
            vec![f(&[4, 2], &[14.0, 16.0, 10.0, 12.0, 6.0, 8.0, 2.0, 4.0])],
        ),
        flow(
            // Iterating over axis 1 (columns (1,3,5,7) and (2,4,6,8)); kREVERSE of a reversed
            // iteration gives the columns back in order, along output axis 1.
            "iterator over axis 1 in reverse, kREVERSE along axis 1",
            vec![x.clone()],
            |net, ins| {
                let l = net.n.add_loop()?;
                let n = net.int(2)?;
                net.count(l, n)?;
                let col = net.iterate(l, ins[0], 1, true)?;
                let id = net.add(Identity::default(), &[col])?;
                Ok(vec![net.out(l, id, REVERSE, 1)?])
            },
            vec![x.clone()],
        ),
        flow(
            // kCONCATENATE with a length of 6 for a loop of 4 iterations: the last two slots
            // are zeros. A constant count of 4 with an iterator of 4 rows.
            "kCONCATENATE with a length input longer than the trip count",
            vec![x.clone()],
            |net, ins| {
                let l = net.n.add_loop()?;
                let n = net.int(4)?;
                net.count(l, n)?;
                let row = net.iterate(l, ins[0], 0, false)?;
                let id = net.add(Identity::default(), &[row])?;
                let len = net.int(6)?;
                Ok(vec![net.out_len(l, id, CONCATENATE, 0, len)?])
            },
            vec![f(&[6, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 0.0, 0.0, 0.0, 0.0])],
        ),
        flow(
            // A count read at run time (3) with an iterator over 4 rows: the concatenations
            // are as long as the loop ran, known only after it (staged, then copied).
            "kCONCATENATE and kREVERSE as long as a run-time count",
            vec![i(&[], &[3.0]), x.clone()],
            |net, ins| {
                let l = net.n.add_loop()?;
                net.count(l, ins[0])?;
                let zero = net.floats(&[2], &[0.0, 0.0])?;
                let (r, acc) = net.recurrence(l, zero)?;
                let row = net.iterate(l, ins[1], 0, false)?;
                let next = net.ew(SUM, acc, row)?;
                net.next(r, next)?;
                Ok(vec![net.out(l, next, CONCATENATE, 0)?, net.out(l, next, REVERSE, 0)?])
            },
            vec![f(&[3, 2], &[1.0, 2.0, 4.0, 6.0, 9.0, 12.0]), f(&[3, 2], &[9.0, 12.0, 4.0, 6.0, 1.0, 2.0])],
        ),
    ];
    check("loop", cases);
}

/// Doubling while below 100: 3, 6, 12, 24, 48, 96 pass the test, 192 fails it: 6 iterations.
fn doubling(net: &mut Net, x: usize, length: Option<usize>) -> Result<Vec<usize>> {
    let l = net.n.add_loop()?;
    let (r, v) = net.recurrence(l, x)?;
    let hundred = net.floats(&[], &[100.0])?;
    let go = net.ew(LESS, v, hundred)?;
    net.layer(TripLimit::of(l, TRIP_WHILE), &[go])?;
    let two = net.floats(&[], &[2.0])?;
    let d = net.ew(PROD, v, two)?;
    net.next(r, d)?;
    let mut outs = vec![net.out(l, v, LAST_VALUE, 0)?];
    if let Some(len) = length {
        outs.push(net.out_len(l, v, CONCATENATE, 0, len)?);
    }
    Ok(outs)
}

#[test]
fn while_loops() {
    let cases = vec![
        flow("kWHILE doubling: kLAST_VALUE", vec![f(&[], &[3.0])], |net, ins| doubling(net, ins[0], None), vec![f(&[], &[192.0])]),
        flow(
            // The values each iteration started from, in a concatenation of length 8.
            "kWHILE doubling: kCONCATENATE with a length",
            vec![f(&[], &[3.0])],
            |net, ins| {
                let len = net.int(8)?;
                doubling(net, ins[0], Some(len))
            },
            vec![f(&[], &[192.0]), f(&[8], &[3.0, 6.0, 12.0, 24.0, 48.0, 96.0, 0.0, 0.0])],
        ),
        flow(
            // A condition false from the start: no iteration.
            "kWHILE false at once",
            vec![f(&[], &[500.0])],
            |net, ins| doubling(net, ins[0], None),
            vec![f(&[], &[500.0])],
        ),
        flow(
            // kWHILE with an iterator: its extent bounds the loop (no length needed); sums
            // rows of [5, 1] until the sum reaches 10: 1, 3, 6, 10 -> stops after 4 rows
            // (the test runs before each iteration: 0, 1, 3, 6 are below 10).
            "kWHILE with an iterator",
            vec![f(&[5], &[1.0, 2.0, 3.0, 4.0, 5.0])],
            |net, ins| {
                let l = net.n.add_loop()?;
                let zero = net.floats(&[], &[0.0])?;
                let (r, s) = net.recurrence(l, zero)?;
                let ten = net.floats(&[], &[10.0])?;
                let go = net.ew(LESS, s, ten)?;
                net.layer(TripLimit::of(l, TRIP_WHILE), &[go])?;
                let e = net.iterate(l, ins[0], 0, false)?;
                let next = net.ew(SUM, s, e)?;
                net.next(r, next)?;
                Ok(vec![net.out(l, s, LAST_VALUE, 0)?, net.out(l, next, CONCATENATE, 0)?, net.out(l, next, REVERSE, 0)?])
            },
            // The concatenations, bounded by the 5 rows, hold the 4 iterations that ran.
            vec![f(&[], &[10.0]), f(&[4], &[1.0, 3.0, 6.0, 10.0]), f(&[4], &[10.0, 6.0, 3.0, 1.0])],
        ),
    ];
    check("loop", cases);
}

#[test]
fn nested_loops() {
    let cases = vec![flow(
        // Row sums of x [3, 4] by an inner loop over each row's elements, concatenated by
        // the outer loop: 1+2+3+4, 5+6+7+8, 9+10+11+12; and the outer total 78.
        "a loop inside a loop",
        vec![f(&[3, 4], &(1..=12).map(f64::from).collect::<Vec<_>>())],
        |net, ins| {
            let outer = net.n.add_loop()?;
            let three = net.int(3)?;
            net.count(outer, three)?;
            let row = net.iterate(outer, ins[0], 0, false)?;
            let zero = net.floats(&[], &[0.0])?;
            let (rt, total) = net.recurrence(outer, zero)?;
            let inner = net.n.add_loop()?;
            let four = net.int(4)?;
            net.count(inner, four)?;
            let e = net.iterate(inner, row, 0, false)?;
            let (ri, s) = net.recurrence(inner, zero)?;
            let s1 = net.ew(SUM, s, e)?;
            net.next(ri, s1)?;
            let row_sum = net.out(inner, s, LAST_VALUE, 0)?;
            let t1 = net.ew(SUM, total, row_sum)?;
            net.next(rt, t1)?;
            Ok(vec![net.out(outer, row_sum, CONCATENATE, 0)?, net.out(outer, total, LAST_VALUE, 0)?])
        },
        vec![f(&[3], &[10.0, 26.0, 42.0]), f(&[], &[78.0])],
    )];
    check("loop", cases);
}

// ---------------------------------------------------------------- conditionals

/// if (c > 0) then x * 2 else x + 10, c a 0-D input compared at run time.
fn choose(net: &mut Net, c: usize, x: usize) -> Result<Vec<usize>> {
    let k = net.n.add_conditional()?;
    let zero = net.floats(&[], &[0.0])?;
    let cond = net.ew(GREATER, c, zero)?;
    net.layer(Condition::of(k), &[cond])?;
    let xin = net.add(ConditionalInput::of(k), &[x])?;
    let two = net.floats(&[1], &[2.0])?;
    let then = net.ew(PROD, xin, two)?;
    let ten = net.floats(&[1], &[10.0])?;
    let otherwise = net.ew(SUM, xin, ten)?;
    Ok(vec![net.add(ConditionalOutput::of(k), &[then, otherwise])?])
}

#[test]
fn conditionals() {
    let x = f(&[3], &[1.0, 2.0, 3.0]);
    let cases = vec![
        flow(
            "if: the true branch",
            vec![f(&[], &[0.5]), x.clone()],
            |net, ins| choose(net, ins[0], ins[1]),
            vec![f(&[3], &[2.0, 4.0, 6.0])],
        ),
        flow(
            "if: the false branch",
            vec![f(&[], &[-0.5]), x.clone()],
            |net, ins| choose(net, ins[0], ins[1]),
            vec![f(&[3], &[11.0, 12.0, 13.0])],
        ),
        flow(
            // A bool input as the condition, branches reading an outside tensor straight
            // (no input layer) and one output per branch value: (x, 0) or (0, x).
            "if: a bool input, two outputs",
            vec![t(Bool, &[], vec![0.0]), x.clone()],
            |net, ins| {
                let k = net.n.add_conditional()?;
                net.layer(Condition::of(k), &[ins[0]])?;
                let xin = net.add(ConditionalInput::of(k), &[ins[1]])?;
                let zeros = net.floats(&[3], &[0.0; 3])?;
                let a = net.add(Identity::default(), &[xin])?;
                let b = net.ew(PROD, xin, zeros)?;
                Ok(vec![net.add(ConditionalOutput::of(k), &[a, b])?, net.add(ConditionalOutput::of(k), &[b, a])?])
            },
            vec![f(&[3], &[0.0; 3]), x.clone()],
        ),
    ];
    check("conditional", cases);
}

/// One engine, both branches: the condition changes between runs of one context.
#[test]
fn conditional_switches_between_runs() {
    let build: Build = Box::new(|net, ins| choose(net, ins[0], ins[1]));
    let x = f(&[3], &[1.0, 2.0, 3.0]);
    for target in targets() {
        let inputs = [f(&[], &[1.0]), x.clone()];
        let engine = engine(&inputs, &build, &target).unwrap();
        let mut ctx = ExecutionContext::new(engine.clone()).unwrap();
        for (c, want) in [(1.0, [2.0, 4.0, 6.0]), (-1.0, [11.0, 12.0, 13.0]), (2.0, [2.0, 4.0, 6.0])] {
            let got = execute(&mut ctx, &engine, &[f(&[], &[c]), x.clone()], 1, &target).unwrap();
            let mut failures = vec![];
            compare(&format!("{} c={c}", backend_name(&target)), &got, &[f(&[3], &want)], &mut failures);
            assert!(failures.is_empty(), "{failures:?}");
        }
    }
}

#[test]
fn loops_and_conditionals_nested() {
    let x = f(&[4], &[1.0, -2.0, 3.0, -4.0]);
    let cases = vec![
        flow(
            // Sum of |x_i| with the absolute value as a conditional inside the loop:
            // 1 + 2 + 3 + 4 = 10; and the chosen values concatenated.
            "a conditional inside a loop",
            vec![x.clone()],
            |net, ins| {
                let l = net.n.add_loop()?;
                let n = net.int(4)?;
                net.count(l, n)?;
                let e = net.iterate(l, ins[0], 0, false)?;
                let zero = net.floats(&[], &[0.0])?;
                let (r, s) = net.recurrence(l, zero)?;
                let k = net.n.add_conditional()?;
                let pos = net.ew(GREATER, e, zero)?;
                net.layer(Condition::of(k), &[pos])?;
                let ein = net.add(ConditionalInput::of(k), &[e])?;
                let minus = net.floats(&[], &[-1.0])?;
                let neg = net.ew(PROD, ein, minus)?;
                let same = net.add(Identity::default(), &[ein])?;
                let a = net.add(ConditionalOutput::of(k), &[same, neg])?;
                let s1 = net.ew(SUM, s, a)?;
                net.next(r, s1)?;
                Ok(vec![net.out(l, s, LAST_VALUE, 0)?, net.out(l, a, CONCATENATE, 0)?])
            },
            vec![f(&[], &[10.0]), f(&[4], &[1.0, 2.0, 3.0, 4.0])],
        ),
        flow(
            // if (c > 0) the sum of x by a loop, else x[0] * 100 by a slice... here: the
            // false branch multiplies the whole vector's first row by 100 via an iterator-free
            // product. c = 1: 1 - 2 + 3 - 4 = -2.
            "a loop inside a conditional (true branch)",
            vec![f(&[], &[1.0]), x.clone()],
            |net, ins| loop_in_conditional(net, ins[0], ins[1]),
            vec![f(&[], &[-2.0])],
        ),
        flow(
            // c = -1: the false branch, 7 (a constant through an identity).
            "a loop inside a conditional (false branch)",
            vec![f(&[], &[-1.0]), x.clone()],
            |net, ins| loop_in_conditional(net, ins[0], ins[1]),
            vec![f(&[], &[7.0])],
        ),
    ];
    check("control-flow", cases);
}

fn loop_in_conditional(net: &mut Net, c: usize, x: usize) -> Result<Vec<usize>> {
    let k = net.n.add_conditional()?;
    let zero = net.floats(&[], &[0.0])?;
    let cond = net.ew(GREATER, c, zero)?;
    net.layer(Condition::of(k), &[cond])?;
    let xin = net.add(ConditionalInput::of(k), &[x])?;
    let l = net.n.add_loop()?;
    let n = net.int(4)?;
    net.count(l, n)?;
    let e = net.iterate(l, xin, 0, false)?;
    let (r, s) = net.recurrence(l, zero)?;
    let s1 = net.ew(SUM, s, e)?;
    net.next(r, s1)?;
    let sum = net.out(l, s, LAST_VALUE, 0)?;
    let seven = net.floats(&[], &[7.0])?;
    let other = net.add(Identity::default(), &[seven])?;
    Ok(vec![net.add(ConditionalOutput::of(k), &[sum, other])?])
}

// ---------------------------------------------------------------- assertions

/// An assertion on shapes: the first dimension of x [-1, 2] must equal 2. A failing run
/// reports the message, and the same context then runs a good shape.
#[test]
fn assertion_checked_per_run() {
    for target in targets() {
        let mut net = Net { n: Network::new() };
        let x = net.n.add_input("in0", Float, &[-1, 2]).unwrap();
        let s = net.add(Shape::default(), &[x]).unwrap();
        let want = net.add(Constant::of(vec![2], Weights::from_i32(&[2, 2])), &[]).unwrap();
        let ok = net.ew(nvinfer::layers::elementwise::EQUAL, s, want).unwrap();
        let a = net.layer(Assertion::of("x must have two rows"), &[ok]).unwrap();
        assert_eq!(net.n.layers[a].outputs.len(), 0);
        let y = net.add(Identity::default(), &[x]).unwrap();
        net.n.set_tensor_name(y, "out0").unwrap();
        net.n.mark_output(y).unwrap();
        let mut profile = OptimizationProfile::new();
        profile.set_dimensions("in0", ProfileSelector::Min, &[1, 2]).unwrap();
        profile.set_dimensions("in0", ProfileSelector::Opt, &[2, 2]).unwrap();
        profile.set_dimensions("in0", ProfileSelector::Max, &[4, 2]).unwrap();
        let mut config = BuilderConfig::default();
        config.add_profile(&profile).unwrap();
        let plan = build_for(&net.n, &config, &common::quiet(), target.clone()).unwrap();
        let engine = Arc::new(Engine::deserialize(&plan).unwrap());
        let mut ctx = ExecutionContext::new(engine.clone()).unwrap();
        let bad = f(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let err = execute(&mut ctx, &engine, &[bad], 1, &target).expect_err("the assertion fails");
        assert_mentions(&err.message, "x must have two rows");
        let good = f(&[2, 2], &[1.0, 2.0, 3.0, 4.0]);
        let got = execute(&mut ctx, &engine, std::slice::from_ref(&good), 1, &target).unwrap();
        assert_eq!(got[0].values, good.values, "{}", backend_name(&target));
    }
}

/// An assertion known false when the network is built is refused then, with its message.
#[test]
fn assertion_false_at_build() {
    let msg = build_error(vec![f(&[3, 2], &[0.0; 6])], |net, ins| {
        let s = net.add(Shape::default(), &[ins[0]])?;
        let want = net.add(Constant::of(vec![2], Weights::from_i32(&[2, 2])), &[])?;
        let ok = net.ew(nvinfer::layers::elementwise::EQUAL, s, want)?;
        net.layer(Assertion::of("two rows expected"), &[ok])?;
        Ok(vec![net.add(Identity::default(), &[ins[0]])?])
    });
    assert_mentions(&msg, "two rows expected");
}

// ---------------------------------------------------------------- refusals

#[test]
fn refusals() {
    let x = || f(&[4, 2], &[0.0; 8]);
    // Data leaving a loop other than through a loop output.
    let msg = build_error(vec![x()], |net, ins| {
        let l = net.n.add_loop()?;
        let n = net.int(4)?;
        net.count(l, n)?;
        let row = net.iterate(l, ins[0], 0, false)?;
        Ok(vec![net.add(Identity::default(), &[row])?])
    });
    assert_mentions(&msg, "only through an ILoopOutputLayer");
    // A recurrence whose next value has other dims.
    let msg = build_error(vec![x()], |net, ins| {
        let l = net.n.add_loop()?;
        let n = net.int(4)?;
        net.count(l, n)?;
        let zero = net.floats(&[3], &[0.0; 3])?;
        let (r, acc) = net.recurrence(l, zero)?;
        let row = net.iterate(l, ins[0], 0, false)?;
        let next = net.ew(SUM, row, row)?;
        net.next(r, next)?;
        Ok(vec![net.out(l, acc, LAST_VALUE, 0)?])
    });
    assert_mentions(&msg, "keeps its shape");
    // A recurrence without a next value.
    let msg = build_error(vec![x()], |net, ins| {
        let l = net.n.add_loop()?;
        let n = net.int(4)?;
        net.count(l, n)?;
        let (_, acc) = net.recurrence(l, ins[0])?;
        Ok(vec![net.out(l, acc, LAST_VALUE, 0)?])
    });
    assert_mentions(&msg, "no next value");
    // A loop without a trip limit or iterator.
    let msg = build_error(vec![f(&[], &[1.0])], |net, ins| {
        let l = net.n.add_loop()?;
        let (r, v) = net.recurrence(l, ins[0])?;
        let d = net.ew(SUM, v, v)?;
        net.next(r, d)?;
        Ok(vec![net.out(l, v, LAST_VALUE, 0)?])
    });
    assert_mentions(&msg, "trip limit");
    // A kCOUNT limit that is not a 0-D kINT32.
    let msg = build_error(vec![f(&[], &[1.0])], |net, ins| {
        let l = net.n.add_loop()?;
        net.count(l, ins[0])?;
        Ok(vec![])
    });
    assert_mentions(&msg, "0-D kINT32");
    // A kWHILE concatenation with no length and no iterator.
    let msg = build_error(vec![f(&[], &[1.0])], |net, ins| {
        let l = net.n.add_loop()?;
        let (r, v) = net.recurrence(l, ins[0])?;
        let hundred = net.floats(&[], &[100.0])?;
        let go = net.ew(LESS, v, hundred)?;
        net.layer(TripLimit::of(l, TRIP_WHILE), &[go])?;
        let d = net.ew(SUM, v, v)?;
        net.next(r, d)?;
        Ok(vec![net.out(l, v, CONCATENATE, 0)?])
    });
    assert_mentions(&msg, "setInput(1, length)");
    // A condition that is not a 0-D kBOOL.
    let msg = build_error(vec![t(Bool, &[2], vec![1.0, 0.0])], |net, ins| {
        let k = net.n.add_conditional()?;
        net.layer(Condition::of(k), &[ins[0]])?;
        Ok(vec![])
    });
    assert_mentions(&msg, "0-D kBOOL");
    let msg = build_error(vec![f(&[], &[1.0])], |net, ins| {
        let k = net.n.add_conditional()?;
        net.layer(Condition::of(k), &[ins[0]])?;
        Ok(vec![])
    });
    assert_mentions(&msg, "0-D kBOOL");
    // Branch outputs of different types or shapes.
    let msg = build_error(vec![t(Bool, &[], vec![1.0]), f(&[2], &[1.0, 2.0]), i(&[2], &[1.0, 2.0])], |net, ins| {
        let k = net.n.add_conditional()?;
        net.layer(Condition::of(k), &[ins[0]])?;
        let a = net.add(ConditionalInput::of(k), &[ins[1]])?;
        let b = net.add(ConditionalInput::of(k), &[ins[2]])?;
        Ok(vec![net.add(ConditionalOutput::of(k), &[a, b])?])
    });
    assert_mentions(&msg, "same type");
    let msg = build_error(vec![t(Bool, &[], vec![1.0]), f(&[2], &[1.0, 2.0]), f(&[3], &[1.0, 2.0, 3.0])], |net, ins| {
        let k = net.n.add_conditional()?;
        net.layer(Condition::of(k), &[ins[0]])?;
        let a = net.add(ConditionalInput::of(k), &[ins[1]])?;
        let b = net.add(ConditionalInput::of(k), &[ins[2]])?;
        Ok(vec![net.add(ConditionalOutput::of(k), &[a, b])?])
    });
    assert_mentions(&msg, "differ in dimension 0");
    // A conditional without a condition.
    let msg = build_error(vec![f(&[2], &[1.0, 2.0])], |net, ins| {
        let k = net.n.add_conditional()?;
        let a = net.add(ConditionalInput::of(k), &[ins[0]])?;
        let b = net.add(Identity::default(), &[a])?;
        Ok(vec![net.add(ConditionalOutput::of(k), &[a, b])?])
    });
    assert_mentions(&msg, "condition");
    // Data leaving a conditional other than through an output.
    let msg = build_error(vec![t(Bool, &[], vec![1.0]), f(&[2], &[1.0, 2.0])], |net, ins| {
        let k = net.n.add_conditional()?;
        net.layer(Condition::of(k), &[ins[0]])?;
        let a = net.add(ConditionalInput::of(k), &[ins[1]])?;
        let b = net.add(Identity::default(), &[a])?;
        let _o = net.add(ConditionalOutput::of(k), &[a, b])?;
        Ok(vec![b])
    });
    assert_mentions(&msg, "conditional");
    // A boundary layer naming a loop the network does not have.
    let msg = build_error(vec![f(&[2], &[1.0, 2.0])], |net, ins| Ok(vec![net.add(Iter::of(3, 0, false), &[ins[0]])?]));
    assert_mentions(&msg, "loop 3");
    // An assertion on a tensor that is not a kBOOL shape tensor.
    let msg = build_error(vec![f(&[2], &[1.0, 2.0])], |net, ins| {
        net.layer(Assertion::of("m"), &[ins[0]])?;
        Ok(vec![ins[0]])
    });
    assert_mentions(&msg, "kBOOL shape tensor");
    // Loops and conditionals need explicit batch.
    let mut implicit = Network::new();
    implicit.implicit_batch = true;
    assert_mentions(&implicit.add_loop().unwrap_err().message, "explicit-batch");
    assert_mentions(&implicit.add_conditional().unwrap_err().message, "explicit-batch");
}

/// Running past an iterator's extent (a count larger than the rows) fails the run with a
/// clear error, and the context still runs a good count.
#[test]
fn count_past_an_iterator() {
    let build: Build = Box::new(|net, ins| {
        let l = net.n.add_loop()?;
        net.count(l, ins[0])?;
        let row = net.iterate(l, ins[1], 0, false)?;
        let id = net.add(Identity::default(), &[row])?;
        let len = net.int(4)?;
        Ok(vec![net.out_len(l, id, CONCATENATE, 0, len)?])
    });
    let x = f(&[2, 1], &[1.0, 2.0]);
    for target in targets() {
        let engine = engine(&[i(&[], &[2.0]), x.clone()], &build, &target).unwrap();
        let mut ctx = ExecutionContext::new(engine.clone()).unwrap();
        let err = execute(&mut ctx, &engine, &[i(&[], &[3.0]), x.clone()], 1, &target).expect_err("3 iterations over 2 rows");
        assert_mentions(&err.message, "slices");
        let got = execute(&mut ctx, &engine, &[i(&[], &[2.0]), x.clone()], 1, &target).unwrap();
        assert_eq!(got[0].values, vec![1.0, 2.0, 0.0, 0.0], "{}", backend_name(&target));
    }
}

/// A body layer forced to kHALF (kOBEY_PRECISION_CONSTRAINTS) in a kFLOAT loop: what the
/// recurrence and the loop output read is cast back to kFLOAT, so the loop keeps its types.
#[test]
fn half_precision_body() {
    use nvinfer::builder::config::{FLAG_FP16, FLAG_OBEY_PRECISION_CONSTRAINTS};
    for target in targets() {
        let mut net = Net { n: Network::new() };
        let x = net.n.add_input("in0", Float, &[4, 2]).unwrap();
        let outs = running_sum(x, &mut net, &[LAST_VALUE, CONCATENATE]).unwrap();
        let sum = net.n.layers.iter().position(|l| l.op.kind() == nvinfer::layers::Kind::ElementWise).unwrap();
        net.n.layers[sum].precision = Some(DataType::Half);
        for (k, &o) in outs.iter().enumerate() {
            net.n.set_tensor_name(o, &format!("out{k}")).unwrap();
            net.n.mark_output(o).unwrap();
        }
        let mut config = BuilderConfig::default();
        config.set_flag(FLAG_FP16, true);
        config.set_flag(FLAG_OBEY_PRECISION_CONSTRAINTS, true);
        let plan = build_for(&net.n, &config, &common::quiet(), target.clone()).unwrap();
        let engine = Arc::new(Engine::deserialize(&plan).unwrap());
        let casts = engine.desc.layers.iter().filter(|l| l.op.kind() == nvinfer::layers::Kind::Cast).count();
        assert!(casts >= 2, "the half sum has casts in and out, not {casts}");
        let mut ctx = ExecutionContext::new(engine.clone()).unwrap();
        let x = f(&[4, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
        let got = execute(&mut ctx, &engine, &[x], 2, &target).unwrap();
        let mut failures = vec![];
        let want = [f(&[2], &[16.0, 20.0]), f(&[4, 2], &[1.0, 2.0, 4.0, 6.0, 9.0, 12.0, 16.0, 20.0])];
        compare(&format!("{} half body", backend_name(&target)), &got, &want, &mut failures);
        assert!(failures.is_empty(), "{failures:?}");
    }
}
