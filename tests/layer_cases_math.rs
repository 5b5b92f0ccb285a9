//! Cases for the "math" layer kinds (Unary, Scale, ParametricReLU, LRN, Reduce, TopK,
//! Normalization, RaggedSoftMax, Quantize/Dequantize, Einsum) through the table-driven harness
//! (tests/common/cases.rs): every case runs on every backend this machine has, in every type
//! it lists, against a reference computed here in f64; the tricky modes also against values
//! worked out by hand. Each kind also has a test of what it refuses, with the message.

mod common;

use common::cases::*;
use nvinfer::backend::Target;
use nvinfer::ir::Network;
use nvinfer::layers::generated::*;
use nvinfer::layers::Layer;
use nvinfer::types::DataType;
use nvinfer::weights::Weights;

use DataType::{Bool, Float, Half, Int32, Int8};

// ---------------------------------------------------------------- helpers

/// The message of the error adding `layer` to a network with inputs of these types and dims.
fn add_error(layer: impl Layer, inputs: &[(DataType, &[i64])]) -> String {
    let mut net = Network::new();
    let ids: Vec<usize> = inputs.iter().enumerate().map(|(i, (t, d))| net.add_input(&format!("in{i}"), *t, d).unwrap()).collect();
    match net.add_layer(Box::new(layer), &ids) {
        Ok(_) => panic!("the layer was accepted"),
        Err(e) => e.message,
    }
}

/// The message of the error building (or running) `case` on the CPU.
fn build_error(case: Case) -> String {
    match run(&case, &Target::Cpu) {
        Ok(_) => panic!("{}: the case built and ran", case.what),
        Err(e) => e.message,
    }
}

fn assert_mentions(message: &str, needle: &str) {
    assert!(message.contains(needle), "error message {message:?} does not mention {needle:?}");
}

