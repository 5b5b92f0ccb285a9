//! ONNX operators on 8-bit integers and quantized values, on paths the ONNX node tests do
//! not reach: uint8 arithmetic that wraps around, int8 division and remainders of negative
//! values, QuantizeLinear's ties (half to even), convolutions of quantized values with
//! constant kernels, and integer matrix products long enough that float accumulation needs
//! splitting. Every expected value is computed here from the operator's definition.

mod common;

use common::onnx::*;
use nvinfer::onnx::proto::*;
use nvinfer::runtime::{Engine, ExecutionContext};
use std::sync::Arc;

/// A typed input or output: name, ONNX element type, dims.
type Io<'a> = (&'a str, i32, &'a [i64]);

fn typed_info(name: &str, elem_type: i32, dims: &[i64]) -> ValueInfoProto {
    let mut v = value_info(name, dims);
    if let Some(t) = v.r#type.as_mut().and_then(|t| t.tensor_type.as_mut()) {
        t.elem_type = elem_type;
    }
    v
}

fn raw_tensor(name: &str, elem_type: i32, dims: &[i64], raw_data: Vec<u8>) -> TensorProto {
    TensorProto { name: name.into(), dims: dims.to_vec(), data_type: elem_type, raw_data: raw_data.into(), ..Default::default() }
}

fn element_size(elem_type: i32) -> usize {
    match elem_type {
        data_type::UINT8 | data_type::INT8 => 1,
        _ => 4,
    }
}

/// Parses a one-node graph, builds it for the CPU and runs it on raw little-endian feeds;
/// returns the output's bytes.
fn run(opset: i64, n: NodeProto, inits: Vec<TensorProto>, inputs: &[Io], feeds: &[Vec<u8>], output: Io) -> Vec<u8> {
    let graph = GraphProto {
        name: "g".into(),
        node: vec![n],
        initializer: inits,
        input: inputs.iter().map(|(n, t, d)| typed_info(n, *t, d)).collect(),
        output: vec![typed_info(output.0, output.1, output.2)],
    };
    let net = parse_ok(&model(opset, graph));
    let engine = Arc::new(Engine::deserialize(&common::cpu_plan(&net).unwrap()).unwrap());
    let mut ctx = ExecutionContext::new(engine).unwrap();
    for ((name, _, _), data) in inputs.iter().zip(feeds) {
        ctx.set_tensor_address(name, data.as_ptr() as u64).unwrap();
    }
    let count: i64 = output.2.iter().product();
    let mut y = vec![0u8; count as usize * element_size(output.1)];
    ctx.set_tensor_address(output.0, y.as_mut_ptr() as u64).unwrap();
    ctx.enqueue(std::ptr::null_mut()).expect("CPU enqueue");
    y
}

fn i8_bytes(v: &[i8]) -> Vec<u8> {
    v.iter().map(|&x| x as u8).collect()
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn i32_values(b: &[u8]) -> Vec<i32> {
    b.chunks_exact(4).map(|c| i32::from_le_bytes(c.try_into().unwrap())).collect()
}

const U8: i32 = data_type::UINT8;
const I8: i32 = data_type::INT8;
const F32: i32 = data_type::FLOAT;
const I32: i32 = data_type::INT32;

fn binary_u8(op: &str, a: &[u8], b: &[u8]) -> Vec<u8> {
    let d = [a.len() as i64];
    run(14, node(op, "n", &["A", "B"], &["Y"], vec![]), vec![], &[("A", U8, &d), ("B", U8, &d)], &[a.to_vec(), b.to_vec()], ("Y", U8, &d))
}

fn binary_i8(op: &str, a: &[i8], b: &[i8], attrs: Vec<AttributeProto>) -> Vec<i8> {
    let d = [a.len() as i64];
    let y = run(
        18,
        node(op, "n", &["A", "B"], &["Y"], attrs),
        vec![],
        &[("A", I8, &d), ("B", I8, &d)],
        &[i8_bytes(a), i8_bytes(b)],
        ("Y", I8, &d),
    );
    y.into_iter().map(|v| v as i8).collect()
}

#[test]
fn uint8_arithmetic_wraps_around() {
    let a = [200u8, 5, 255, 16, 0];
    let b = [100u8, 10, 255, 17, 1];
    let expect = |f: fn(u8, u8) -> u8| a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect::<Vec<u8>>();
    assert_eq!(binary_u8("Add", &a, &b), expect(u8::wrapping_add));
    assert_eq!(binary_u8("Sub", &a, &b), expect(u8::wrapping_sub));
    assert_eq!(binary_u8("Mul", &a, &b), expect(u8::wrapping_mul));
    assert_eq!(binary_u8("Div", &a, &b), expect(|x, y| x / y));
}

#[test]
fn int8_division_truncates_and_remainders_take_the_onnx_sign() {
    let a = [-7i8, 7, -7, 7, -128, -128, 100];
    let b = [2i8, -2, -2, 2, -1, 3, -7];
    // Div truncates toward zero; -128 / -1 wraps to -128 as numpy's int8 does.
    let div: Vec<i8> = a.iter().zip(&b).map(|(&x, &y)| x.wrapping_div(y)).collect();
    assert_eq!(binary_i8("Div", &a, &b, vec![]), div);
    assert_eq!(div[..4], [-3, -3, 3, 3]);
    // fmod=0: the remainder has the divisor's sign; fmod=1: the dividend's.
    let floor_mod: Vec<i8> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| {
            let r = x as i32 % y as i32;
            (if r != 0 && (r < 0) != (y < 0) { r + y as i32 } else { r }) as i8
        })
        .collect();
    assert_eq!(binary_i8("Mod", &a, &b, vec![]), floor_mod);
    assert_eq!(floor_mod[..4], [1, -1, -1, 1]);
    let trunc_mod: Vec<i8> = a.iter().zip(&b).map(|(&x, &y)| (x as i32 % y as i32) as i8).collect();
    assert_eq!(binary_i8("Mod", &a, &b, vec![int_attr("fmod", 1)]), trunc_mod);
    assert_eq!(trunc_mod[..4], [-1, 1, -1, 1]);
}

