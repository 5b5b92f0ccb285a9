//! Cases for the layer kinds of the skeleton and the typed core, one test per kind, through
//! the table-driven harness (tests/common/cases.rs): every case runs on every backend this
//! machine has and in every type it lists, against a reference computed here in f64.

mod common;

use common::cases::*;
use nvinfer::layers::generated::*;
use nvinfer::types::DataType;
use nvinfer::weights::Weights;

use DataType::{Bool, Float, Half, Int32, Int8, Uint8};

#[test]
fn activation() {
    let refs: [(i32, f32, f32, fn(f64, f64, f64) -> f64); 12] = [
        (0, 0.0, 0.0, |x, _, _| x.max(0.0)),
        (1, 0.0, 0.0, |x, _, _| 1.0 / (1.0 + (-x).exp())),
        (2, 0.0, 0.0, |x, _, _| x.tanh()),
        (3, 0.1, 0.0, |x, a, _| if x >= 0.0 { x } else { a * x }),
        (4, 0.7, 0.0, |x, a, _| if x >= 0.0 { x } else { a * (x.exp() - 1.0) }),
        (5, 1.67, 1.05, |x, a, b| b * if x >= 0.0 { x } else { a * (x.exp() - 1.0) }),
        (6, 0.0, 0.0, |x, _, _| x / (1.0 + x.abs())),
        (7, 0.5, 2.0, |x, a, b| a * (b * x).exp().ln_1p()),
        (8, -0.3, 0.4, |x, a, b| x.max(a).min(b)),
        (9, 0.2, 0.5, |x, a, b| (a * x + b).clamp(0.0, 1.0)),
        (10, 1.5, 0.8, |x, a, b| a * (b * x).tanh()),
        (11, 0.25, 0.0, |x, a, _| if x > a { x } else { 0.0 }),
    ];
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        for (kind, alpha, beta, f) in refs {
            let x = rand(dtype, &[2, 3, 4], kind as u64 + 1);
            let (a, b) = (alpha as f64, beta as f64);
            let y = out(dtype, &x.dims, x.values.iter().map(|&v| f(v, a, b)).collect());
            cases.push(case(format!("type {kind}"), Activation::of(kind, alpha, beta), vec![x], y));
        }
    }
    check("Activation", cases);
}

#[test]
fn cast() {
    let f = t(Float, &[6], vec![1.7, -2.5, 0.0, 300.0, -0.4, 65504.0]);
    let i = t(Int32, &[6], vec![1.0, -2.0, 0.0, 300.0, 127.0, -129.0]);
    let b = t(Bool, &[4], vec![1.0, 0.0, 1.0, 1.0]);
    let i8v = t(Int8, &[3], vec![-128.0, 5.0, 127.0]);
    let u8v = t(Uint8, &[3], vec![0.0, 200.0, 255.0]);
    let cases = vec![
        case("kFLOAT to kHALF", Cast::to(Half), vec![f.clone()], out(Half, &[6], f.values.clone())),
        case("kFLOAT to kINT32 truncates", Cast::to(Int32), vec![f.clone()], out(Int32, &[6], vec![1.0, -2.0, 0.0, 300.0, 0.0, 65504.0])),
        case("kFLOAT to kBOOL", Cast::to(Bool), vec![f.clone()], out(Bool, &[6], vec![1.0, 1.0, 0.0, 1.0, 1.0, 1.0])),
        case("kHALF to kFLOAT", Cast::to(Float), vec![t(Half, &[3], vec![0.5, -1.25, 1000.0])], out(Float, &[3], vec![0.5, -1.25, 1000.0])),
        case("kINT32 to kFLOAT", Cast::to(Float), vec![i.clone()], out(Float, &[6], i.values.clone())),
        case("kINT32 to kINT8 wraps", Cast::to(Int8), vec![i.clone()], out(Int8, &[6], vec![1.0, -2.0, 0.0, 44.0, 127.0, 127.0])),
        case("kINT32 to kBOOL", Cast::to(Bool), vec![i.clone()], out(Bool, &[6], vec![1.0, 1.0, 0.0, 1.0, 1.0, 1.0])),
        case("kBOOL to kINT32", Cast::to(Int32), vec![b.clone()], out(Int32, &[4], b.values.clone())),
        case("kBOOL to kFLOAT", Cast::to(Float), vec![b.clone()], out(Float, &[4], b.values.clone())),
        case("kINT8 to kINT32", Cast::to(Int32), vec![i8v.clone()], out(Int32, &[3], i8v.values.clone())),
        case("kUINT8 to kFLOAT", Cast::to(Float), vec![u8v.clone()], out(Float, &[3], u8v.values.clone())),
    ];
    check("Cast", cases);
}

#[test]
fn identity() {
    let cases = [Float, Half, Int32, Bool, Int8, Uint8]
        .into_iter()
        .map(|d| {
            let x = ints(d, &[2, 5], 3, 0, if d == Bool { 1 } else { 100 });
            case(format!("copy {d}"), Identity::new(), vec![x.clone()], x)
        })
        .collect();
    check("Identity", cases);
}

#[test]
fn constant() {
    // A constant network output, in the weights' own type.
    let cases = vec![
        case(
            "kFLOAT",
            Constant::of(vec![2, 2], Weights::from_f32(&[1.5, -2.0, 0.25, 8.0])),
            vec![],
            out(Float, &[2, 2], vec![1.5, -2.0, 0.25, 8.0]),
        ),
        case(
            "kHALF",
            Constant::of(vec![3], Weights::from_f16(&[half::f16::from_f32(0.5), half::f16::from_f32(-3.0), half::f16::from_f32(7.0)])),
            vec![],
            out(Half, &[3], vec![0.5, -3.0, 7.0]),
        ),
        case(
            "kINT32",
            Constant::of(vec![4], Weights::from_i32(&[1, -2, 3, 1 << 30])),
            vec![],
            out(Int32, &[4], vec![1.0, -2.0, 3.0, (1 << 30) as f64]),
        ),
    ];
    check("Constant", cases);
}