fn f32s(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

fn weights(v: &[f64]) -> Weights {
    Weights::from_f32(&f32s(v))
}

/// Values in [lo, hi) from the harness's pseudo-random stream.
fn uniform(dtype: DataType, dims: &[i64], seed: u64, lo: f64, hi: f64) -> T {
    let r = common::random(count(dims), seed);
    t(dtype, dims, r.iter().map(|&v| lo + (v as f64 + 1.0) / 2.0 * (hi - lo)).collect())
}

/// erf by Simpson's rule on 2/sqrt(pi) exp(-t^2) over [0, x] (independent of the library's
/// series): 4000 intervals keep the error far below 1e-12.
fn erf_ref(x: f64) -> f64 {
    let n = 4000;
    let h = x / n as f64;
    let f = |t: f64| (-t * t).exp();
    let mut s = f(0.0) + f(x);
    for i in 1..n {
        s += f(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    s * h / 3.0 * 2.0 / std::f64::consts::PI.sqrt()
}

// ---------------------------------------------------------------- Unary

#[test]
fn unary() {
    type Op = (i32, &'static str, f64, f64, fn(f64) -> f64);
    let ops: [Op; 19] = [
        (0, "kEXP", -2.0, 2.0, f64::exp),
        (1, "kLOG", 0.1, 3.0, f64::ln),
        (2, "kSQRT", 0.0, 4.0, f64::sqrt),
        (4, "kABS", -2.0, 2.0, f64::abs),
        (5, "kNEG", -2.0, 2.0, |v| -v),
        (6, "kSIN", -3.0, 3.0, f64::sin),
        (7, "kCOS", -3.0, 3.0, f64::cos),
        (8, "kTAN", -1.2, 1.2, f64::tan),
        (9, "kSINH", -2.0, 2.0, f64::sinh),
        (10, "kCOSH", -2.0, 2.0, f64::cosh),
        (11, "kASIN", -0.95, 0.95, f64::asin),
        (12, "kACOS", -0.95, 0.95, f64::acos),
        (13, "kATAN", -3.0, 3.0, f64::atan),
        (14, "kASINH", -3.0, 3.0, f64::asinh),
        (15, "kACOSH", 1.0, 4.0, f64::acosh),
        (16, "kATANH", -0.9, 0.9, f64::atanh),
        (17, "kCEIL", -3.0, 3.0, f64::ceil),
        (18, "kFLOOR", -3.0, 3.0, f64::floor),
        (19, "kERF", -3.0, 3.0, erf_ref),
    ];
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        for (i, (op, name, lo, hi, f)) in ops.into_iter().enumerate() {
            let x = uniform(dtype, &[2, 3, 5], 200 + i as u64, lo, hi);
            let y = out(dtype, &x.dims, x.values.iter().map(|&v| f(v)).collect());
            cases.push(case(name, Unary::of(op), vec![x], y));
        }
        // kRECIP away from 0: |x| in [0.25, 2].
        let x = t(dtype, &[8], vec![0.25, -0.5, 1.0, -2.0, 0.75, 1.5, -1.25, 2.0]);
        cases.push(case("kRECIP", Unary::of(3), vec![x.clone()], out(dtype, &[8], x.values.iter().map(|v| 1.0 / v).collect())));
        // kSIGN: -1, 0 or 1.
        let x = t(dtype, &[5], vec![-2.5, 0.0, 0.25, -0.001, 7.0]);
        cases.push(case("kSIGN", Unary::of(21), vec![x], out(dtype, &[5], vec![-1.0, 0.0, 1.0, -1.0, 1.0])));
        // kROUND: halves go to the even neighbour: -2.5 → -2, -1.5 → -2, -0.5 → -0, 0.5 → 0,
        // 1.5 → 2, 2.5 → 2, 3.5 → 4; others to the nearest: 0.4 → 0, -0.6 → -1, 3.7 → 4.
        let x = t(dtype, &[10], vec![-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.4, -0.6, 3.7]);
        let y = out(dtype, &[10], vec![-2.0, -2.0, 0.0, 0.0, 2.0, 2.0, 4.0, 0.0, -1.0, 4.0]);
        cases.push(case("kROUND halves to even", Unary::of(22), vec![x], y));
        // kISINF gives kBOOL: only ±inf are 1 (NaN and the largest finite value are not).
        let big = if dtype == Half { 65504.0 } else { f32::MAX as f64 };
        let x = t(dtype, &[6], vec![f64::INFINITY, f64::NEG_INFINITY, f64::NAN, big, 0.0, -1.0]);
        cases.push(case("kISINF", Unary::of(23), vec![x], out(Bool, &[6], vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0])));
        // erf by hand: erf(0) = 0, erf(1) = 0.8427007929497149, erf(-0.5) = -0.5204998778130465.
        let x = t(dtype, &[3], vec![0.0, 1.0, -0.5]);
        cases.push(case("kERF known values", Unary::of(19), vec![x], out(dtype, &[3], vec![0.0, 0.8427007929497149, -0.5204998778130465])));
    }
    // kINT32: kABS, kNEG and kSIGN wrap like int32 arithmetic: |INT32_MIN| = -INT32_MIN = INT32_MIN.
    let min = i32::MIN as f64;
    let x = t(Int32, &[6], vec![-7.0, 0.0, 5.0, min, i32::MAX as f64, -1.0]);
    cases.push(case("kABS on kINT32", Unary::of(4), vec![x.clone()], out(Int32, &[6], vec![7.0, 0.0, 5.0, min, i32::MAX as f64, 1.0])));
    cases.push(case("kNEG on kINT32", Unary::of(5), vec![x.clone()], out(Int32, &[6], vec![7.0, 0.0, -5.0, min, -(i32::MAX as f64), 1.0])));
    cases.push(case("kSIGN on kINT32", Unary::of(21), vec![x], out(Int32, &[6], vec![-1.0, 0.0, 1.0, -1.0, 1.0, -1.0])));
    let x = ints(Int32, &[3, 4], 230, -50, 50);
    cases.push(case(
        "kABS on kINT32 (random)",
        Unary::of(4),
        vec![x.clone()],
        out(Int32, &[3, 4], x.values.iter().map(|v| v.abs()).collect()),
    ));
    // kNOT on kBOOL.
    let x = t(Bool, &[2, 2], vec![0.0, 1.0, 1.0, 0.0]);
    cases.push(case("kNOT on kBOOL", Unary::of(20), vec![x], out(Bool, &[2, 2], vec![1.0, 0.0, 0.0, 1.0])));
    // Symbolic dims.
    let x = uniform(Float, &[3, 4], 240, -2.0, 2.0);
    let y = out(Float, &[3, 4], x.values.iter().map(|v| v.exp()).collect());
    cases.push(case("kEXP", Unary::of(0), vec![x], y).dynamic());
    check("Unary", cases);
}

#[test]
fn unary_refusals() {
    assert_mentions(&add_error(Unary::of(0), &[(Int32, &[2])]), "kINT32");
    assert_mentions(&add_error(Unary::of(20), &[(Float, &[2])]), "kFLOAT");
    assert_mentions(&add_error(Unary::of(24), &[(Float, &[2])]), "unknown UnaryOperation 24");
    assert_mentions(&add_error(Unary::of(0), &[(Int8, &[2])]), "INT8 mode");
}

// ---------------------------------------------------------------- Scale

/// (x * scale + shift) ^ power with coefficient index `index(i)` (a single coefficient
/// applies everywhere, an empty set is the identity).
fn scale_ref(x: &T, shift: &[f64], scale: &[f64], power: &[f64], index: impl Fn(usize) -> usize) -> Vec<f64> {
    let pick = |v: &[f64], i: usize, id: f64| match v.len() {
        0 => id,
        1 => v[0],
        _ => v[index(i)],
    };
    x.values.iter().enumerate().map(|(i, &v)| (v * pick(scale, i, 1.0) + pick(shift, i, 0.0)).powf(pick(power, i, 1.0))).collect()
}

fn opt(v: &[f64]) -> Option<Weights> {
    (!v.is_empty()).then(|| weights(v))
}

#[test]
fn scale() {
    let mut cases = vec![];
    let dims = [2i64, 3, 2, 2];
    for dtype in FLOAT_TYPES {
        let x = rand(dtype, &dims, 300);
        // kUNIFORM by hand: x = 1 gives (2 * 1 + 0.5)^2 = 6.25, x = -1 gives (-1.5)^2 = 2.25.
        let x1 = t(dtype, &[1, 1, 1, 2], vec![1.0, -1.0]);
        let layer = Scale::of(0, opt(&[0.5]), opt(&[2.0]), opt(&[2.0]), 1);
        cases.push(case("kUNIFORM by hand", layer, vec![x1], out(dtype, &[1, 1, 1, 2], vec![6.25, 2.25])));
        let (sh, sc, pw) = ([0.25], [-1.5], [3.0]);
        let y = scale_ref(&x, &sh, &sc, &pw, |_| 0);
        cases.push(case("kUNIFORM", Scale::of(0, opt(&sh), opt(&sc), opt(&pw), 1), vec![x.clone()], out(dtype, &dims, y)));
        // kCHANNEL on axis 1: coefficient (i / 4) % 3; integer powers keep negative bases real.
        let (sh, sc, pw) = ([0.5, -0.25, 1.0], [2.0, 0.5, -1.0], [1.0, 2.0, 3.0]);
        let y = scale_ref(&x, &sh, &sc, &pw, |i| (i / 4) % 3);
        cases.push(case("kCHANNEL", Scale::of(1, opt(&sh), opt(&sc), opt(&pw), 1), vec![x.clone()], out(dtype, &dims, y)));
        // kCHANNEL on axis 2 (addScaleNd): coefficient (i / 2) % 2.
        let (sh, sc) = ([1.0, -1.0], [3.0, 0.25]);
        let y = scale_ref(&x, &sh, &sc, &[], |i| (i / 2) % 2);
        cases.push(case("kCHANNEL on axis 2, no power", Scale::of(1, opt(&sh), opt(&sc), None, 2), vec![x.clone()], out(dtype, &dims, y)));
        // kELEMENTWISE from axis 1: 12 coefficients, index i % 12.
        let sc: Vec<f64> = (0..12).map(|i| 0.25 * i as f64 - 1.0).collect();
        let sh: Vec<f64> = (0..12).map(|i| 0.1 * i as f64).collect();
        let y = scale_ref(&x, &sh, &sc, &[], |i| i % 12);
        cases.push(case("kELEMENTWISE", Scale::of(2, opt(&sh), opt(&sc), None, 1), vec![x.clone()], out(dtype, &dims, y)));
        // Empty weights are the identity: only a shift here.
        let y = scale_ref(&x, &[0.75], &[], &[], |_| 0);
        cases.push(case("shift only", Scale::of(0, opt(&[0.75]), None, None, 1), vec![x.clone()], out(dtype, &dims, y)));
        cases.push(case("all empty: identity", Scale::of(1, None, None, None, 1), vec![x.clone()], out(dtype, &dims, x.values.clone())));
    }
    // Symbolic dims: the coefficient counts are checked when shapes are known.
    let x = rand(Float, &dims, 301);
    let sc = [2.0, -1.0, 0.5];
    let y = scale_ref(&x, &[], &sc, &[], |i| (i / 4) % 3);
    cases.push(case("kCHANNEL", Scale::of(1, None, opt(&sc), None, 1), vec![x], out(Float, &dims, y)).dynamic());
    check("Scale", cases);
}

#[test]
fn scale_refusals() {
    let three = Some(weights(&[1.0, 2.0, 3.0]));
    assert_mentions(&add_error(Scale::of(0, None, None, None, 1), &[(Float, &[2, 3, 4])]), "at least 4 dimensions");
    assert_mentions(&add_error(Scale::of(1, None, three.clone(), None, 4), &[(Float, &[1, 3, 2, 2])]), "channel axis 4");
    assert_mentions(&add_error(Scale::of(1, None, three.clone(), None, 1), &[(Float, &[1, 4, 2, 2])]), "scale coefficients");
    assert_mentions(&add_error(Scale::of(0, None, three, None, 1), &[(Float, &[1, 3, 2, 2])]), "scale coefficients");
    assert_mentions(&add_error(Scale::of(3, None, None, None, 1), &[(Float, &[1, 3, 2, 2])]), "unknown ScaleMode 3");
    assert_mentions(&add_error(Scale::of(0, None, None, None, 1), &[(Int32, &[1, 3, 2, 2])]), "kINT32");
}

// ---------------------------------------------------------------- ParametricReLU

fn prelu_ref(x: &T, slope: &T) -> Vec<f64> {
    let s = strides(&slope.dims);
    (0..x.values.len() as i64)
        .map(|i| {
            let c = coords(i, &x.dims);
            let at: i64 = c.iter().zip(&slope.dims).zip(&s).map(|((&c, &d), &st)| if d == 1 { 0 } else { c * st }).sum();
            let v = x.values[i as usize];
            if v >= 0.0 {
                v
            } else {
                v * slope.values[at as usize]
            }
        })
        .collect()
}

#[test]
fn parametric_relu() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        let x = rand(dtype, &[2, 3, 4], 400);
        // By hand: slopes 0.1 and -2 per channel: -1 → -0.1 (channel 0), -0.5 → 1 (channel 1).
        let xs = t(dtype, &[1, 2, 2], vec![-1.0, 3.0, -0.5, 0.0]);
        let ss = t(dtype, &[1, 2, 1], vec![0.1, -2.0]);
        cases.push(case("per-channel by hand", ParametricReLU::new(), vec![xs, ss], out(dtype, &[1, 2, 2], vec![-0.1, 3.0, 1.0, 0.0])));
        for (what, sdims) in [("per channel", [1i64, 3, 1]), ("full", [2, 3, 4]), ("single", [1, 1, 1]), ("last axis", [1, 1, 4])] {
            let slope = rand(dtype, &sdims, 401 + sdims.iter().sum::<i64>() as u64);
            let y = prelu_ref(&x, &slope);
            cases.push(case(what, ParametricReLU::new(), vec![x.clone(), slope.clone()], out(dtype, &[2, 3, 4], y.clone())));
            if what == "per channel" {
                cases.push(
                    case("constant slope", ParametricReLU::new(), vec![x.clone(), slope], out(dtype, &[2, 3, 4], y)).constant_inputs(&[1]),
                );
            }
        }
    }
    let x = rand(Float, &[2, 3, 4], 410);
    let slope = rand(Float, &[1, 3, 1], 411);
    let y = prelu_ref(&x, &slope);
    cases.push(
        case("constant per-channel slope", ParametricReLU::new(), vec![x, slope], out(Float, &[2, 3, 4], y))
            .constant_inputs(&[1])
            .dynamic(),
    );
    check("ParametricReLU", cases);
}