#[test]
fn quantize_linear_rounds_ties_to_even_and_saturates() {
    // x / 2 lands on .5 ties: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -0.5 -> -0, -1.5 -> -2, -2.5 -> -2;
    // then + 10 and saturation to [0, 255].
    let x = [1.0f32, 3.0, 5.0, -1.0, -3.0, -5.0, 1000.0, -1000.0];
    let d = [x.len() as i64];
    let inputs: [Io; 3] = [("X", F32, &d), ("S", F32, &[]), ("Z", U8, &[])];
    let feeds = [f32_bytes(&x), f32_bytes(&[2.0]), vec![10u8]];
    let y = run(13, node("QuantizeLinear", "q", &["X", "S", "Z"], &["Y"], vec![]), vec![], &inputs, &feeds, ("Y", U8, &d));
    assert_eq!(y, vec![10, 12, 12, 10, 8, 8, 255, 0]);
    // int8 with a non-zero constant zero point.
    let zp = raw_tensor("Z", I8, &[], vec![(-3i8) as u8]);
    let inputs: [Io; 2] = [("X", F32, &d), ("S", F32, &[])];
    let y = run(13, node("QuantizeLinear", "q", &["X", "S", "Z"], &["Y"], vec![]), vec![zp], &inputs, &feeds[..2], ("Y", I8, &d));
    let y: Vec<i8> = y.into_iter().map(|v| v as i8).collect();
    assert_eq!(y, vec![-3, -1, -1, -3, -5, -5, 127, -128]);
}

/// ConvInteger over [1, 2, 4, 4] with a constant [3, 2, 2, 2] kernel, pads 1, per-channel
/// kernel zero points.
#[test]
fn conv_integer_with_a_constant_kernel() {
    let x: Vec<u8> = (0..32).map(|i| (i * 37 % 256) as u8).collect();
    let w: Vec<u8> = (0..24).map(|i| (i * 53 % 256) as u8).collect();
    let (x_zp, w_zp) = (7u8, [128u8, 3, 250]);
    let inits = vec![raw_tensor("W", U8, &[3, 2, 2, 2], w.clone()), raw_tensor("WZ", U8, &[3], w_zp.to_vec())];
    let n = node("ConvInteger", "c", &["X", "W", "XZ", "WZ"], &["Y"], vec![ints_attr("pads", &[1, 1, 1, 1])]);
    let inputs: [Io; 2] = [("X", U8, &[1, 2, 4, 4]), ("XZ", U8, &[])];
    let y = i32_values(&run(10, n, inits, &inputs, &[x.clone(), vec![x_zp]], ("Y", I32, &[1, 3, 5, 5])));
    let mut expected = vec![0i32; 75];
    for m in 0..3 {
        for oy in 0..5i32 {
            for ox in 0..5i32 {
                let mut s = 0;
                for c in 0..2 {
                    for ky in 0..2 {
                        for kx in 0..2 {
                            let (iy, ix) = (oy + ky - 1, ox + kx - 1);
                            if (0..4).contains(&iy) && (0..4).contains(&ix) {
                                let xv = x[(c * 16 + iy * 4 + ix) as usize] as i32 - x_zp as i32;
                                let wv = w[m * 8 + (c * 4 + ky * 2 + kx) as usize] as i32 - w_zp[m] as i32;
                                s += xv * wv;
                            }
                        }
                    }
                }
                expected[m * 25 + (oy * 5 + ox) as usize] = s;
            }
        }
    }
    assert_eq!(y, expected);
}