/// Direct convolution in f64 over N,C,spatial... with per-axis stride, pads and dilation.
#[allow(clippy::too_many_arguments)]
fn conv_ref(
    x: &T,
    k: i64,
    kernel: &[i64],
    w: &[f64],
    bias: &[f64],
    stride: &[i64],
    pre: &[i64],
    out_sp: &[i64],
    dil: &[i64],
    groups: i64,
) -> Vec<f64> {
    let (n, c) = (x.dims[0], x.dims[1]);
    let sp_in = &x.dims[2..];
    let (cpg, kpg) = (c / groups, k / groups);
    let mut y = vec![];
    for b in 0..n {
        for oc in 0..k {
            let g = oc / kpg;
            for o in 0..count(out_sp) as i64 {
                let oc_coords = coords(o, out_sp);
                let mut acc = bias.get(oc as usize).copied().unwrap_or(0.0);
                for ic in 0..cpg {
                    for kk in 0..count(kernel) as i64 {
                        let kc = coords(kk, kernel);
                        let ic_coords: Vec<i64> = (0..kernel.len()).map(|d| oc_coords[d] * stride[d] - pre[d] + kc[d] * dil[d]).collect();
                        if ic_coords.iter().zip(sp_in).any(|(&v, &s)| v < 0 || v >= s) {
                            continue;
                        }
                        let xi = ((b * c + g * cpg + ic) as usize) * count(sp_in)
                            + ic_coords.iter().zip(strides(sp_in)).map(|(v, s)| v * s).sum::<i64>() as usize;
                        let wi = ((oc * cpg + ic) as usize) * count(kernel) + kk as usize;
                        acc += x.values[xi] * w[wi];
                    }
                }
                y.push(acc);
            }
        }
    }
    y
}

#[test]
fn convolution() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // (input dims, maps, kernel, stride, pre, post, dilation, groups, padding mode, output spatial dims)
        type Shape =
            (&'static [i64], i64, &'static [i64], &'static [i64], &'static [i64], &'static [i64], &'static [i64], i64, i32, &'static [i64]);
        let shapes: [Shape; 6] = [
            (&[1, 2, 5, 5], 3, &[3, 3], &[2, 2], &[1, 1], &[1, 1], &[1, 1], 1, 0, &[3, 3]),
            (&[2, 4, 6, 5], 4, &[3, 2], &[1, 1], &[0, 1], &[2, 0], &[2, 1], 2, 0, &[4, 5]),
            (&[1, 3, 7], 2, &[3], &[2], &[1], &[1], &[1], 1, 0, &[4]),
            (&[1, 2, 4, 4, 4], 2, &[2, 3, 2], &[1, 2, 2], &[0, 1, 0], &[0, 1, 0], &[1, 1, 1], 1, 0, &[3, 2, 2]),
            // SAME_UPPER on 7 with kernel 4, stride 2: out 4, pads 1 before, 2 after.
            (&[1, 1, 7, 7], 2, &[4, 4], &[2, 2], &[0, 0], &[0, 0], &[1, 1], 1, 2, &[4, 4]),
            (&[1, 6, 3, 3], 6, &[3, 3], &[1, 1], &[1, 1], &[1, 1], &[1, 1], 6, 0, &[3, 3]),
        ];
        for (i, (dims, k, kernel, stride, pre, post, dil, groups, mode, out_sp)) in shapes.into_iter().enumerate() {
            let x = rand(dtype, dims, 10 + i as u64);
            let wn = (k * dims[1] / groups) as usize * count(kernel);
            let w: Vec<f64> = representable(dtype, &common::random(wn, 20 + i as u64).iter().map(|&v| v as f64).collect::<Vec<_>>());
            let bias: Vec<f64> = common::random(k as usize, 30 + i as u64).iter().map(|&v| v as f64).collect();
            let mut layer = Convolution::of(
                k,
                kernel.to_vec(),
                Weights::from_f32(&w.iter().map(|&v| v as f32).collect::<Vec<_>>()),
                Some(Weights::from_f32(&bias.iter().map(|&v| v as f32).collect::<Vec<_>>())),
            );
            layer.stride = stride.to_vec();
            layer.pre_padding = pre.to_vec();
            layer.post_padding = post.to_vec();
            layer.dilation = dil.to_vec();
            layer.groups = groups;
            layer.padding_mode = mode;
            let pads: Vec<i64> = if mode == 2 { vec![1, 1] } else { pre.to_vec() };
            let y = conv_ref(&x, k, kernel, &w, &bias, stride, &pads, out_sp, dil, groups);
            let mut odims = vec![dims[0], k];
            odims.extend_from_slice(out_sp);
            cases.push(case(format!("shape {i}"), layer, vec![x], out(dtype, &odims, y)));
        }
    }
    check("Convolution", cases);
}

#[test]
fn elementwise() {
    let mut cases = vec![];
    let ops: [(i32, fn(f64, f64) -> f64); 8] = [
        (0, |p, q| p + q),
        (1, |p, q| p * q),
        (2, f64::max),
        (3, f64::min),
        (4, |p, q| p - q),
        (5, |p, q| p / q),
        (6, f64::powf),
        (7, |p, q| (p / q).floor()),
    ];
    for dtype in FLOAT_TYPES {
        for (op, f) in ops {
            // pow of a negative base is NaN: positive bases there.
            let a = if op == 6 {
                t(dtype, &[2, 1, 4], common::random(8, 40).iter().map(|v| 0.5 + v.abs() as f64).collect())
            } else {
                rand(dtype, &[2, 1, 4], 40)
            };
            let b = if op == 5 || op == 7 {
                t(dtype, &[1, 3, 4], common::random(12, 41).iter().map(|v| 0.5 + v.abs() as f64).collect())
            } else {
                rand(dtype, &[1, 3, 4], 41)
            };
            let (dims, v) = broadcast_ref(&a, &b, f);
            cases.push(case(format!("op {op} broadcast"), ElementWise::of(op), vec![a, b], out(dtype, &dims, v)));
        }
        // Comparisons give kBOOL.
        for (op, f) in [
            (11, (|p, q| (p == q) as i32 as f64) as fn(f64, f64) -> f64),
            (12, |p, q| (p > q) as i32 as f64),
            (13, |p, q| (p < q) as i32 as f64),
        ] {
            let a = t(dtype, &[2, 3], vec![1.0, 2.0, 3.0, -1.0, 0.5, 0.0]);
            let b = t(dtype, &[1, 3], vec![1.0, 0.0, 4.0]);
            let (dims, v) = broadcast_ref(&a, &b, f);
            cases.push(case(format!("comparison {op}"), ElementWise::of(op), vec![a, b], out(Bool, &dims, v)));
        }
    }
    // INT32 arithmetic is exact (division truncates, floor division floors).
    let int_ops: [(i32, fn(f64, f64) -> f64); 8] = [
        (0, |p, q| p + q),
        (1, |p, q| p * q),
        (2, f64::max),
        (3, f64::min),
        (4, |p, q| p - q),
        (5, |p, q| (p / q).trunc()),
        (6, |p, q| p.powf(q)),
        (7, |p, q| (p / q).floor()),
    ];
    for (op, f) in int_ops {
        let a = ints(Int32, &[3, 4], 50 + op as u64, -20, 20);
        let b = if op == 6 { ints(Int32, &[1, 4], 60, 0, 3) } else { ints(Int32, &[1, 4], 61, 1, 7) };
        let (dims, v) = broadcast_ref(&a, &b, f);
        cases.push(case(format!("int32 op {op}"), ElementWise::of(op), vec![a, b], out(Int32, &dims, v)));
    }
    let a = ints(Int32, &[2, 3], 70, -2, 2);
    let b = ints(Int32, &[2, 3], 71, -2, 2);
    let (dims, v) = broadcast_ref(&a, &b, |p, q| (p < q) as i32 as f64);
    cases.push(case("int32 less", ElementWise::of(13), vec![a, b], out(Bool, &dims, v)));
    // Logical operations on kBOOL.
    for (op, f) in [
        (8, (|p: f64, q: f64| (p != 0.0 && q != 0.0) as i32 as f64) as fn(f64, f64) -> f64),
        (9, |p, q| (p != 0.0 || q != 0.0) as i32 as f64),
        (10, |p, q| ((p != 0.0) != (q != 0.0)) as i32 as f64),
    ] {
        let a = t(Bool, &[2, 2], vec![0.0, 1.0, 0.0, 1.0]);
        let b = t(Bool, &[2, 2], vec![0.0, 0.0, 1.0, 1.0]);
        let (dims, v) = broadcast_ref(&a, &b, f);
        cases.push(case(format!("logical {op}"), ElementWise::of(op), vec![a, b], out(Bool, &dims, v)));
    }
    check("ElementWise", cases);
}