#[test]
fn parametric_relu_refusals() {
    assert_mentions(&add_error(ParametricReLU::new(), &[(Float, &[2, 3, 4]), (Float, &[3, 4])]), "rank");
    assert_mentions(&add_error(ParametricReLU::new(), &[(Float, &[2, 3, 4]), (Float, &[1, 2, 1])]), "slope dimension 1");
    assert_mentions(&add_error(ParametricReLU::new(), &[(Float, &[2, 3]), (Float, &[3, 1])]), "slope dimension 0");
    assert_mentions(&add_error(ParametricReLU::new(), &[(Int32, &[2]), (Int32, &[2])]), "kINT32");
}

// ---------------------------------------------------------------- LRN

/// Cross-channel LRN in f64 over the third axis from the end.
fn lrn_ref(x: &T, window: i64, alpha: f64, beta: f64, k: f64) -> Vec<f64> {
    let r = x.dims.len();
    let c_axis = r - 3;
    let channels = x.dims[c_axis];
    let s = strides(&x.dims);
    (0..x.values.len() as i64)
        .map(|i| {
            let c = coords(i, &x.dims)[c_axis];
            let half = (window - 1) / 2;
            let sum: f64 =
                ((c - half).max(0)..=(c + half).min(channels - 1)).map(|ch| x.values[(i + (ch - c) * s[c_axis]) as usize].powi(2)).sum();
            x.values[i as usize] / (k + alpha / window as f64 * sum).powf(beta)
        })
        .collect()
}

#[test]
fn lrn() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // TensorRT's documented example: channels valued 0..4, window 3, alpha 1, beta 1,
        // k 0.1. Channel 1: 1 / (0.1 + (0 + 1 + 4) / 3) = 0.56603765; channel 2: 2 / (0.1 +
        // 14 / 3) = 0.4195804; channel 3: 3 / (0.1 + 29 / 3) = 0.3071672; channel 4:
        // 4 / (0.1 + 25 / 3) = 0.47430828.
        let x = t(dtype, &[1, 5, 2, 2], (0..20).map(|i| (i / 4) as f64).collect());
        let per_channel = [0.0, 0.56603765, 0.4195804, 0.3071672, 0.47430828];
        let y = out(dtype, &[1, 5, 2, 2], (0..20).map(|i| per_channel[i / 4]).collect());
        cases.push(case("TensorRT's example", LRN::of(3, 1.0, 1.0, 0.1), vec![x], y));
        for (i, (dims, window, alpha, beta, k)) in [
            (&[2i64, 7, 3, 2][..], 5, 0.5, 0.75, 2.0),
            (&[1, 7, 2, 2], 15, 1e-2, 0.5, 1.0),
            (&[1, 4, 3, 3], 1, 2.0, 1.5, 1e-5),
            (&[6, 2, 3], 3, 1.0, 0.75, 1.0),
            (&[2, 1, 5, 2, 2], 7, 0.3, 2.0, 0.5),
        ]
        .into_iter()
        .enumerate()
        {
            let x = rand(dtype, dims, 500 + i as u64);
            let y = lrn_ref(&x, window, alpha, beta, k);
            cases.push(case(
                format!("{dims:?} window {window}"),
                LRN::of(window as i32, alpha as f32, beta as f32, k as f32),
                vec![x],
                out(dtype, dims, y),
            ));
        }
    }
    let x = rand(Float, &[2, 5, 3, 2], 510);
    let y = lrn_ref(&x, 3, 0.5, 0.75, 1.0);
    cases.push(case("window 3", LRN::of(3, 0.5, 0.75, 1.0), vec![x], out(Float, &[2, 5, 3, 2], y)).dynamic());
    check("LRN", cases);
}

#[test]
fn lrn_refusals() {
    let x: &[(DataType, &[i64])] = &[(Float, &[1, 5, 2, 2])];
    assert_mentions(&add_error(LRN::of(4, 1.0, 0.75, 1.0), x), "window 4");
    assert_mentions(&add_error(LRN::of(17, 1.0, 0.75, 1.0), x), "window 17");
    assert_mentions(&add_error(LRN::of(3, 1.0, 0.0, 1.0), x), "beta");
    assert_mentions(&add_error(LRN::of(3, 1.0, 0.75, 0.0), x), "k 0");
    assert_mentions(&add_error(LRN::of(3, 1e21, 0.75, 1.0), x), "alpha");
    assert_mentions(&add_error(LRN::of(3, 1.0, 0.75, 1.0), &[(Float, &[5, 2])]), "at least 3 dimensions");
}

// ---------------------------------------------------------------- Reduce

/// Reduces `x` over the axes of `mask` in f64 (the integer average truncates).
fn reduce_ref(x: &T, op: i32, mask: u32, keep: bool) -> T {
    let r = x.dims.len();
    let reduced: Vec<bool> = (0..r).map(|a| mask >> a & 1 == 1).collect();
    let out_full: Vec<i64> = x.dims.iter().zip(&reduced).map(|(&d, &red)| if red { 1 } else { d }).collect();
    let mut groups: Vec<Vec<f64>> = vec![vec![]; count(&out_full)];
    for (i, &v) in x.values.iter().enumerate() {
        let c = coords(i as i64, &x.dims);
        let o: i64 = c.iter().zip(&reduced).zip(strides(&out_full)).map(|((&c, &red), s)| if red { 0 } else { c * s }).sum();
        groups[o as usize].push(v);
    }
    let int = x.dtype == Int32;
    let values = groups
        .iter()
        .map(|g| match op {
            0 => g.iter().sum(),
            1 => g.iter().product(),
            2 => g.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
            3 => g.iter().cloned().fold(f64::INFINITY, f64::min),
            _ if int => (g.iter().sum::<f64>() / g.len() as f64).trunc(),
            _ => g.iter().sum::<f64>() / g.len() as f64,
        })
        .collect();
    let dims: Vec<i64> = if keep { out_full } else { x.dims.iter().zip(&reduced).filter(|(_, &red)| !red).map(|(&d, _)| d).collect() };
    out(x.dtype, &dims, values)
}