/// MatMulInteger of [2, K] by [K, 3]: K = 300 needs one operand split, K = 5000 both.
#[test]
fn matmul_integer_is_exact_past_float_accumulation() {
    for k in [300usize, 5000] {
        let a: Vec<i8> = (0..2 * k).map(|i| if i % 3 == 0 { -128 } else { 127 - (i % 7) as i8 }).collect();
        let b: Vec<i8> = (0..k * 3).map(|i| if i % 5 == 0 { -128 } else { 127 - (i % 11) as i8 }).collect();
        let (az, bz) = (127i8, -128i8);
        let n = node("MatMulInteger", "m", &["A", "B", "AZ", "BZ"], &["Y"], vec![]);
        let inputs: [Io; 4] = [("A", I8, &[2, k as i64]), ("B", I8, &[k as i64, 3]), ("AZ", I8, &[]), ("BZ", I8, &[])];
        let feeds = [i8_bytes(&a), i8_bytes(&b), i8_bytes(&[az]), i8_bytes(&[bz])];
        let y = i32_values(&run(10, n, vec![], &inputs, &feeds, ("Y", I32, &[2, 3])));
        let mut expected = vec![];
        for i in 0..2 {
            for j in 0..3 {
                expected.push((0..k).map(|t| (a[i * k + t] as i32 - az as i32) * (b[t * 3 + j] as i32 - bz as i32)).sum::<i32>());
            }
        }
        assert_eq!(y, expected, "K = {k}");
        if k == 5000 {
            // Sums past 2^24, where float accumulation alone would round.
            assert!(expected.iter().any(|v| v.abs() > 1 << 24));
        }
    }
}

/// QLinearConv with a constant kernel and a bias: round half to even of
/// (conv + bias) * x_scale * w_scale / y_scale, plus the output zero point, saturated.
#[test]
fn qlinear_conv_with_a_constant_kernel() {
    let x: Vec<u8> = (0..9).map(|i| (i * 29 % 256) as u8).collect();
    let w = vec![3u8, 250];
    let inits = vec![
        raw_tensor("W", U8, &[2, 1, 1, 1], w.clone()),
        float_tensor("XS", &[], &[0.5]),
        raw_tensor("XZ", U8, &[], vec![100]),
        float_tensor("WS", &[2], &[0.25, 1.0]),
        raw_tensor("WZ", U8, &[2], vec![1, 248]),
        float_tensor("YS", &[], &[1.0]),
        raw_tensor("YZ", U8, &[], vec![128]),
        raw_tensor("B", I32, &[2], [4i32, -1].iter().flat_map(|v| v.to_le_bytes()).collect()),
    ];
    let n = node("QLinearConv", "c", &["X", "XS", "XZ", "W", "WS", "WZ", "YS", "YZ", "B"], &["Y"], vec![]);
    let y = run(10, n, inits, &[("X", U8, &[1, 1, 3, 3])], std::slice::from_ref(&x), ("Y", U8, &[1, 2, 3, 3]));
    let (ws, wz, bias) = ([0.25f64, 1.0], [1i32, 248], [4i32, -1]);
    let mut expected = vec![];
    for m in 0..2 {
        for &xv in &x {
            let acc = (xv as i32 - 100) * (w[m] as i32 - wz[m]) + bias[m];
            let v = (acc as f64 * 0.5 * ws[m]).round_ties_even() + 128.0;
            expected.push(v.clamp(0.0, 255.0) as u8);
        }
    }
    assert_eq!(y, expected);
}

/// Shifts of 8 or more leave 0 of a uint8; int8 bitwise operations act on two's complement.
#[test]
fn bit_operations_on_bytes() {
    let x = [0b1011_0101u8, 255, 1, 128, 77];
    let s = [1u8, 8, 7, 200, 0];
    let d = [5i64];
    let shift = |dir: &str| {
        let n = node("BitShift", "s", &["X", "Y"], &["Z"], vec![string_attr("direction", dir)]);
        run(11, n, vec![], &[("X", U8, &d), ("Y", U8, &d)], &[x.to_vec(), s.to_vec()], ("Z", U8, &d))
    };
    let expect =
        |f: fn(u32, u32) -> u32| x.iter().zip(&s).map(|(&a, &b)| if b >= 8 { 0 } else { f(a as u32, b as u32) as u8 }).collect::<Vec<u8>>();
    assert_eq!(shift("LEFT"), expect(|a, b| a << b));
    assert_eq!(shift("RIGHT"), expect(|a, b| a >> b));

    let a = [-1i8, -128, 127, -86, 0x35];
    let b = [0x5ai8, -1, -128, 0x55, -13];
    let y = binary_i8("BitwiseXor", &a, &b, vec![]);
    assert_eq!(y, a.iter().zip(&b).map(|(&p, &q)| p ^ q).collect::<Vec<i8>>());
    let y = binary_i8("BitwiseAnd", &a, &b, vec![]);
    assert_eq!(y, a.iter().zip(&b).map(|(&p, &q)| p & q).collect::<Vec<i8>>());
}