fn matmul_ref(a: &[f64], b: &[f64], m: usize, n: usize, k: usize, ta: bool, tb: bool) -> Vec<f64> {
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] =
                (0..k).map(|p| (if ta { a[p * m + i] } else { a[i * k + p] }) * (if tb { b[j * k + p] } else { b[p * n + j] })).sum();
        }
    }
    c
}

#[test]
fn matrix_multiply() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        // Batched [2,3,4] x [2,4,5].
        let (a, b) = (rand(dtype, &[2, 3, 4], 80), rand(dtype, &[2, 4, 5], 81));
        let y: Vec<f64> = (0..2).flat_map(|i| matmul_ref(&a.values[i * 12..], &b.values[i * 20..], 3, 5, 4, false, false)).collect();
        cases.push(case("batched", MatrixMultiply::of(0, 0), vec![a, b], out(dtype, &[2, 3, 5], y)));
        // Transposes: A [4,3] as Aᵀ, B [5,4] as Bᵀ.
        let (a, b) = (rand(dtype, &[4, 3], 82), rand(dtype, &[5, 4], 83));
        let y = matmul_ref(&a.values, &b.values, 3, 5, 4, true, true);
        cases.push(case("transposed", MatrixMultiply::of(1, 1), vec![a, b], out(dtype, &[3, 5], y)));
        // Broadcast batch: [1,3,4] x [2,4,2] and [3,1,2,3] x [1,2,3,2].
        let (a, b) = (rand(dtype, &[1, 3, 4], 84), rand(dtype, &[2, 4, 2], 85));
        let y: Vec<f64> = (0..2).flat_map(|i| matmul_ref(&a.values, &b.values[i * 8..], 3, 2, 4, false, false)).collect();
        cases.push(case("broadcast batch", MatrixMultiply::of(0, 0), vec![a, b], out(dtype, &[2, 3, 2], y)));
        let (a, b) = (rand(dtype, &[3, 1, 2, 3], 86), rand(dtype, &[1, 2, 3, 2], 87));
        let mut y = vec![];
        for i in 0..3 {
            for j in 0..2 {
                y.extend(matmul_ref(&a.values[i * 6..], &b.values[j * 6..], 2, 2, 3, false, false));
            }
        }
        cases.push(case("mixed broadcast", MatrixMultiply::of(0, 0), vec![a, b], out(dtype, &[3, 2, 2, 2], y)));
        // Matrix times vector: [2,3,4] x [2,4] (kVECTOR) = [2,3].
        let (a, v) = (rand(dtype, &[2, 3, 4], 88), rand(dtype, &[2, 4], 89));
        let y: Vec<f64> = (0..2).flat_map(|i| matmul_ref(&a.values[i * 12..], &v.values[i * 4..], 3, 1, 4, false, false)).collect();
        cases.push(case("matrix-vector", MatrixMultiply::of(0, 2), vec![a, v], out(dtype, &[2, 3], y)));
    }
    check("MatrixMultiply", cases);
}

#[test]
fn fully_connected() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        let x = rand(dtype, &[2, 3, 2, 2], 90);
        let w = representable(dtype, &common::random(5 * 12, 91).iter().map(|&v| v as f64).collect::<Vec<_>>());
        let bias: Vec<f64> = common::random(5, 92).iter().map(|&v| v as f64).collect();
        let mut y = matmul_ref(&x.values, &w, 2, 5, 12, false, true);
        for (i, v) in y.iter_mut().enumerate() {
            *v += bias[i % 5];
        }
        let layer = FullyConnected::of(
            5,
            Weights::from_f32(&w.iter().map(|&v| v as f32).collect::<Vec<_>>()),
            Some(Weights::from_f32(&bias.iter().map(|&v| v as f32).collect::<Vec<_>>())),
        );
        cases.push(case("[2,3,2,2] to 5", layer, vec![x], out(dtype, &[2, 5, 1, 1], y)));
    }
    check("FullyConnected", cases);
}