#[test]
fn reduce() {
    let names = ["kSUM", "kPROD", "kMAX", "kMIN", "kAVG"];
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        let x = rand(dtype, &[2, 3, 4], 600);
        for (op, name) in names.iter().enumerate() {
            for mask in [0b010u32, 0b101, 0b111, 0b001, 0b100] {
                for keep in [false, true] {
                    let y = reduce_ref(&x, op as i32, mask, keep);
                    cases.push(case(format!("{name} axes {mask:#05b} keep {keep}"), Reduce::of(op as i32, mask, keep), vec![x.clone()], y));
                }
            }
        }
        // No axes: a copy.
        cases.push(case("kSUM no axes", Reduce::of(0, 0, false), vec![x.clone()], x.clone()));
        // Nothing to reduce (an axis of size 0): each operation's identity, NaN for the average.
        let empty = t(dtype, &[2, 0, 3], vec![]);
        for (op, v) in [(0, 0.0), (1, 1.0), (2, f64::NEG_INFINITY), (3, f64::INFINITY), (4, f64::NAN)] {
            let y = out(dtype, &[2, 3], vec![v; 6]);
            cases.push(case(format!("{} over an empty axis", names[op as usize]), Reduce::of(op, 0b010, false), vec![empty.clone()], y));
        }
        // A long reduction (one output of 5000 values, spread over a warp on the GPU).
        let big = rand(dtype, &[5000], 601);
        cases.push(case("kSUM of 5000", Reduce::of(0, 1, false), vec![big.clone()], reduce_ref(&big, 0, 1, false)));
        cases.push(case("kMAX of 5000", Reduce::of(2, 1, true), vec![big.clone()], reduce_ref(&big, 2, 1, true)));
    }
    // kINT32 by hand over axis 1 of [[1, 2, -4], [7, -8, 5]]: sums -1 and 4, products -8 and
    // -280, maxima 2 and 7, minima -4 and -8, averages -1/3 → 0 and 4/3 → 1 (truncated).
    let x = t(Int32, &[2, 3], vec![1.0, 2.0, -4.0, 7.0, -8.0, 5.0]);
    for (op, y) in [(0, [-1.0, 4.0]), (1, [-8.0, -280.0]), (2, [2.0, 7.0]), (3, [-4.0, -8.0]), (4, [0.0, 1.0])] {
        cases.push(case(
            format!("{} on kINT32 by hand", names[op as usize]),
            Reduce::of(op, 0b10, false),
            vec![x.clone()],
            out(Int32, &[2], y.to_vec()),
        ));
    }
    let xi = ints(Int32, &[3, 4, 2], 602, -9, 9);
    for (op, name) in names.iter().enumerate() {
        for mask in [0b011u32, 0b100] {
            let y = reduce_ref(&xi, op as i32, mask, true);
            cases.push(case(format!("{name} on kINT32 axes {mask:#05b}"), Reduce::of(op as i32, mask, true), vec![xi.clone()], y));
        }
    }
    // Symbolic dims.
    let x = rand(Float, &[3, 5, 2], 603);
    cases.push(case("kAVG axes 0b110", Reduce::of(4, 0b110, false), vec![x.clone()], reduce_ref(&x, 4, 0b110, false)).dynamic());
    cases.push(case("kMIN axes 0b001 keep", Reduce::of(3, 0b001, true), vec![x.clone()], reduce_ref(&x, 3, 0b001, true)).dynamic());
    check("Reduce", cases);
}

#[test]
fn reduce_refusals() {
    assert_mentions(&add_error(Reduce::of(0, 0b1000, false), &[(Float, &[2, 3, 4])]), "beyond the input's 3 axes");
    assert_mentions(&add_error(Reduce::of(5, 1, false), &[(Float, &[2])]), "unknown ReduceOperation 5");
    assert_mentions(&add_error(Reduce::of(0, 1, false), &[(Bool, &[2])]), "kBOOL");
}

/// A reduce over a 1-D kINT32 shape tensor keeps its values on the host: the product of an
/// input's dims reshapes another tensor to [n] (shape arithmetic as ONNX models do it).
#[test]
fn reduce_computes_shape_values() {
    use nvinfer::layers::elementwise::SUM;
    let mut net = Network::new();
    let x = net.add_input("x", Float, &[2, 3, 4]).unwrap();
    let shape = net.add_layer(Box::new(Shape::new()), &[x]).unwrap();
    let shape = net.layers[shape].outputs[0];
    let prod = net.add_layer(Box::new(Reduce::of(1, 1, true)), &[shape]).unwrap();
    let prod = net.layers[prod].outputs[0];
    let sum = net.add_layer(Box::new(Reduce::of(0, 1, true)), &[shape]).unwrap();
    let sum = net.layers[sum].outputs[0];
    assert_eq!(net.tensors[prod].values.as_ref().map(|v| net.shapes.known(v)), Some(vec![24]));
    assert_eq!(net.tensors[sum].values.as_ref().map(|v| net.shapes.known(v)), Some(vec![9]));
    let both = net.add_layer(Box::new(ElementWise::of(SUM)), &[prod, sum]).unwrap();
    let both = net.layers[both].outputs[0];
    assert_eq!(net.tensors[both].values.as_ref().map(|v| net.shapes.known(v)), Some(vec![33]));
    let flat = net.add_layer(Box::new(Shuffle::new()), &[x, prod]).unwrap();
    let flat = net.layers[flat].outputs[0];
    assert_eq!(net.known_dims(flat), vec![24]);
}

// ---------------------------------------------------------------- TopK

/// Top-k of `x` along `axis` in f64: larger (kMAX) or smaller (kMIN) first, NaN above every
/// number, the lower index first among equals. Returns (values, indices).
fn top_k_ref(x: &T, largest: bool, k: i64, axis: usize) -> (T, T) {
    let mut dims = x.dims.clone();
    let n = dims[axis];
    dims[axis] = k;
    let s = strides(&x.dims);
    let (mut values, mut indices) = (vec![0.0; count(&dims)], vec![0.0; count(&dims)]);
    for (o, (val, idx)) in values.iter_mut().zip(indices.iter_mut()).enumerate() {
        let c = coords(o as i64, &dims);
        let base: i64 = c.iter().zip(&s).enumerate().map(|(a, (&c, &st))| if a == axis { 0 } else { c * st }).sum();
        let mut order: Vec<(i64, f64)> = (0..n).map(|j| (j, x.values[(base + j * s[axis]) as usize])).collect();
        // Sort key: (NaN first or last, value), ties by index.
        order.sort_by(|a, b| {
            let ka = (a.1.is_nan() as i32, if a.1.is_nan() { 0.0 } else { a.1 });
            let kb = (b.1.is_nan() as i32, if b.1.is_nan() { 0.0 } else { b.1 });
            let ord = if largest { kb.partial_cmp(&ka) } else { ka.partial_cmp(&kb) };
            ord.unwrap().then(a.0.cmp(&b.0))
        });
        let (j, v) = order[c[axis] as usize];
        *val = v;
        *idx = j as f64;
    }
    (out(x.dtype, &dims, values), out(Int32, &dims, indices))
}

fn top_k_case(what: &str, x: &T, op: i32, k: i64, axis: usize) -> Case {
    let (v, i) = top_k_ref(x, op == 0, k, axis);
    case(what, TopK::of(op, k as i32, 1 << axis), vec![x.clone()], v).with_outputs(vec![i])
}

#[test]
fn top_k() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // Ties by hand: [3, 1, 3, 2, 3] with k = 3: kMAX gives 3, 3, 3 at 0, 2, 4; kMIN gives
        // 1, 2, 3 at 1, 3, 0.
        let x = t(dtype, &[1, 5], vec![3.0, 1.0, 3.0, 2.0, 3.0]);
        cases.push(
            case("kMAX ties by hand", TopK::of(0, 3, 2), vec![x.clone()], out(dtype, &[1, 3], vec![3.0, 3.0, 3.0]))
                .with_outputs(vec![out(Int32, &[1, 3], vec![0.0, 2.0, 4.0])]),
        );
        cases.push(
            case("kMIN ties by hand", TopK::of(1, 3, 2), vec![x], out(dtype, &[1, 3], vec![1.0, 2.0, 3.0])).with_outputs(vec![out(
                Int32,
                &[1, 3],
                vec![1.0, 3.0, 0.0],
            )]),
        );
        // NaN counts as the largest value: [1, NaN, 5, -1] with k = 2: kMAX gives NaN, 5 at
        // 1, 2; kMIN gives -1, 1 at 3, 0.
        let x = t(dtype, &[4], vec![1.0, f64::NAN, 5.0, -1.0]);
        cases.push(
            case("kMAX with NaN by hand", TopK::of(0, 2, 1), vec![x.clone()], out(dtype, &[2], vec![f64::NAN, 5.0]))
                .with_outputs(vec![out(Int32, &[2], vec![1.0, 2.0])]),
        );
        cases.push(case("kMIN with NaN by hand", TopK::of(1, 2, 1), vec![x], out(dtype, &[2], vec![-1.0, 1.0])).with_outputs(vec![out(
            Int32,
            &[2],
            vec![3.0, 0.0],
        )]));
        let x = rand(dtype, &[3, 10], 700);
        cases.push(top_k_case("kMAX k 4 last axis", &x, 0, 4, 1));
        cases.push(top_k_case("kMIN k 4 last axis", &x, 1, 4, 1));
        cases.push(top_k_case("kMAX k 10 (all)", &x, 0, 10, 1));
        let x = rand(dtype, &[6, 2, 3], 701);
        cases.push(top_k_case("kMAX k 2 axis 0", &x, 0, 2, 0));
        cases.push(top_k_case("kMIN k 1 axis 1", &x, 1, 1, 1));
        let big = rand(dtype, &[2, 3000], 702);
        cases.push(top_k_case("kMAX k 100 of 3000", &big, 0, 100, 1));
        cases.push(top_k_case("kMIN k 100 of 3000", &big, 1, 100, 1));
    }
    let x = ints(Int32, &[4, 9], 710, -5, 5);
    cases.push(top_k_case("kMAX on kINT32 (ties)", &x, 0, 5, 1));
    cases.push(top_k_case("kMIN on kINT32 (ties)", &x, 1, 5, 1));
    // Exact ordering of large int32 values (floats could not tell them apart).
    let x = t(Int32, &[4], vec![16777217.0, 16777216.0, -2147483648.0, 2147483647.0]);
    cases.push(
        case(
            "kMAX on large kINT32",
            TopK::of(0, 4, 1),
            vec![x],
            out(Int32, &[4], vec![2147483647.0, 16777217.0, 16777216.0, -2147483648.0]),
        )
        .with_outputs(vec![out(Int32, &[4], vec![3.0, 0.0, 1.0, 2.0])]),
    );
    let x = rand(Float, &[3, 7, 2], 711);
    cases.push(top_k_case("kMAX k 3 axis 1", &x, 0, 3, 1).dynamic());
    check("TopK", cases);
}

#[test]
fn top_k_refusals() {
    let x: &[(DataType, &[i64])] = &[(Float, &[2, 5])];
    assert_mentions(&add_error(TopK::of(0, 0, 2), x), "from 1 to 3840");
    assert_mentions(&add_error(TopK::of(0, 3841, 2), &[(Float, &[2, 5000])]), "from 1 to 3840");
    assert_mentions(&add_error(TopK::of(0, 6, 2), x), "at least k = 6");
    assert_mentions(&add_error(TopK::of(0, 1, 3), x), "exactly one axis");
    assert_mentions(&add_error(TopK::of(0, 1, 0), x), "exactly one axis");
    assert_mentions(&add_error(TopK::of(2, 1, 1), x), "unknown TopKOperation 2");
    assert_mentions(&add_error(TopK::of(0, 1, 1), &[(Bool, &[2, 5])]), "kBOOL");
}

// ---------------------------------------------------------------- Normalization

/// (x - mean) / sqrt(var + eps) * scale + bias in f64 over the axes of `mask`, with `groups`
/// groups of channels (axis 1) when more than one; scale and bias broadcast (per group when
/// grouped).
fn norm_ref(x: &T, scale: &T, bias: &T, mask: u32, eps: f64, groups: i64) -> Vec<f64> {
    let r = x.dims.len();
    // The instance of element i: its coordinates outside the normalized axes (and its group).
    let instance = |c: &[i64]| -> Vec<i64> {
        if groups > 1 {
            vec![c[0], c[1] / (x.dims[1] / groups)]
        } else {
            (0..r).map(|a| if mask >> a & 1 == 1 { -1 } else { c[a] }).collect()
        }
    };
    let mut stats: std::collections::HashMap<Vec<i64>, Vec<f64>> = Default::default();
    for (i, &v) in x.values.iter().enumerate() {
        stats.entry(instance(&coords(i as i64, &x.dims))).or_default().push(v);
    }
    let param = |p: &T, c: &[i64]| -> f64 {
        if groups > 1 {
            let g = c[1] / (x.dims[1] / groups);
            p.values[if p.dims[1] == 1 { 0 } else { g as usize }]
        } else {
            let s = strides(&p.dims);
            p.values[c.iter().zip(&p.dims).zip(&s).map(|((&c, &d), &st)| if d == 1 { 0 } else { c * st }).sum::<i64>() as usize]
        }
    };
    x.values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let c = coords(i as i64, &x.dims);
            let vals = &stats[&instance(&c)];
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            let var = vals.iter().map(|w| (w - mean).powi(2)).sum::<f64>() / vals.len() as f64;
            (v - mean) / (var + eps).sqrt() * param(scale, &c) + param(bias, &c)
        })
        .collect()
}

fn norm_case(what: &str, x: &T, sdims: &[i64], mask: u32, eps: f32, groups: i32, seed: u64) -> Case {
    let scale = rand(x.dtype, sdims, seed);
    let bias = rand(x.dtype, sdims, seed + 1);
    let y = norm_ref(x, &scale, &bias, mask, eps as f64, groups as i64);
    case(what, Normalization::of(mask, eps, groups), vec![x.clone(), scale, bias], out(x.dtype, &x.dims, y)).constant_inputs(&[1, 2])
}

#[test]
fn normalization() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // Layer norm by hand over [1, 2, 3, 4] with eps 0: mean 2.5, variance (2.25 + 0.25 +
        // 0.25 + 2.25) / 4 = 1.25, so (x - 2.5) / sqrt(1.25) = ±1.3416408, ±0.4472136; with
        // scale 2 and bias 1: -1.6832816, 0.1055728, 1.8944272, 3.6832816.
        let x = t(dtype, &[1, 4], vec![1.0, 2.0, 3.0, 4.0]);
        let (s, b) = (t(dtype, &[1, 1], vec![2.0]), t(dtype, &[1, 1], vec![1.0]));
        let y = out(dtype, &[1, 4], vec![-1.6832816, 0.1055728, 1.8944272, 3.6832816]);
        cases.push(case("layer norm by hand", Normalization::of(0b10, 0.0, 1), vec![x, s, b], y).constant_inputs(&[1, 2]));
        // Layer norm over the last axis and the last two.
        let x = rand(dtype, &[2, 3, 4], 800);
        cases.push(norm_case("layer norm, last axis", &x, &[1, 1, 4], 0b100, 1e-5, 1, 801));
        cases.push(norm_case("layer norm, last two axes", &x, &[1, 3, 4], 0b110, 1e-3, 1, 803));
        // Instance norm over the spatial axes with per-channel scale and bias.
        let x = rand(dtype, &[2, 3, 2, 3], 805);
        cases.push(norm_case("instance norm", &x, &[1, 3, 1, 1], 0b1100, 1e-5, 1, 806));
        // Group norm: 4 channels in 2 groups; 6 channels in 3 groups with one scale and bias.
        let x = rand(dtype, &[2, 4, 3], 810);
        cases.push(norm_case("group norm, 2 groups", &x, &[1, 2, 1], 0b100, 1e-5, 2, 811));
        let x = rand(dtype, &[1, 6, 2, 2], 815);
        cases.push(norm_case("group norm, 3 groups", &x, &[1, 3, 1, 1], 0b1100, 1e-5, 3, 816));
        cases.push(norm_case("group norm, shared scale", &x, &[1, 1, 1, 1], 0b1100, 1e-2, 3, 818));
    }
    // Compute precision kHALF computes in float here too.
    let x = rand(Float, &[2, 3, 4], 820);
    let mut c = norm_case("compute precision kHALF", &x, &[1, 1, 4], 0b100, 1e-5, 1, 821);
    c.layer.as_any_mut().downcast_mut::<Normalization>().unwrap().compute_precision = Half as i32;
    cases.push(c);
    // A long instance (a block-wide reduction on the GPU).
    let x = rand(Float, &[2, 4096], 825);
    cases.push(norm_case("layer norm over 4096", &x, &[1, 4096], 0b10, 1e-5, 1, 826));
    // Symbolic input dims (scale and bias are constants).
    let x = rand(Float, &[2, 4, 3], 830);
    cases.push(norm_case("group norm, 2 groups", &x, &[1, 2, 1], 0b100, 1e-5, 2, 831).dynamic());
    cases.push(norm_case("instance norm", &x, &[1, 4, 1], 0b100, 1e-5, 1, 833).dynamic());
    check("Normalization", cases);
}