#[test]
fn pooling() {
    let mut cases = vec![];
    let x9: Vec<f64> = (1..=9).map(|v| v as f64).collect();
    for dtype in FLOAT_TYPES {
        let x = t(dtype, &[1, 1, 3, 3], x9.clone());
        let mk = |kind, excl: bool, mode: i32| {
            let mut p = Pooling::of(kind, vec![2, 2]);
            p.stride = vec![2, 2];
            p.pre_padding = vec![1, 1];
            p.post_padding = vec![1, 1];
            p.average_count_excludes_padding = excl;
            p.padding_mode = mode;
            p
        };
        // Windows over the padded 3x3 plane at stride 2: sums 1, 5, 11, 28 (see the ONNX test).
        cases.push(case("max", mk(0, true, 0), vec![x.clone()], out(dtype, &[1, 1, 2, 2], vec![1.0, 3.0, 7.0, 9.0])));
        cases.push(case("average excluding padding", mk(1, true, 0), vec![x.clone()], out(dtype, &[1, 1, 2, 2], vec![1.0, 2.5, 5.5, 7.0])));
        cases.push(case(
            "average including padding",
            mk(1, false, 0),
            vec![x.clone()],
            out(dtype, &[1, 1, 2, 2], vec![0.25, 1.25, 2.75, 7.0]),
        ));
        let mut blend = mk(2, true, 0);
        blend.blend_factor = 0.25;
        cases.push(case(
            "max-average blend",
            blend,
            vec![x.clone()],
            out(dtype, &[1, 1, 2, 2], vec![1.0, 0.75 * 3.0 + 0.25 * 2.5, 0.75 * 7.0 + 0.25 * 5.5, 0.75 * 9.0 + 0.25 * 7.0]),
        ));
        // Rounding up: 4 on a 3-wide plane, window 2 stride 2 no padding: [2,2] windows, the
        // last one clipped (average over its valid elements).
        let mut up = Pooling::of(1, vec![2, 2]);
        up.padding_mode = 1;
        cases.push(case("ceil mode", up, vec![x.clone()], out(dtype, &[1, 1, 2, 2], vec![3.0, 4.5, 7.5, 9.0])));
        // 1-D over the last axis of [2,6] with window 3 stride 3.
        let x1 = t(dtype, &[2, 6], (0..12).map(|v| v as f64).collect());
        cases.push(case("1-D max", Pooling::of(0, vec![3]), vec![x1], out(dtype, &[2, 2], vec![2.0, 5.0, 8.0, 11.0])));
        // 3-D average of [1,1,2,2,2] with window 2: one value, the mean 4.5.
        let x3 = t(dtype, &[1, 1, 2, 2, 2], (1..=8).map(|v| v as f64).collect());
        cases.push(case("3-D average", Pooling::of(1, vec![2, 2, 2]), vec![x3], out(dtype, &[1, 1, 1, 1, 1], vec![4.5])));
    }
    check("Pooling", cases);
}

fn permute_ref(x: &T, perm: &[usize]) -> T {
    let od: Vec<i64> = perm.iter().map(|&p| x.dims[p]).collect();
    let s = strides(&x.dims);
    let values = (0..x.values.len() as i64)
        .map(|i| {
            let c = coords(i, &od);
            x.values[c.iter().zip(perm).map(|(&c, &p)| c * s[p]).sum::<i64>() as usize]
        })
        .collect();
    T { dtype: x.dtype, dims: od, values }
}

#[test]
fn shuffle() {
    let mut cases = vec![];
    for dtype in [Float, Half, Int32, Bool, Int8] {
        let x = ints(dtype, &[2, 3, 4], 100, 0, if dtype == Bool { 1 } else { 50 });
        // transpose [2,0,1] → [4,2,3], reshape to [8,3], transpose [1,0] → [3,8].
        let mut s = Shuffle::transpose(vec![2, 0, 1]);
        s.reshape = vec![8, 3];
        s.has_reshape = true;
        s.second_transpose = vec![1, 0];
        let t1 = permute_ref(&x, &[2, 0, 1]);
        let r = T { dims: vec![8, 3], ..t1 };
        let y = permute_ref(&r, &[1, 0]);
        cases.push(case("transpose, reshape, transpose", s, vec![x.clone()], y));
        // Placeholders: 0 copies a dim, -1 is inferred.
        let y = T { dims: vec![2, 12], ..x.clone() };
        cases.push(case("reshape [0,-1]", Shuffle::reshape_to(vec![0, -1]), vec![x.clone()], y));
    }
    check("Shuffle", cases);
}

#[test]
fn softmax() {
    let mut cases = vec![];
    for dtype in FLOAT_TYPES {
        for axis in 0..3usize {
            let x = rand(dtype, &[2, 3, 4], 110 + axis as u64);
            let d = &x.dims;
            let s = strides(d);
            let y: Vec<f64> = (0..x.values.len() as i64)
                .map(|i| {
                    let c = coords(i, d);
                    let base = i - c[axis] * s[axis];
                    let row: Vec<f64> = (0..d[axis]).map(|j| x.values[(base + j * s[axis]) as usize]).collect();
                    let m = row.iter().cloned().fold(f64::MIN, f64::max);
                    (x.values[i as usize] - m).exp() / row.iter().map(|v| (v - m).exp()).sum::<f64>()
                })
                .collect();
            cases.push(case(format!("axis {axis}"), SoftMax::over_axis(axis), vec![x.clone()], out(dtype, &x.dims, y)));
        }
    }
    check("SoftMax", cases);
}

#[test]
fn shape() {
    let cases = vec![
        case("of [2,3,5]", Shape::new(), vec![rand(Float, &[2, 3, 5], 120)], out(Int32, &[3], vec![2.0, 3.0, 5.0])),
        case("of a scalar", Shape::new(), vec![t(Int32, &[], vec![7.0])], out(Int32, &[0], vec![])),
    ];
    check("Shape", cases);
}