#[test]
fn normalization_refusals() {
    let with = |x: &'static [i64], s: &'static [i64]| -> Vec<(DataType, &'static [i64])> { vec![(Float, x), (Float, s), (Float, s)] };
    assert_mentions(&add_error(Normalization::of(0, 1e-5, 1), &with(&[2, 3], &[1, 3])), "selects no axis");
    assert_mentions(&add_error(Normalization::of(0b100, 1e-5, 1), &with(&[2, 3], &[1, 3])), "beyond the input's 2 axes");
    assert_mentions(&add_error(Normalization::of(0b10, 1e-5, 1), &with(&[2, 3], &[3])), "rank 2");
    assert_mentions(&add_error(Normalization::of(0b10, 1e-5, 1), &with(&[2, 3], &[1, 2])), "scale dimension 1");
    assert_mentions(&add_error(Normalization::of(0b100, 1e-5, 2), &with(&[2, 3, 4], &[1, 2, 1])), "multiple of the 2 groups");
    assert_mentions(&add_error(Normalization::of(0b110, 1e-5, 2), &with(&[2, 4, 4], &[1, 2, 1])), "axes mask must be 0x4");
    assert_mentions(&add_error(Normalization::of(0b100, 1e-5, 2), &with(&[2, 4, 4], &[1, 4, 1])), "[1, 2, 1, ...]");
    assert_mentions(&add_error(Normalization::of(0b100, 1e-5, 0), &with(&[2, 4, 4], &[1, 1, 1])), "at least 1");
    let mut n = Normalization::of(0b10, 1e-5, 1);
    n.compute_precision = Int32 as i32;
    assert_mentions(&add_error(n, &with(&[2, 3], &[1, 3])), "compute precision");
}

// ---------------------------------------------------------------- RaggedSoftMax

fn ragged_ref(x: &T, bounds: &[f64]) -> Vec<f64> {
    let cols = *x.dims.last().unwrap() as usize;
    x.values
        .chunks(cols)
        .zip(bounds)
        .flat_map(|(row, &b)| {
            let len = (b.max(0.0) as usize).min(cols);
            let m = row[..len].iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = row[..len].iter().map(|v| (v - m).exp()).sum();
            row.iter().enumerate().map(move |(c, v)| if c < len { (v - m).exp() / s } else { 0.0 }).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn ragged_softmax() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // TensorRT's example; row 2 by hand: the softmax of [3, 4, -20] is e^3 / (e^3 + e^4 +
        // e^-20) = 0.2689414, 0.7310586 and 1.5e-11, then zeros.
        let x = t(dtype, &[1, 2, 5], vec![1.0, 1.0, 1.0, 1.0, 0.5, 3.0, 4.0, -20.0, 10.0, 5.0]);
        let bounds = t(Int32, &[1, 2, 1], vec![5.0, 3.0]);
        let e = (0.5f64 - 1.0).exp();
        let row1: Vec<f64> = [1.0, 1.0, 1.0, 1.0, e].iter().map(|v| v / (4.0 + e)).collect();
        let y: Vec<f64> = row1.into_iter().chain([0.2689414, 0.7310586, 1.5e-11, 0.0, 0.0]).collect();
        cases.push(case("TensorRT's example", RaggedSoftMax::new(), vec![x, bounds], out(dtype, &[1, 2, 5], y)));
        // Bounds of 0, past the row, and everything between.
        let x = rand(dtype, &[2, 4, 6], 900);
        let b = vec![0.0, 1.0, 2.0, 6.0, 9.0, 3.0, 5.0, -1.0];
        let y = ragged_ref(&x, &b);
        cases.push(case("[2,4,6]", RaggedSoftMax::new(), vec![x, t(Int32, &[2, 4, 1], b)], out(dtype, &[2, 4, 6], y)));
        let x = rand(dtype, &[3, 7], 901);
        let b = vec![7.0, 4.0, 1.0];
        let y = ragged_ref(&x, &b);
        cases.push(case("[3,7]", RaggedSoftMax::new(), vec![x, t(Int32, &[3, 1], b)], out(dtype, &[3, 7], y)));
    }
    let x = rand(Float, &[2, 3, 5], 910);
    let b = vec![5.0, 2.0, 0.0, 4.0, 1.0, 3.0];
    let y = ragged_ref(&x, &b);
    cases.push(case("[2,3,5]", RaggedSoftMax::new(), vec![x, t(Int32, &[2, 3, 1], b)], out(Float, &[2, 3, 5], y)).dynamic());
    check("RaggedSoftMax", cases);
}

#[test]
fn ragged_softmax_refusals() {
    assert_mentions(&add_error(RaggedSoftMax::new(), &[(Float, &[5]), (Int32, &[1])]), "at least 2 dimensions");
    assert_mentions(&add_error(RaggedSoftMax::new(), &[(Float, &[2, 5]), (Float, &[2, 1])]), "bounds has type kFLOAT");
    assert_mentions(&add_error(RaggedSoftMax::new(), &[(Float, &[2, 5]), (Int32, &[3, 1])]), "bounds dimension 0");
    assert_mentions(&add_error(RaggedSoftMax::new(), &[(Float, &[2, 5]), (Int32, &[2, 2])]), "must be 1");
    assert_mentions(&add_error(RaggedSoftMax::new(), &[(Float, &[2, 5]), (Int32, &[2])]), "rank 2");
}

// ---------------------------------------------------------------- Quantize / Dequantize

/// Round half to even, then clamp to [-128, 127].
fn quantize_ref(v: f64, scale: f64) -> f64 {
    let q = v / scale;
    let r = q.round();
    let even = if (q - q.trunc()).abs() == 0.5 { 2.0 * (q / 2.0).round() } else { r };
    even.clamp(-128.0, 127.0)
}

#[test]
fn quantize_dequantize() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // By hand with scale 0.5: x / 0.5 = 0.5, 1.5, -0.5, -2.5, 2, 600, -600 round half to
        // even to 0, 2, 0, -2, 2, then clamp: 127, -128.
        let x = t(dtype, &[7], vec![0.25, 0.75, -0.25, -1.25, 1.0, 300.0, -300.0]);
        let y = out(Int8, &[7], vec![0.0, 2.0, 0.0, -2.0, 2.0, 127.0, -128.0]);
        cases.push(case("quantize by hand", Quantize::on_axis(-1), vec![x, t(Float, &[], vec![0.5])], y).constant_inputs(&[1]));
        // Per tensor, a 1-D scale of one value, values past the range.
        let x = rand(dtype, &[2, 3, 4], 1000);
        let y = out(Int8, &[2, 3, 4], x.values.iter().map(|&v| quantize_ref(v, 0.005)).collect());
        cases.push(
            case("quantize per tensor, clamped", Quantize::on_axis(-1), vec![x.clone(), t(Float, &[1], vec![0.005])], y)
                .constant_inputs(&[1]),
        );
        // Per channel along axis 1, with an explicit zero point of zeros.
        let scales = [0.01, 0.02, 0.05];
        let y = out(Int8, &[2, 3, 4], x.values.iter().enumerate().map(|(i, &v)| quantize_ref(v, scales[(i / 4) % 3])).collect());
        cases.push(
            case(
                "quantize per channel with zero point",
                Quantize::on_axis(1),
                vec![x.clone(), t(Float, &[3], scales.to_vec()), t(Int8, &[3], vec![0.0; 3])],
                y,
            )
            .constant_inputs(&[1, 2]),
        );
    }
    // Dequantize: kINT8 times the scale (kFLOAT output; kHALF through an output cast).
    let q = ints(Int8, &[2, 3, 4], 1010, -128, 127);
    for dtype in FLOAT_TYPES {
        let y = out(dtype, &[2, 3, 4], q.values.iter().map(|&v| v * 0.125).collect());
        cases.push(
            case(format!("dequantize per tensor to {dtype}"), Dequantize::on_axis(-1), vec![q.clone(), t(Float, &[], vec![0.125])], y)
                .constant_inputs(&[1]),
        );
    }
    let scales = [0.5, 0.25, 2.0, 1.0];
    let y = out(Float, &[2, 3, 4], q.values.iter().enumerate().map(|(i, &v)| v * scales[i % 4]).collect());
    cases.push(
        case(
            "dequantize per channel on axis 2",
            Dequantize::on_axis(2),
            vec![q.clone(), t(Float, &[4], scales.to_vec()), t(Float, &[4], vec![0.0; 4])],
            y,
        )
        .constant_inputs(&[1, 2]),
    );
    // By hand: -128 * 0.5 = -64, 127 * 0.5 = 63.5, 3 * 0.5 = 1.5.
    let y = out(Float, &[3], vec![-64.0, 63.5, 1.5]);
    cases.push(
        case("dequantize by hand", Dequantize::on_axis(0), vec![t(Int8, &[3], vec![-128.0, 127.0, 3.0]), t(Float, &[1], vec![0.5])], y)
            .constant_inputs(&[1]),
    );
    // Symbolic dims with per-channel scales.
    let x = rand(Float, &[2, 3, 4], 1020);
    let scales = [0.01, 0.02, 0.04];
    let y = out(Int8, &[2, 3, 4], x.values.iter().enumerate().map(|(i, &v)| quantize_ref(v, scales[(i / 4) % 3])).collect());
    cases.push(
        case("quantize per channel", Quantize::on_axis(1), vec![x, t(Float, &[3], scales.to_vec())], y).constant_inputs(&[1]).dynamic(),
    );
    check("Quantize", cases);
}

#[test]
fn quantize_refusals() {
    let x = rand(Float, &[2, 3], 1030);
    // The scale must be a build-time constant, positive; zero points must be 0.
    let e = build_error(case(
        "network-input scale",
        Quantize::on_axis(-1),
        vec![x.clone(), t(Float, &[], vec![0.5])],
        out(Int8, &[2, 3], vec![0.0; 6]),
    ));
    assert_mentions(&e, "must be a build-time constant");
    let e = build_error(
        case(
            "non-zero zero point",
            Quantize::on_axis(-1),
            vec![x.clone(), t(Float, &[1], vec![0.5]), t(Int8, &[1], vec![3.0])],
            out(Int8, &[2, 3], vec![0.0; 6]),
        )
        .constant_inputs(&[1, 2]),
    );
    assert_mentions(&e, "only symmetric quantization");
    let e = build_error(
        case("negative scale", Quantize::on_axis(-1), vec![x.clone(), t(Float, &[1], vec![-0.5])], out(Int8, &[2, 3], vec![0.0; 6]))
            .constant_inputs(&[1]),
    );
    assert_mentions(&e, "positive");
    assert_mentions(&add_error(Quantize::on_axis(-1), &[(Float, &[2, 3]), (Float, &[3])]), "setAxis");
    assert_mentions(&add_error(Quantize::on_axis(0), &[(Float, &[2, 3]), (Float, &[3])]), "quantization axis' size");
    assert_mentions(&add_error(Quantize::on_axis(-1), &[(Float, &[2, 3]), (Float, &[1, 1])]), "scalar or a 1-D tensor");
    assert_mentions(&add_error(Quantize::on_axis(-1), &[(Int32, &[2, 3]), (Float, &[])]), "kINT32");
    assert_mentions(&add_error(Quantize::on_axis(-1), &[(Float, &[2, 3]), (Half, &[])]), "scale has type kHALF");
    assert_mentions(&add_error(Dequantize::on_axis(-1), &[(Float, &[2, 3]), (Float, &[])]), "dequantize input has type kFLOAT");
    assert_mentions(
        &add_error(Quantize::on_axis(-1), &[(Float, &[2, 3]), (Float, &[]), (Float, &[1])]),
        "zero point must have the scale's shape",
    );
}

// ---------------------------------------------------------------- Einsum

/// Einsum in f64 by brute force over every assignment of the labels.
fn einsum_ref(equation: &str, ops: &[&T]) -> T {
    let eq: String = equation.chars().filter(|&c| c != ' ').collect();
    let (lhs, rhs) = eq.split_once("->").map(|(l, r)| (l.to_string(), Some(r.to_string()))).unwrap_or((eq.clone(), None));
    let terms: Vec<Vec<char>> = lhs.split(',').map(|t| t.chars().collect()).collect();
    let output: Vec<char> = match rhs {
        Some(r) => r.chars().collect(),
        None => {
            let mut once: Vec<char> = ('a'..='z').filter(|c| terms.iter().flatten().filter(|&d| d == c).count() == 1).collect();
            once.sort();
            once
        }
    };
    let mut labels: Vec<char> = output.clone();
    for &c in terms.iter().flatten() {
        if !labels.contains(&c) {
            labels.push(c);
        }
    }
    let size = |c: char| -> i64 { terms.iter().zip(ops).find_map(|(t, x)| t.iter().position(|&d| d == c).map(|a| x.dims[a])).unwrap() };
    let sizes: Vec<i64> = labels.iter().map(|&c| size(c)).collect();
    let out_dims: Vec<i64> = sizes[..output.len()].to_vec();
    let mut values = vec![0.0; count(&out_dims)];
    for assignment in 0..count(&sizes) as i64 {
        let at = coords(assignment, &sizes);
        let mut p = 1.0;
        for (t, x) in terms.iter().zip(ops) {
            let idx: Vec<i64> = t.iter().map(|c| at[labels.iter().position(|l| l == c).unwrap()]).collect();
            p *= x.values[idx.iter().zip(strides(&x.dims)).map(|(i, s)| i * s).sum::<i64>() as usize];
        }
        let o: i64 = at[..output.len()].iter().zip(strides(&out_dims)).map(|(i, s)| i * s).sum();
        values[o as usize] += p;
    }
    out(ops[0].dtype, &out_dims, values)
}

#[test]
fn einsum() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // TensorRT's example by hand: "ij->ji" of [[-3, -2, -1], [0, 1, 2]].
        let x = t(dtype, &[2, 3], vec![-3.0, -2.0, -1.0, 0.0, 1.0, 2.0]);
        cases.push(case("transpose by hand", Einsum::of("ij->ji"), vec![x], out(dtype, &[3, 2], vec![-3.0, 0.0, -2.0, 1.0, -1.0, 2.0])));
        // A product by hand: [[1, 2], [3, 4]] x [[5], [6]] = [[17], [39]].
        let (a, b) = (t(dtype, &[2, 2], vec![1.0, 2.0, 3.0, 4.0]), t(dtype, &[2, 1], vec![5.0, 6.0]));
        cases.push(case("matrix product by hand", Einsum::of("ik,kj->ij"), vec![a, b], out(dtype, &[2, 1], vec![17.0, 39.0])));
        let one: [(&str, &[i64], u64); 6] = [
            ("ij->ji", &[3, 4], 1100),
            ("ij->i", &[3, 4], 1101),
            ("ij->", &[3, 4], 1102),
            ("ba", &[3, 4], 1103), // implicit: "ab", a transpose
            ("ijk->kij", &[2, 3, 4], 1104),
            ("", &[], 1105),
        ];
        for (eq, dims, seed) in one {
            let x = rand(dtype, dims, seed);
            let y = einsum_ref(eq, &[&x]);
            cases.push(case(format!("'{eq}'"), Einsum::of(eq), vec![x], y));
        }
        let two: [(&str, &[i64], &[i64], u64); 9] = [
            ("ik,kj->ij", &[3, 5], &[5, 4], 1110),
            ("ij,jk", &[2, 3], &[3, 4], 1112), // implicit "ik"
            ("bij,bjk->bik", &[2, 3, 4], &[2, 4, 5], 1114),
            ("i,i->", &[7], &[7], 1116),
            ("i,j->ij", &[3], &[4], 1118),
            ("ij,ij->ij", &[3, 4], &[3, 4], 1120),
            ("ij,ij", &[3, 4], &[3, 4], 1122), // implicit: every label twice, a scalar
            ("bhqd,bhkd->bhqk", &[2, 2, 3, 4], &[2, 2, 5, 4], 1124),
            (" ij , jk -> ki ", &[2, 3], &[3, 2], 1126),
        ];
        for (eq, da, db, seed) in two {
            let (a, b) = (rand(dtype, da, seed), rand(dtype, db, seed + 1));
            let y = einsum_ref(eq, &[&a, &b]);
            cases.push(case(format!("'{eq}'"), Einsum::of(eq), vec![a, b], y));
        }
    }
    let (a, b) = (rand(Float, &[2, 3, 4], 1130), rand(Float, &[2, 4, 5], 1131));
    let y = einsum_ref("bij,bjk->bik", &[&a, &b]);
    cases.push(case("'bij,bjk->bik'", Einsum::of("bij,bjk->bik"), vec![a, b], y).dynamic());
    check("Einsum", cases);
}