#[test]
fn non_zero() {
    let mut cases = vec![];
    for dtype in [Float, Half, Int32, Bool] {
        let x = t(dtype, &[3, 4], vec![0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        // Coordinates of (0,1), (1,0), (1,1), (2,3), row-major [rank, count].
        cases.push(case("[3,4]", NonZero::new(), vec![x], out(Int32, &[2, 4], vec![0.0, 1.0, 1.0, 2.0, 1.0, 0.0, 1.0, 3.0])));
        cases.push(case("all zero", NonZero::new(), vec![t(dtype, &[2, 2], vec![0.0; 4])], out(Int32, &[2, 0], vec![])));
    }
    let big = ints(Int32, &[5000], 130, -1, 1);
    let nz: Vec<f64> = big.values.iter().enumerate().filter(|(_, &v)| v != 0.0).map(|(i, _)| i as f64).collect();
    let n = nz.len() as i64;
    cases.push(case("5000 elements", NonZero::new(), vec![big], out(Int32, &[1, n], nz)));
    check("NonZero", cases);
}

/// Transposed convolution by scattering: every input element adds input x weight to the
/// output positions its kernel window covers (the implementations gather instead).
fn deconv_ref(
    x: &T,
    k: i64,
    kernel: &[i64],
    w: &[f64],
    bias: &[f64],
    stride: &[i64],
    pre: &[i64],
    out_sp: &[i64],
    dil: &[i64],
    groups: i64,
) -> Vec<f64> {
    let (n, c) = (x.dims[0], x.dims[1]);
    let sp_in = &x.dims[2..];
    let (cpg, kpg) = (c / groups, k / groups);
    let plane = count(out_sp);
    let mut y: Vec<f64> = (0..n * k).flat_map(|nk| vec![bias.get((nk % k) as usize).copied().unwrap_or(0.0); plane]).collect();
    for b in 0..n {
        for ic in 0..c {
            let g = ic / cpg;
            for i in 0..count(sp_in) as i64 {
                let ic_coords = coords(i, sp_in);
                let xv = x.values[((b * c + ic) as usize) * count(sp_in) + i as usize];
                for m in 0..kpg {
                    let oc = g * kpg + m;
                    for kk in 0..count(kernel) as i64 {
                        let kc = coords(kk, kernel);
                        let o: Vec<i64> = (0..kernel.len()).map(|d| ic_coords[d] * stride[d] - pre[d] + kc[d] * dil[d]).collect();
                        if o.iter().zip(out_sp).any(|(&v, &s)| v < 0 || v >= s) {
                            continue;
                        }
                        let oi = o.iter().zip(strides(out_sp)).map(|(v, s)| v * s).sum::<i64>() as usize;
                        let wi = ((ic * kpg + m) as usize) * count(kernel) + kk as usize;
                        y[((b * k + oc) as usize) * plane + oi] += xv * w[wi];
                    }
                }
            }
        }
    }
    y
}

#[test]
fn deconvolution() {
    let mut cases = vec![];
    // Worked by hand: x = [1, 2], kernel [1, 10], stride 2 -> y = [1, 10, 2, 20].
    let hand = Deconvolution::of(1, vec![2], Weights::from_f32(&[1.0, 10.0]), None);
    let mut hand = hand;
    hand.stride = vec![2];
    cases.push(case("by hand", hand, vec![t(Float, &[1, 1, 2], vec![1.0, 2.0])], out(Float, &[1, 1, 4], vec![1.0, 10.0, 2.0, 20.0])));
    for dtype in FLOAT_TYPES {
        // (input dims, maps, kernel, stride, pre, post, dilation, groups, padding mode, output spatial, leading pad used)
        type Shape = (
            &'static [i64],
            i64,
            &'static [i64],
            &'static [i64],
            &'static [i64],
            &'static [i64],
            &'static [i64],
            i64,
            i32,
            &'static [i64],
            &'static [i64],
        );
        let shapes: [Shape; 7] = [
            // (3 - 1) * 2 + 3 - 1 - 1 = 5
            (&[1, 2, 3, 3], 3, &[3, 3], &[2, 2], &[1, 1], &[1, 1], &[1, 1], 1, 0, &[5, 5], &[1, 1]),
            // dilation 2: span 3; (2 - 1) + 3 = 4, (3 - 1) + 3 = 5
            (&[1, 4, 2, 3], 4, &[2, 2], &[1, 1], &[0, 0], &[0, 0], &[2, 2], 2, 0, &[4, 5], &[0, 0]),
            (&[2, 3, 4], 2, &[3], &[3], &[0], &[0], &[1], 1, 0, &[12], &[0]),
            (&[1, 1, 2, 2, 2], 1, &[2, 2, 2], &[2, 2, 2], &[0, 0, 0], &[0, 0, 0], &[1, 1, 1], 1, 0, &[4, 4, 4], &[0, 0, 0]),
            // SAME_UPPER: 3 * 2 = 6 outputs; full (3 - 1) * 2 + 3 = 7, one pixel cut after.
            (&[1, 1, 3, 3], 2, &[3, 3], &[2, 2], &[0, 0], &[0, 0], &[1, 1], 1, 2, &[6, 6], &[0, 0]),
            // SAME_LOWER: the pixel is cut before.
            (&[1, 1, 3, 3], 2, &[3, 3], &[2, 2], &[0, 0], &[0, 0], &[1, 1], 1, 3, &[6, 6], &[1, 1]),
            // asymmetric explicit padding: (3 - 1) * 1 + 3 - 0 - 1 = 4, and - 1 - 0 = 4
            (&[1, 2, 3, 3], 2, &[3, 3], &[1, 1], &[0, 1], &[1, 0], &[1, 1], 1, 0, &[4, 4], &[0, 1]),
        ];
        for (i, (dims, k, kernel, stride, pre, post, dil, groups, mode, out_sp, lead)) in shapes.into_iter().enumerate() {
            let x = rand(dtype, dims, 40 + i as u64);
            let wn = (dims[1] * (k / groups)) as usize * count(kernel);
            let w: Vec<f64> = representable(dtype, &common::random(wn, 50 + i as u64).iter().map(|&v| v as f64).collect::<Vec<_>>());
            let bias: Vec<f64> = common::random(k as usize, 60 + i as u64).iter().map(|&v| v as f64).collect();
            let mut layer = Deconvolution::of(
                k,
                kernel.to_vec(),
                Weights::from_f32(&w.iter().map(|&v| v as f32).collect::<Vec<_>>()),
                Some(Weights::from_f32(&bias.iter().map(|&v| v as f32).collect::<Vec<_>>())),
            );
            layer.stride = stride.to_vec();
            layer.pre_padding = pre.to_vec();
            layer.post_padding = post.to_vec();
            layer.dilation = dil.to_vec();
            layer.groups = groups;
            layer.padding_mode = mode;
            let y = deconv_ref(&x, k, kernel, &w, &bias, stride, lead, out_sp, dil, groups);
            let mut odims = vec![dims[0], k];
            odims.extend_from_slice(out_sp);
            cases.push(case(format!("shape {i}"), layer, vec![x], out(dtype, &odims, y)));
        }
    }
    check("Deconvolution", cases);
}

/// Resampling reference: per axis the source coordinate x = x_out * a + b (the layer defines
/// it as one f32 fused multiply-add), then nearest / linear / cubic taps, combined over axes.
#[allow(clippy::too_many_arguments)]
fn resize_ref(x: &T, out_dims: &[i64], mode: i32, transform: i32, selector: i32, rounding: i32, cubic: f64, exclude: bool) -> Vec<f64> {
    let rank = x.dims.len();
    let axis_taps = |ax: usize, o: i64| -> Vec<(i64, f64)> {
        let (li, lo) = (x.dims[ax], out_dims[ax]);
        if li == lo {
            return vec![(o, 1.0)];
        }
        let (a, b) = if lo == 1 && (selector == 1 || transform == 0) {
            (0.0f32, 0.0f32)
        } else {
            match transform {
                0 => (((li - 1) as f64 / (lo - 1) as f64) as f32, 0.0),
                2 => ((li as f64 / lo as f64) as f32, (0.5 * li as f64 / lo as f64 - 0.5) as f32),
                _ => ((li as f64 / lo as f64) as f32, 0.0),
            }
        };
        let c = (o as f32).mul_add(a, b) as f64;
        let clamp = |i: i64| i.clamp(0, li - 1);
        match mode {
            0 => {
                let r = match rounding {
                    0 => (c + 0.5).floor(),
                    1 => (c - 0.5).ceil(),
                    3 => c.ceil(),
                    _ => c.floor(),
                };
                vec![(clamp(r as i64), 1.0)]
            }
            1 => {
                let c = c.max(0.0);
                let f = c - c.floor();
                vec![(clamp(c.floor() as i64), 1.0 - f), (clamp(c.floor() as i64 + 1), f)]
            }
            _ => {
                let keys = |d: f64| {
                    let d = d.abs();
                    if d <= 1.0 {
                        (cubic + 2.0) * d.powi(3) - (cubic + 3.0) * d * d + 1.0
                    } else if d < 2.0 {
                        cubic * d.powi(3) - 5.0 * cubic * d * d + 8.0 * cubic * d - 4.0 * cubic
                    } else {
                        0.0
                    }
                };
                let base = c.floor() as i64;
                let mut t: Vec<(i64, f64)> = (-1..=2).map(|k| (base + k, keys(c - (base + k) as f64))).collect();
                if exclude {
                    t.retain(|&(i, _)| (0..li).contains(&i));
                    let s: f64 = t.iter().map(|p| p.1).sum();
                    t.iter_mut().for_each(|p| p.1 /= s);
                }
                t.into_iter().map(|(i, w)| (clamp(i), w)).collect()
            }
        }
    };
    let in_strides = strides(&x.dims);
    (0..count(out_dims) as i64)
        .map(|i| {
            let oc = coords(i, out_dims);
            let per_axis: Vec<Vec<(i64, f64)>> = (0..rank).map(|ax| axis_taps(ax, oc[ax])).collect();
            let mut total = 0.0;
            let mut pick = vec![0usize; rank];
            loop {
                let (mut off, mut w) = (0i64, 1.0);
                for ax in 0..rank {
                    off += per_axis[ax][pick[ax]].0 * in_strides[ax];
                    w *= per_axis[ax][pick[ax]].1;
                }
                total += w * x.values[off as usize];
                let mut ax = rank;
                loop {
                    if ax == 0 {
                        return total;
                    }
                    ax -= 1;
                    pick[ax] += 1;
                    if pick[ax] < per_axis[ax].len() {
                        break;
                    }
                    pick[ax] = 0;
                }
            }
        })
        .collect()
}

fn resize_layer(out_dims: &[i64], mode: i32, transform: i32, selector: i32, rounding: i32, cubic: f32, exclude: bool) -> Resize {
    let mut r = Resize::new();
    r.output_dims = out_dims.to_vec();
    r.resize_mode = mode;
    r.coordinate_transformation = transform;
    r.selector = selector;
    r.nearest_rounding = rounding;
    r.cubic_coeff = cubic;
    r.exclude_outside = exclude;
    r
}

#[test]
fn resize() {
    let mut cases = vec![];
    // Worked by hand: nearest, asymmetric, floor, [2,3] -> [4,6] repeats every pixel twice.
    let x = t(Float, &[1, 1, 2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let y: Vec<f64> = [1., 1., 2., 2., 3., 3., 1., 1., 2., 2., 3., 3., 4., 4., 5., 5., 6., 6., 4., 4., 5., 5., 6., 6.].to_vec();
    cases.push(case("nearest x2 by hand", resize_layer(&[1, 1, 4, 6], 0, 1, 0, 2, -0.75, false), vec![x], out(Float, &[1, 1, 4, 6], y)));
    // Worked by hand: cubic (A = -0.75), asymmetric, [0,1,2,3] -> 8: at x = 0.5 the taps are
    // -0.09375, 0.59375, 0.59375, -0.09375 on [0,0,1,2] (the first clamped) = 0.40625; at
    // x = 1.5 on [0,1,2,3] = 1.5.
    let x = t(Float, &[4], vec![0.0, 1.0, 2.0, 3.0]);
    let y = resize_ref(&x, &[8], 2, 1, 0, 2, -0.75, false);
    assert!((y[1] - 0.40625).abs() < 1e-12 && (y[3] - 1.5).abs() < 1e-12, "the reference itself: {y:?}");
    cases.push(case("cubic by hand", resize_layer(&[8], 2, 1, 0, 2, -0.75, false), vec![x], out(Float, &[8], y)));
    // Worked by hand: one output pixel of [4,4]: UPPER reads x[0][0]; the half-pixel formula
    // reads (0 + 0.5) * 4 - 0.5 = 1.5, floor 1: x[1][1].
    let x16: Vec<f64> = (0..16).map(|v| v as f64).collect();
    for (selector, want) in [(1, 0.0), (0, 5.0)] {
        let x = t(Float, &[1, 1, 4, 4], x16.clone());
        cases.push(case(
            format!("single pixel selector {selector}"),
            resize_layer(&[1, 1, 1, 1], 0, 2, selector, 2, -0.75, false),
            vec![x],
            out(Float, &[1, 1, 1, 1], vec![want]),
        ));
    }
    for dtype in FLOAT_TYPES {
        let mut n = 0;
        // (input dims, output dims, mode, transform, rounding, cubic A, exclude outside)
        let shapes: [(&[i64], &[i64], i32, i32, i32, f32, bool); 12] = [
            (&[1, 2, 5, 5], &[1, 2, 3, 3], 0, 1, 0, -0.75, false),
            (&[1, 2, 5, 5], &[1, 2, 3, 3], 0, 2, 1, -0.75, false),
            (&[1, 2, 3, 4], &[1, 2, 6, 6], 0, 0, 3, -0.75, false),
            (&[2, 4, 6], &[2, 8, 3], 0, 2, 2, -0.75, false),
            (&[1, 2, 3, 3], &[1, 2, 5, 4], 1, 2, 2, -0.75, false),
            (&[1, 2, 3, 3], &[1, 2, 5, 4], 1, 0, 2, -0.75, false),
            (&[1, 2, 3, 3], &[1, 2, 6, 2], 1, 1, 2, -0.75, false),
            (&[1, 3, 4, 2], &[1, 5, 3, 4], 1, 2, 2, -0.75, false),
            (&[5], &[11], 1, 2, 2, -0.75, false),
            (&[1, 1, 4, 5], &[1, 1, 7, 3], 2, 2, 2, -0.75, false),
            (&[1, 1, 4, 5], &[1, 1, 7, 3], 2, 2, 2, -0.5, true),
            (&[2, 3, 3], &[2, 6, 5], 2, 0, 2, -0.75, false),
        ];
        for (din, dout, mode, transform, rounding, a, exclude) in shapes {
            let x = rand(dtype, din, 70 + n);
            let y = resize_ref(&x, dout, mode, transform, 0, rounding, a as f64, exclude);
            let layer = resize_layer(dout, mode, transform, 0, rounding, a, exclude);
            cases.push(case(
                format!("mode {mode} transform {transform} rounding {rounding} {din:?}->{dout:?}"),
                layer,
                vec![x],
                out(dtype, dout, y),
            ));
            n += 1;
        }
    }
    // Scales: floor(2 * 1.5) = 3, 2 * 2 = 4.
    let x = rand(Float, &[1, 1, 2, 2], 90);
    let y = resize_ref(&x, &[1, 1, 3, 4], 1, 2, 0, 2, -0.75, false);
    let mut by_scales = resize_layer(&[], 1, 2, 0, 2, -0.75, false);
    by_scales.scales = Some(Weights::from_f32(&[1.0, 1.0, 1.5, 2.0]));
    cases.push(case("scales", by_scales, vec![x], out(Float, &[1, 1, 3, 4], y)));
    // Nearest moves any element type.
    for dtype in [Int32, Int8, Bool] {
        let x = ints(dtype, &[2, 3, 4], 91, 0, 1);
        let y = resize_ref(&x, &[2, 5, 2], 0, 1, 0, 0, -0.75, false);
        cases.push(case("nearest ints", resize_layer(&[2, 5, 2], 0, 1, 0, 0, -0.75, false), vec![x], t(dtype, &[2, 5, 2], y)));
    }
    check("Resize", cases);
}

#[test]
fn resize_refuses_what_its_mode_cannot_do() {
    let mut net = nvinfer::ir::Network::new();
    let x = net.add_input("x", Float, &[1, 2, 3, 3]).unwrap();
    let e = net.add_layer(Box::new(resize_layer(&[2, 2, 3, 3], 1, 1, 0, 2, -0.75, false)), &[x]).unwrap_err();
    assert!(e.message.contains("innermost 3 axes"), "{}", e.message);
    let e = net.add_layer(Box::new(resize_layer(&[1, 2, 6, 6], 2, 1, 0, 2, -0.75, false)), &[x]);
    assert!(e.is_ok(), "cubic on the innermost two axes");
    let e = net.add_layer(Box::new(resize_layer(&[1, 4, 6, 6], 2, 1, 0, 2, -0.75, false)), &[x]).unwrap_err();
    assert!(e.message.contains("innermost 2 axes"), "{}", e.message);
    let e = net.add_layer(Box::new(resize_layer(&[1, 2], 0, 1, 0, 2, -0.75, false)), &[x]).unwrap_err();
    assert!(e.message.contains("output dimensions"), "{}", e.message);
    let e = net.add_layer(Box::new(resize_layer(&[1, 2, 6, 6], 7, 1, 0, 2, -0.75, false)), &[x]).unwrap_err();
    assert!(e.message.contains("unknown resize mode"), "{}", e.message);
}

/// Grid-sample reference (the semantics of PyTorch's grid_sample): pixel coordinates are
/// computed in f32 as the layer defines them, interpolation in f64.
fn grid_sample_ref(x: &T, grid: &T, mode: i32, padding: i32, align: bool) -> (Vec<i64>, Vec<f64>) {
    let [n, c, h, w] = [x.dims[0], x.dims[1], x.dims[2], x.dims[3]];
    let (ho, wo) = (grid.dims[1], grid.dims[2]);
    let unnorm = |v: f32, size: i64| -> f32 {
        if align {
            (v + 1.0) / 2.0 * (size as f32 - 1.0)
        } else {
            ((v + 1.0) * size as f32 - 1.0) / 2.0
        }
    };
    let reflect = |v: f32, lo2: f32, hi2: f32| -> f32 {
        if lo2 == hi2 {
            return 0.0;
        }
        let (min, span) = (lo2 / 2.0, (hi2 - lo2) / 2.0);
        let d = (v - min).abs();
        let flips = (d / span).floor() as i64;
        let extra = d % span;
        if flips % 2 == 0 {
            extra + min
        } else {
            span - extra + min
        }
    };
    let pad = |v: f32, size: i64| -> f32 {
        let max = (size - 1) as f32;
        match padding {
            2 => v.max(0.0).min(max),
            4 => (if align { reflect(v, 0.0, 2.0 * max) } else { reflect(v, -1.0, 2.0 * size as f32 - 1.0) }).max(0.0).min(max),
            _ => v,
        }
    };
    let keys = |d: f64| {
        let (a, d) = (-0.75, d.abs());
        if d <= 1.0 {
            (a + 2.0) * d.powi(3) - (a + 3.0) * d * d + 1.0
        } else if d < 2.0 {
            a * d.powi(3) - 5.0 * a * d * d + 8.0 * a * d - 4.0 * a
        } else {
            0.0
        }
    };
    let mut y = vec![];
    for b in 0..n {
        for ch in 0..c {
            let at = |yy: i64, xx: i64| {
                if (0..h).contains(&yy) && (0..w).contains(&xx) {
                    x.values[(((b * c + ch) * h + yy) * w + xx) as usize]
                } else {
                    0.0
                }
            };
            for p in 0..ho * wo {
                let g = ((b * ho * wo + p) * 2) as usize;
                let (gx, gy) = (grid.values[g] as f32, grid.values[g + 1] as f32);
                y.push(match mode {
                    0 => at(pad(unnorm(gy, h), h).round_ties_even() as i64, pad(unnorm(gx, w), w).round_ties_even() as i64),
                    1 => {
                        let (px, py) = (pad(unnorm(gx, w), w) as f64, pad(unnorm(gy, h), h) as f64);
                        let (x0, y0) = (px.floor(), py.floor());
                        let (tx, ty) = (px - x0, py - y0);
                        let (xi, yi) = (x0 as i64, y0 as i64);
                        at(yi, xi) * (1.0 - tx) * (1.0 - ty)
                            + at(yi, xi + 1) * tx * (1.0 - ty)
                            + at(yi + 1, xi) * (1.0 - tx) * ty
                            + at(yi + 1, xi + 1) * tx * ty
                    }
                    _ => {
                        let (px, py) = (unnorm(gx, w), unnorm(gy, h));
                        let (x0, y0) = (px.floor(), py.floor());
                        let mut acc = 0.0;
                        for j in -1..=2 {
                            for i in -1..=2 {
                                let (yy, xx) = (pad(y0 + j as f32, h) as i64, pad(x0 + i as f32, w) as i64);
                                acc += keys((py - (y0 + j as f32)) as f64) * keys((px - (x0 + i as f32)) as f64) * at(yy, xx);
                            }
                        }
                        acc
                    }
                });
            }
        }
    }
    (vec![n, c, ho, wo], y)
}

fn grid_sample_layer(mode: i32, padding: i32, align: bool) -> GridSample {
    GridSample { interpolation_mode: mode, sample_mode: padding, align_corners: align }
}

#[test]
fn grid_sample() {
    let mut cases = vec![];
    // Worked by hand on [[1, 2], [3, 4]]: bilinear at the centre (0, 0) is 2.5 either way; at
    // (-1, -1) without align corners the point is the outer corner (-0.5, -0.5): a quarter of
    // pixel 1 with zero padding (0.25), pixel 1 itself with border padding.
    let x = t(Float, &[1, 1, 2, 2], vec![1.0, 2.0, 3.0, 4.0]);
    let g = t(Float, &[1, 1, 2, 2], vec![0.0, 0.0, -1.0, -1.0]);
    cases.push(case(
        "by hand zeros",
        grid_sample_layer(1, 3, false),
        vec![x.clone(), g.clone()],
        out(Float, &[1, 1, 1, 2], vec![2.5, 0.25]),
    ));
    cases.push(case("by hand border", grid_sample_layer(1, 2, false), vec![x, g], out(Float, &[1, 1, 1, 2], vec![2.5, 1.0])));
    let mut seed = 100;
    for dtype in FLOAT_TYPES {
        for mode in 0..=2 {
            for padding in [2, 3, 4] {
                for align in [false, true] {
                    let x = rand(dtype, &[2, 2, 4, 5], seed);
                    // Points up to 30% outside the input, to reach every padding rule.
                    let gv: Vec<f64> = common::random(2 * 3 * 4 * 2, seed + 1).iter().map(|&v| v as f64 * 1.3).collect();
                    let grid = t(dtype, &[2, 3, 4, 2], gv);
                    let (dims, y) = grid_sample_ref(&x, &grid, mode, padding, align);
                    cases.push(case(
                        format!("mode {mode} padding {padding} align {align}"),
                        grid_sample_layer(mode, padding, align),
                        vec![x, grid],
                        out(dtype, &dims, y),
                    ));
                    seed += 2;
                }
            }
        }
    }
    check("GridSample", cases);
}

#[test]
fn convolution_kernel_and_bias_may_be_constant_inputs() {
    use nvinfer::backend::Target;
    use nvinfer::builder::{build_for, config::BuilderConfig};
    use nvinfer::ir::Network;
    use nvinfer::runtime::{Engine, ExecutionContext};
    // y = conv(x, W) + b with W and b given as tensors: plain constants, and W as the
    // dequantized int8 values (W = q * 0.5) the way quantized networks feed it.
    let xv: Vec<f32> = common::random(2 * 4 * 4, 3);
    let q: Vec<i8> = (0..3 * 2 * 9).map(|i| (i % 7) as i8 - 3).collect();
    let w: Vec<f32> = q.iter().map(|&v| v as f32 * 0.5).collect();
    let b = [0.25f32, -1.0, 2.0];
    let mut want = vec![0f32; 3 * 2 * 2];
    let plain = Convolution::of(3, vec![3, 3], Weights::from_f32(&w), Some(Weights::from_f32(&b)));
    nvinfer::layers::convolution::convolve(&plain.geometry(&[1, 2, 4, 4]).unwrap(), &xv, &w, Some(&b), &mut want);
    for quantized in [false, true] {
        let mut net = Network::new();
        let x = net.add_input("x", Float, &[1, 2, 4, 4]).unwrap();
        let add = |net: &mut Network, layer: Box<dyn nvinfer::layers::Layer>, ins: &[usize]| {
            let l = net.add_layer(layer, ins).unwrap_or_else(|e| panic!("{}", e.message));
            net.layers[l].outputs[0]
        };
        let kernel = if quantized {
            let qc =
                add(&mut net, Box::new(Constant::of(vec![3, 2, 3, 3], Weights::from_bytes(Int8, bytemuck::cast_slice(&q)).unwrap())), &[]);
            let s = add(&mut net, Box::new(Constant::of(vec![], Weights::from_f32(&[0.5]))), &[]);
            add(&mut net, Box::new(Dequantize::new()), &[qc, s])
        } else {
            add(&mut net, Box::new(Constant::of(vec![3, 2, 3, 3], Weights::from_f32(&w))), &[])
        };
        let bias = add(&mut net, Box::new(Constant::of(vec![3], Weights::from_f32(&b))), &[]);
        let mut conv = Convolution::new();
        conv.num_output_maps = 3;
        conv.kernel_size = vec![3, 3];
        let y = add(&mut net, Box::new(conv), &[x, kernel, bias]);
        net.set_tensor_name(y, "y").unwrap();
        net.mark_output(y).unwrap();
        let plan = build_for(&net, &BuilderConfig::default(), &common::quiet(), Target::Cpu).unwrap_or_else(|e| panic!("{}", e.message));
        let mut ctx = ExecutionContext::new(std::sync::Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
        let mut got = vec![0f32; 12];
        common::run_cpu_context(&mut ctx, &[("x", &xv)], &mut [("y", &mut got)]);
        common::assert_close(&got, &want, 1e-5, &format!("kernel as input, quantized {quantized}"));
    }
    // A kernel that is not a build-time constant is refused by the builder, by name.
    let mut net = Network::new();
    let x = net.add_input("x", Float, &[1, 2, 4, 4]).unwrap();
    let k = net.add_input("k", Float, &[3, 2, 3, 3]).unwrap();
    let mut conv = Convolution::new();
    conv.num_output_maps = 3;
    conv.kernel_size = vec![3, 3];
    let l = net.add_layer(Box::new(conv), &[x, k]).unwrap();
    net.mark_output(net.layers[l].outputs[0]).unwrap();
    let e = build_for(&net, &BuilderConfig::default(), &common::quiet(), Target::Cpu).unwrap_err();
    assert!(e.message.contains("constant"), "{}", e.message);
}