#[test]
fn einsum_refusals() {
    let m: &[(DataType, &[i64])] = &[(Float, &[3, 3])];
    assert_mentions(&add_error(Einsum::of("ii->i"), m), "diagonals are not supported");
    assert_mentions(&add_error(Einsum::of("...->"), m), "ellipses");
    assert_mentions(&add_error(Einsum::of("iJ->i"), m), "not a label");
    assert_mentions(&add_error(Einsum::of("ij->k"), m), "names no operand axis");
    assert_mentions(&add_error(Einsum::of("ij->ii"), m), "twice in the output");
    assert_mentions(&add_error(Einsum::of("ijk->i"), m), "rank 2 but 3 labels");
    assert_mentions(&add_error(Einsum::of("ij,jk->ik"), m), "2 operand terms for 1 inputs");
    assert_mentions(&add_error(Einsum::of("ij,jk->ik"), &[(Float, &[2, 3]), (Float, &[4, 2])]), "label 'j'");
    assert_mentions(&add_error(Einsum::of("i,i,i->"), &[(Float, &[2]), (Float, &[2]), (Float, &[2])]), "1 to 2 inputs");
    assert_mentions(&add_error(Einsum::of("ij->ji"), &[(Int32, &[2, 2])]), "kINT32");
}

// ---------------------------------------------------------------- implicit batch

/// Runs `layer` in an implicit-batch network (createNetworkV2(0)) whose inputs are `inputs`
/// without their leading (batch) dimension, as one batch, on every backend; returns each
/// backend's outputs with the batch leading.
fn run_implicit(layer: impl Layer, inputs: &[T]) -> Vec<Vec<T>> {
    use common::exec::{targets, IoBuffer};
    use nvinfer::builder::{build_for, config::BuilderConfig};
    use nvinfer::runtime::{Engine, ExecutionContext};
    let batch = inputs[0].dims[0];
    let mut net = Network::new_implicit_batch();
    let ids: Vec<usize> =
        inputs.iter().enumerate().map(|(i, x)| net.add_input(&format!("in{i}"), x.dtype, &x.dims[1..]).unwrap()).collect();
    let l = net.add_layer(Box::new(layer), &ids).unwrap_or_else(|e| panic!("{}", e.message));
    let outs = net.layers[l].outputs.clone();
    for (k, &o) in outs.iter().enumerate() {
        net.set_tensor_name(o, &format!("out{k}")).unwrap();
        net.mark_output(o).unwrap();
    }
    let mut results = vec![];
    for target in targets() {
        let on_device = matches!(target, Target::Cuda(..));
        let config = BuilderConfig { max_batch_size: batch, ..Default::default() };
        let plan = build_for(&net, &config, &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("build: {}", e.message));
        let engine = std::sync::Arc::new(Engine::deserialize(&plan).unwrap());
        let mut ctx = ExecutionContext::new(engine.clone()).unwrap();
        let ins: Vec<IoBuffer> = inputs.iter().map(|x| IoBuffer::with(&encode(x), on_device)).collect();
        let out_types: Vec<DataType> = outs.iter().map(|&o| net.tensors[o].dtype).collect();
        let out_dims: Vec<Vec<i64>> = outs.iter().map(|&o| std::iter::once(batch).chain(net.api_dims(o)).collect()).collect();
        let bufs: Vec<IoBuffer> =
            out_dims.iter().zip(&out_types).map(|(d, t)| IoBuffer::new(count(d) * t.size_bytes(), on_device)).collect();
        let bindings: Vec<u64> = ins.iter().chain(&bufs).map(|b| b.address()).collect();
        ctx.execute_batch(batch as i32, &bindings).unwrap_or_else(|e| panic!("run: {}", e.message));
        results.push(
            bufs.iter()
                .zip(out_dims.iter().zip(&out_types))
                .map(|(b, (d, &t))| T { dtype: t, dims: d.clone(), values: decode(t, &b.read(count(d) * t.size_bytes())) })
                .collect(),
        );
    }
    results
}

fn assert_close_t(got: &T, want: &T, what: &str) {
    assert_eq!((got.dtype, &got.dims), (want.dtype, &want.dims), "{what}");
    let scale = want.values.iter().fold(1.0f64, |m, v| m.max(v.abs()));
    for (i, (a, b)) in got.values.iter().zip(&want.values).enumerate() {
        assert!((a - b).abs() <= 1e-5 * scale, "{what}: element {i} is {a}, expected {b}");
    }
}

/// In an implicit-batch network the parameters count axes without the batch: addScale's
/// default channel axis is C of [C, H, W], axis masks and set axes move by one, and the
/// explicit-batch-only kinds are refused.
#[test]
fn implicit_batch_parameters_follow_the_batch_axis() {
    let x = rand(Float, &[2, 4, 2, 3], 1200);
    // addScale (channel axis not set): per channel of [4, 2, 3].
    let shift = [1.0, 2.0, 3.0, 4.0];
    let mut by_default = Scale::of(1, opt(&shift), None, None, 0);
    by_default.channel_axis_set = false;
    by_default.channel_axis = 1;
    let want = out(Float, &x.dims, scale_ref(&x, &shift, &[], &[], |i| (i / 6) % 4));
    for got in run_implicit(by_default, std::slice::from_ref(&x)) {
        assert_close_t(&got[0], &want, "addScale's default channel axis");
    }
    // setChannelAxis(1): the 2 of [4, 2, 3].
    let shift2 = [10.0, 20.0];
    let want = out(Float, &x.dims, scale_ref(&x, &shift2, &[], &[], |i| (i / 3) % 2));
    for got in run_implicit(Scale::of(1, opt(&shift2), None, None, 1), std::slice::from_ref(&x)) {
        assert_close_t(&got[0], &want, "a set channel axis");
    }
    // Reduce over per-sample axis 2 (explicit axis 3), TopK along per-sample axis 0.
    for got in run_implicit(Reduce::of(0, 1 << 2, false), std::slice::from_ref(&x)) {
        assert_close_t(&got[0], &reduce_ref(&x, 0, 1 << 3, false), "reduce axes");
    }
    let (v, i) = top_k_ref(&x, true, 2, 1);
    for got in run_implicit(TopK::of(0, 2, 1), std::slice::from_ref(&x)) {
        assert_close_t(&got[0], &v, "top-k values");
        assert_close_t(&got[1], &i, "top-k indices");
    }
    for got in run_implicit(LRN::of(3, 1.0, 0.75, 1.0), std::slice::from_ref(&x)) {
        assert_close_t(&got[0], &out(Float, &x.dims, lrn_ref(&x, 3, 1.0, 0.75, 1.0)), "LRN");
    }
    let bounds = t(Int32, &[2, 4, 2, 1], vec![3.0, 1.0, 0.0, 2.0, 3.0, 3.0, 1.0, 2.0, 2.0, 0.0, 1.0, 3.0, 3.0, 3.0, 2.0, 1.0]);
    for got in run_implicit(RaggedSoftMax::new(), &[x.clone(), bounds.clone()]) {
        assert_close_t(&got[0], &out(Float, &x.dims, ragged_ref(&x, &bounds.values)), "ragged softmax");
    }
    // Kinds TensorRT allows only with an explicit batch.
    let mut net = Network::new_implicit_batch();
    let a = net.add_input("a", Float, &[2, 3]).unwrap();
    let e = net.add_layer(Box::new(Einsum::of("ij->ji")), &[a]).unwrap_err();
    assert_mentions(&e.message, "IEinsumLayer needs an explicit-batch network");
}
