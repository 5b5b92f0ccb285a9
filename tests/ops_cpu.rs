//! The CPU reference of every op against small hand-computed values, and shape inference
//! errors (which must come back as Err with a message, never as a panic).
//!
//! Tolerances: exact small-integer arithmetic is checked to 1e-6 absolute; transcendental
//! results (exp, tanh, log1p) to 1e-6 absolute against 8-digit values computed by hand
//! (in double precision), which f32 reproduces to about 1e-7.

mod common;

use common::{assert_all_written, assert_close, run_op_cpu};
use nvinfer::ops::activation::Activation;
use nvinfer::ops::constant::Constant;
use nvinfer::ops::convolution::Convolution;
use nvinfer::ops::elementwise::ElementWise;
use nvinfer::ops::fully_connected::FullyConnected;
use nvinfer::ops::matmul::{MatrixMultiply, NONE, TRANSPOSE};
use nvinfer::ops::pooling::{Pooling, AVERAGE, MAX};
use nvinfer::ops::shuffle::Shuffle;
use nvinfer::ops::softmax::SoftMax;
use nvinfer::ops::{self, Op, Param};

const EXACT: f32 = 1e-6;

/// Runs `op` and checks the output shape and values.
fn check(op: &dyn Op, inputs: &[(&[f32], &[i64])], dims: &[i64], expected: &[f32], tol: f32) {
    let (out_dims, out) = run_op_cpu(op, inputs).unwrap_or_else(|e| panic!("{}: {}", op.kind(), e.message));
    assert_eq!(out_dims, dims, "{} output shape", op.kind());
    assert_all_written(&out, op.kind());
    assert_close(&out, expected, tol, op.kind());
}

/// The error of shape inference, which must exist and say something.
fn infer_err(op: &dyn Op, inputs: &[&[i64]]) -> String {
    match op.infer(inputs) {
        Ok(d) => panic!("{}: shape inference accepted {inputs:?} giving {d:?}", op.kind()),
        Err(e) => {
            assert!(!e.message.is_empty(), "{}: an error without a message", op.kind());
            e.message
        }
    }
}

fn iota(n: usize, start: f32) -> Vec<f32> {
    (0..n).map(|i| start + i as f32).collect()
}

// ---------------------------------------------------------------- convolution

#[test]
fn convolution_padding_stride_bias() {
    // x = 1..9 as 3x3, kernel 2x2 [[1,2],[3,4]], pad 1, stride 2, bias 0.5 → 2x2:
    // (0,0) sees only x(0,0)=1 under w(1,1)=4 → 4.5
    // (0,1) sees x(0,1)=2·w(1,0)=3 and x(0,2)=3·w(1,1)=4 → 18.5
    // (1,0) sees x(1,0)=4·w(0,1)=2 and x(2,0)=7·w(1,1)=4 → 36.5
    // (1,1) sees 5·1 + 6·2 + 8·3 + 9·4 = 77 → 77.5
    let mut conv = Convolution::new(1, [2, 2], vec![1.0, 2.0, 3.0, 4.0], vec![0.5]);
    conv.stride = vec![2, 2];
    conv.pre_padding = vec![1, 1];
    conv.post_padding = vec![1, 1];
    let x = iota(9, 1.0);
    check(&conv, &[(&x, &[1, 1, 3, 3])], &[1, 1, 2, 2], &[4.5, 18.5, 36.5, 77.5], EXACT);
}

#[test]
fn convolution_without_padding_is_a_valid_correlation() {
    // 3x3 input 1..9, 2x2 kernel of ones, no bias: sums of each 2x2 window.
    let conv = Convolution::new(1, [2, 2], vec![1.0; 4], vec![]);
    let x = iota(9, 1.0);
    check(&conv, &[(&x, &[1, 1, 3, 3])], &[1, 1, 2, 2], &[12.0, 16.0, 24.0, 28.0], EXACT);
}

#[test]
fn convolution_two_groups() {
    // 4 input channels, 2 output maps, groups=2, 1x1 kernel: map 0 = 1·x0 + 10·x1,
    // map 1 = 100·x2 + 1000·x3; bias [0, -1].
    let mut conv = Convolution::new(2, [1, 1], vec![1.0, 10.0, 100.0, 1000.0], vec![0.0, -1.0]);
    conv.groups = 2;
    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]; // x0=[1,2] x1=[3,4] x2=[5,6] x3=[7,8]
    check(&conv, &[(&x, &[1, 4, 1, 2])], &[1, 2, 1, 2], &[31.0, 42.0, 7499.0, 8599.0], EXACT);
}

#[test]
fn convolution_dilation_and_stride() {
    // Row [1,2,3,4,5], kernel 1x2 [1,10] dilated by 2 (taps j and j+2): [31,42,53];
    // with stride 2 only j = 0 and 2 remain: [31,53].
    let mut conv = Convolution::new(1, [1, 2], vec![1.0, 10.0], vec![]);
    conv.dilation = vec![1, 2];
    let x = iota(5, 1.0);
    check(&conv, &[(&x, &[1, 1, 1, 5])], &[1, 1, 1, 3], &[31.0, 42.0, 53.0], EXACT);
    conv.stride = vec![1, 2];
    check(&conv, &[(&x, &[1, 1, 1, 5])], &[1, 1, 1, 2], &[31.0, 53.0], EXACT);
}

#[test]
fn convolution_batch_and_channels() {
    // Batch 2, 2 input channels, 1 map, 1x1 kernel [2, -1]: y = 2·c0 − c1 per batch.
    let conv = Convolution::new(1, [1, 1], vec![2.0, -1.0], vec![]);
    let x = [1.0, 2.0, 10.0, 20.0, /* batch 1 */ 3.0, 4.0, 30.0, 40.0];
    check(&conv, &[(&x, &[2, 2, 1, 2])], &[2, 1, 1, 2], &[-8.0, -16.0, -24.0, -32.0], EXACT);
}

#[test]
fn convolution_shape_errors() {
    let bad_count = Convolution::new(2, [3, 3], vec![0.5; 17], vec![]);
    let m = infer_err(&bad_count, &[&[1, 1, 5, 5]]);
    assert!(m.contains("17") && m.contains("18"), "{m}");
    let bad_bias = Convolution::new(2, [1, 1], vec![1.0; 2], vec![1.0; 3]);
    assert!(infer_err(&bad_bias, &[&[1, 1, 5, 5]]).contains("bias"));
    let mut bad_groups = Convolution::new(2, [1, 1], vec![1.0; 2], vec![]);
    bad_groups.groups = 2;
    assert!(infer_err(&bad_groups, &[&[1, 3, 5, 5]]).contains("groups"));
    let too_big = Convolution::new(1, [7, 7], vec![1.0; 49], vec![]);
    infer_err(&too_big, &[&[1, 1, 5, 5]]);
    let ok = Convolution::new(1, [1, 1], vec![1.0], vec![]);
    assert!(infer_err(&ok, &[&[1, 5, 5]]).contains("rank 4"));
    let mut zero_stride = Convolution::new(1, [1, 1], vec![1.0], vec![]);
    zero_stride.stride = vec![0, 1];
    infer_err(&zero_stride, &[&[1, 1, 5, 5]]);
}

// ---------------------------------------------------------------- pooling

#[test]
fn max_pooling() {
    // 4x4 of 1..16, 2x2 windows, stride 2: the bottom-right of each window.
    let pool = Pooling::new(MAX, [2, 2]);
    let x = iota(16, 1.0);
    check(&pool, &[(&x, &[1, 1, 4, 4])], &[1, 1, 2, 2], &[6.0, 8.0, 14.0, 16.0], EXACT);
}

#[test]
fn max_pooling_ignores_padding() {
    // 3x3 of −1..−9 padded by 1, 2x2 windows, stride 2: padding must not act as a 0.
    let mut pool = Pooling::new(MAX, [2, 2]);
    pool.pre_padding = vec![1, 1];
    pool.post_padding = vec![1, 1];
    let x: Vec<f32> = (1..=9).map(|v| -(v as f32)).collect();
    check(&pool, &[(&x, &[1, 1, 3, 3])], &[1, 1, 2, 2], &[-1.0, -2.0, -4.0, -5.0], EXACT);
}

#[test]
fn average_pooling() {
    let pool = Pooling::new(AVERAGE, [2, 2]);
    let x = iota(16, 1.0);
    check(&pool, &[(&x, &[1, 1, 4, 4])], &[1, 1, 2, 2], &[3.5, 5.5, 11.5, 13.5], EXACT);
    // Two planes (batch 1, 2 channels) are pooled independently.
    let x2 = iota(32, 1.0);
    check(&pool, &[(&x2, &[1, 2, 4, 4])], &[1, 2, 2, 2], &[3.5, 5.5, 11.5, 13.5, 19.5, 21.5, 27.5, 29.5], EXACT);
}

#[test]
fn average_pooling_with_padding_excluded_and_included() {
    // 3x3 of 1..9 padded by 1, 2x2 windows, stride 2. Window sums: 1, 5, 11, 28 over
    // 1, 2, 2, 4 real elements.
    let mut pool = Pooling::new(AVERAGE, [2, 2]);
    pool.pre_padding = vec![1, 1];
    pool.post_padding = vec![1, 1];
    let x = iota(9, 1.0);
    pool.average_count_excludes_padding = true;
    check(&pool, &[(&x, &[1, 1, 3, 3])], &[1, 1, 2, 2], &[1.0, 2.5, 5.5, 7.0], EXACT);
    pool.average_count_excludes_padding = false;
    check(&pool, &[(&x, &[1, 1, 3, 3])], &[1, 1, 2, 2], &[0.25, 1.25, 2.75, 7.0], EXACT);
}

#[test]
fn pooling_with_stride_smaller_than_window() {
    // Row [1,5,2,4], window 1x2, stride 1: overlapping maxima [5,5,4] and averages [3,3.5,3].
    let mut pool = Pooling::new(MAX, [1, 2]);
    pool.stride = vec![1, 1];
    let x = [1.0, 5.0, 2.0, 4.0];
    check(&pool, &[(&x, &[1, 1, 1, 4])], &[1, 1, 1, 3], &[5.0, 5.0, 4.0], EXACT);
    pool.pooling_type = AVERAGE;
    check(&pool, &[(&x, &[1, 1, 1, 4])], &[1, 1, 1, 3], &[3.0, 3.5, 3.0], EXACT);
}

#[test]
fn pooling_shape_errors() {
    infer_err(&Pooling::new(MAX, [2, 2]), &[&[1, 4, 4]]);
    infer_err(&Pooling::new(7, [2, 2]), &[&[1, 1, 4, 4]]);
    infer_err(&Pooling::new(MAX, [5, 5]), &[&[1, 1, 4, 4]]);
    infer_err(&Pooling::new(MAX, [0, 2]), &[&[1, 1, 4, 4]]);
}

// ---------------------------------------------------------------- activation

#[test]
fn every_activation_type() {
    let x = [-2.0, -0.5, 0.0, 1.5];
    // (type, alpha, beta, expected at x) — values computed by hand in double precision.
    let cases: &[(i32, f32, f32, [f32; 4])] = &[
        (0, 0.0, 0.0, [0.0, 0.0, 0.0, 1.5]),                                   // kRELU
        (1, 0.0, 0.0, [0.11920292, 0.37754067, 0.5, 0.81757448]),              // kSIGMOID
        (2, 0.0, 0.0, [-0.96402758, -0.46211716, 0.0, 0.90514825]),            // kTANH
        (3, 0.1, 0.0, [-0.2, -0.05, 0.0, 1.5]),                                // kLEAKY_RELU
        (4, 1.0, 0.0, [-0.86466472, -0.39346934, 0.0, 1.5]),                   // kELU
        (5, 1.6732632, 1.0507009, [-1.5201663, -0.69175811, 0.0, 1.57605135]), // kSELU
        (6, 0.0, 0.0, [-2.0 / 3.0, -1.0 / 3.0, 0.0, 0.6]),                     // kSOFTSIGN
        (7, 1.0, 1.0, [0.12692801, 0.47407698, 0.69314718, 1.70141328]),       // kSOFTPLUS
        (8, -1.0, 1.0, [-1.0, -0.5, 0.0, 1.0]),                                // kCLIP
        (9, 0.2, 0.5, [0.1, 0.4, 0.5, 0.8]),                                   // kHARD_SIGMOID
        (10, 2.0, 0.5, [-1.52318831, -0.48983732, 0.0, 1.27029790]),           // kSCALED_TANH
        (11, 1.0, 0.0, [0.0, 0.0, 0.0, 1.5]),                                  // kTHRESHOLDED_RELU
    ];
    assert_eq!(cases.len(), 12);
    for &(kind, alpha, beta, expected) in cases {
        let op = Activation::new(kind, alpha, beta);
        let (dims, out) = run_op_cpu(&op, &[(&x, &[1, 4])]).unwrap();
        assert_eq!(dims, vec![1, 4]);
        assert_close(&out, &expected, 1e-6, &format!("activation type {kind}"));
    }
    // kSOFTPLUS with alpha=2, beta=3 is 2·ln(1+e^(3x)): at x=0, 2·ln 2.
    let (_, out) = run_op_cpu(&Activation::new(7, 2.0, 3.0), &[(&[0.0], &[1])]).unwrap();
    assert_close(&out, &[1.38629436], 1e-6, "scaled softplus");
    // kTHRESHOLDED_RELU keeps values above alpha only.
    let (_, out) = run_op_cpu(&Activation::new(11, 1.0, 0.0), &[(&[0.5, 1.0, 1.25], &[3])]).unwrap();
    assert_close(&out, &[0.0, 0.0, 1.25], 0.0, "thresholded relu");
}

#[test]
fn activation_shape_errors() {
    assert!(infer_err(&Activation::new(12, 0.0, 0.0), &[&[1, 4]]).contains("12"));
    infer_err(&Activation::new(-1, 0.0, 0.0), &[&[1, 4]]);
}

// ---------------------------------------------------------------- elementwise

#[test]
fn every_elementwise_op_with_broadcasting() {
    // a: [2,1,3], b: [1,4,1] → [2,4,3] with y[i,j,k] = op(a[i,k], b[j]).
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [2.0, -1.0, 0.5, 4.0];
    let ops: [(i32, fn(f32, f32) -> f32); 8] = [
        (0, |p, q| p + q),
        (1, |p, q| p * q),
        (2, |p, q| if p > q { p } else { q }),
        (3, |p, q| if p < q { p } else { q }),
        (4, |p, q| p - q),
        (5, |p, q| p / q),
        (6, |p, q| p.powf(q)),
        (7, |p, q| (p / q).floor()),
    ];
    for (code, f) in ops {
        let mut expected = Vec::new();
        for i in 0..2 {
            for j in 0..4 {
                for k in 0..3 {
                    expected.push(f(a[i * 3 + k], b[j]));
                }
            }
        }
        check(&ElementWise::new(code), &[(&a, &[2, 1, 3]), (&b, &[1, 4, 1])], &[2, 4, 3], &expected, 1e-5);
    }
    // Spot checks written out by hand: y[1,2,0] = op(a[1,0]=4, b[2]=0.5), index (1·4+2)·3+0 = 18.
    let at = |code: i32| run_op_cpu(&ElementWise::new(code), &[(&a, &[2, 1, 3]), (&b, &[1, 4, 1])]).unwrap().1[18];
    assert_eq!(at(0), 4.5);
    assert_eq!(at(1), 2.0);
    assert_eq!(at(2), 4.0);
    assert_eq!(at(3), 0.5);
    assert_eq!(at(4), 3.5);
    assert_eq!(at(5), 8.0);
    assert_eq!(at(6), 2.0);
    assert_eq!(at(7), 8.0);
    // y[0,1,2] = op(a[0,2]=3, b[1]=−1), index (0·4+1)·3+2 = 5: floor(3/−1) = −3, 3^−1 = 1/3.
    let at5 = |code: i32| run_op_cpu(&ElementWise::new(code), &[(&a, &[2, 1, 3]), (&b, &[1, 4, 1])]).unwrap().1[5];
    assert_eq!(at5(7), -3.0);
    assert!((at5(6) - 1.0 / 3.0).abs() < 1e-7);
}

#[test]
fn floor_division_rounds_toward_minus_infinity() {
    let (_, y) = run_op_cpu(&ElementWise::new(7), &[(&[-7.0, 7.0, -6.0, 5.5], &[4]), (&[2.0, -2.0, 3.0, 2.0], &[4])]).unwrap();
    assert_eq!(y, vec![-4.0, -4.0, -2.0, 2.0]);
}

#[test]
fn elementwise_broadcast_on_both_sides_and_same_shape() {
    // [3,1] + [1,2] → [3,2].
    check(
        &ElementWise::new(0),
        &[(&[1.0, 2.0, 3.0], &[3, 1]), (&[10.0, 20.0], &[1, 2])],
        &[3, 2],
        &[11.0, 21.0, 12.0, 22.0, 13.0, 23.0],
        EXACT,
    );
    // Same shapes, no broadcast.
    check(&ElementWise::new(4), &[(&[5.0, 6.0], &[2]), (&[1.0, 8.0], &[2])], &[2], &[4.0, -2.0], EXACT);
}

#[test]
fn elementwise_shape_errors() {
    let sum = ElementWise::new(0);
    let m = infer_err(&sum, &[&[2, 3], &[2, 4]]);
    assert!(m.contains("broadcast"), "{m}");
    assert!(infer_err(&sum, &[&[2, 3], &[3]]).contains("rank"));
    infer_err(&ElementWise::new(8), &[&[2], &[2]]);
    infer_err(&ElementWise::new(-1), &[&[2], &[2]]);
}

// ---------------------------------------------------------------- matrix multiply

const A23: [f32; 6] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
const B32: [f32; 6] = [7.0, 8.0, 9.0, 10.0, 11.0, 12.0];
// [[1,2,3],[4,5,6]]·[[7,8],[9,10],[11,12]] = [[58,64],[139,154]].
const C22: [f32; 4] = [58.0, 64.0, 139.0, 154.0];

#[test]
fn matmul_plain() {
    check(&MatrixMultiply::new(NONE, NONE), &[(&A23, &[2, 3]), (&B32, &[3, 2])], &[2, 2], &C22, EXACT);
    // The other order: [3,2]·[2,3] → [3,3]; first row [7·1+8·4, 7·2+8·5, 7·3+8·6].
    let (dims, y) = run_op_cpu(&MatrixMultiply::new(NONE, NONE), &[(&B32, &[3, 2]), (&A23, &[2, 3])]).unwrap();
    assert_eq!(dims, vec![3, 3]);
    assert_close(&y[..3], &[39.0, 54.0, 69.0], EXACT, "B·A first row");
}

#[test]
fn matmul_transposed_operands() {
    let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]; // Aᵀ stored as [3,2]
    let bt = [7.0, 9.0, 11.0, 8.0, 10.0, 12.0]; // Bᵀ stored as [2,3]
    check(&MatrixMultiply::new(TRANSPOSE, NONE), &[(&at, &[3, 2]), (&B32, &[3, 2])], &[2, 2], &C22, EXACT);
    check(&MatrixMultiply::new(NONE, TRANSPOSE), &[(&A23, &[2, 3]), (&bt, &[2, 3])], &[2, 2], &C22, EXACT);
    check(&MatrixMultiply::new(TRANSPOSE, TRANSPOSE), &[(&at, &[3, 2]), (&bt, &[2, 3])], &[2, 2], &C22, EXACT);
}

#[test]
fn matmul_batch_broadcast() {
    // A: two [2,3] matrices; B: one [3,2] matrix shared by both.
    let mut a = A23.to_vec();
    a.extend([1.0, 0.0, 0.0, 0.0, 1.0, 0.0]); // selects rows 0 and 1 of B
    let mut expected = C22.to_vec();
    expected.extend([7.0, 8.0, 9.0, 10.0]);
    check(&MatrixMultiply::new(NONE, NONE), &[(&a, &[2, 2, 3]), (&B32, &[1, 3, 2])], &[2, 2, 2], &expected, EXACT);
    // And the other way round: one A, two Bs (the second B is B with its columns swapped).
    let mut b = B32.to_vec();
    b.extend([8.0, 7.0, 10.0, 9.0, 12.0, 11.0]);
    check(
        &MatrixMultiply::new(NONE, NONE),
        &[(&A23, &[1, 2, 3]), (&b, &[2, 3, 2])],
        &[2, 2, 2],
        &[58.0, 64.0, 139.0, 154.0, 64.0, 58.0, 154.0, 139.0],
        EXACT,
    );
}

#[test]
fn matmul_shape_errors() {
    let mm = MatrixMultiply::new(NONE, NONE);
    assert!(infer_err(&mm, &[&[2, 3], &[2, 2]]).contains("inner"));
    assert!(infer_err(&mm, &[&[2, 3], &[1, 3, 2]]).contains("rank"));
    infer_err(&mm, &[&[3], &[3]]);
    infer_err(&mm, &[&[2, 2, 3], &[3, 3, 2]]);
    infer_err(&MatrixMultiply::new(2, NONE), &[&[2, 3], &[3, 2]]);
}

// ---------------------------------------------------------------- fully connected

#[test]
fn fully_connected() {
    // Batch 2 of [3,1,1]; kernel [[1,0,−1],[0.5,0.5,0.5]], bias [10,20].
    let fc = FullyConnected { num_outputs: 2, kernel_weights: vec![1.0, 0.0, -1.0, 0.5, 0.5, 0.5], bias_weights: vec![10.0, 20.0] };
    check(&fc, &[(&A23, &[2, 3, 1, 1])], &[2, 2, 1, 1], &[8.0, 23.0, 8.0, 27.5], EXACT);
    // [C,H,W] = [1,2,2] is flattened to 4 inputs; no bias.
    let fc = FullyConnected { num_outputs: 1, kernel_weights: vec![1.0, 2.0, 3.0, 4.0], bias_weights: vec![] };
    check(&fc, &[(&[1.0, 1.0, 2.0, -1.0], &[1, 1, 2, 2])], &[1, 1, 1, 1], &[5.0], EXACT);
}

#[test]
fn fully_connected_shape_errors() {
    let fc = FullyConnected { num_outputs: 2, kernel_weights: vec![1.0; 5], bias_weights: vec![] };
    assert!(infer_err(&fc, &[&[1, 3, 1, 1]]).contains('5'));
    let fc = FullyConnected { num_outputs: 2, kernel_weights: vec![1.0; 6], bias_weights: vec![1.0] };
    assert!(infer_err(&fc, &[&[1, 3, 1, 1]]).contains("bias"));
    let fc = FullyConnected { num_outputs: 2, kernel_weights: vec![1.0; 6], bias_weights: vec![] };
    infer_err(&fc, &[&[3, 1]]);
}

// ---------------------------------------------------------------- shuffle

#[test]
fn shuffle_reshape_with_zero_and_minus_one() {
    let x = iota(24, 0.0);
    let s = Shuffle::reshape(vec![0, -1]);
    check(&s, &[(&x, &[2, 3, 4])], &[2, 12], &x, 0.0);
    let s = Shuffle::reshape(vec![0, 2, -1]);
    check(&s, &[(&x, &[2, 3, 4])], &[2, 2, 6], &x, 0.0);
    let s = Shuffle::reshape(vec![-1]);
    check(&s, &[(&x, &[2, 3, 4])], &[24], &x, 0.0);
    // With zero_is_placeholder off, a 0 is a real size (and so 24 elements do not fit).
    let mut s = Shuffle::reshape(vec![0, -1]);
    s.zero_is_placeholder = false;
    infer_err(&s, &[&[2, 3, 4]]);
}

#[test]
fn shuffle_first_transpose() {
    // [[0,1,2],[3,4,5]]ᵀ = [[0,3],[1,4],[2,5]].
    let s = Shuffle { first_transpose: vec![1, 0], ..Default::default() };
    check(&s, &[(&iota(6, 0.0), &[2, 3])], &[3, 2], &[0.0, 3.0, 1.0, 4.0, 2.0, 5.0], 0.0);
    // Rank 3, perm [2,0,1]: y[k,i,j] = x[i,j,k] for x of [2,3,4].
    let s = Shuffle { first_transpose: vec![2, 0, 1], ..Default::default() };
    let (dims, y) = run_op_cpu(&s, &[(&iota(24, 0.0), &[2, 3, 4])]).unwrap();
    assert_eq!(dims, vec![4, 2, 3]);
    for k in 0..4 {
        for i in 0..2 {
            for j in 0..3 {
                assert_eq!(y[(k * 2 + i) * 3 + j], (i * 12 + j * 4 + k) as f32);
            }
        }
    }
}

#[test]
fn shuffle_second_transpose() {
    // Reshape [2,3] → [3,2] = [[0,1],[2,3],[4,5]], then transpose → [[0,2,4],[1,3,5]].
    let s = Shuffle { has_reshape: true, reshape: vec![3, 2], second_transpose: vec![1, 0], ..Default::default() };
    check(&s, &[(&iota(6, 0.0), &[2, 3])], &[2, 3], &[0.0, 2.0, 4.0, 1.0, 3.0, 5.0], 0.0);
}

#[test]
fn shuffle_both_transposes() {
    // [2,3] → first [1,0] → [[0,3],[1,4],[2,5]] → reshape [2,3] → [[0,3,1],[4,2,5]]
    // → second [1,0] → [[0,4],[3,2],[1,5]].
    let s = Shuffle {
        first_transpose: vec![1, 0],
        has_reshape: true,
        reshape: vec![2, 3],
        second_transpose: vec![1, 0],
        zero_is_placeholder: true,
    };
    check(&s, &[(&iota(6, 0.0), &[2, 3])], &[3, 2], &[0.0, 4.0, 3.0, 2.0, 1.0, 5.0], 0.0);
}

#[test]
fn shuffle_shape_errors() {
    for perm in [vec![0, 0], vec![0, 2], vec![0], vec![1, 0, 2], vec![-1, 0]] {
        let s = Shuffle { first_transpose: perm.clone(), ..Default::default() };
        assert!(infer_err(&s, &[&[2, 3]]).contains("permutation"), "{perm:?}");
        let s = Shuffle { second_transpose: perm.clone(), ..Default::default() };
        assert!(infer_err(&s, &[&[2, 3]]).contains("permutation"), "{perm:?}");
    }
    let m = infer_err(&Shuffle::reshape(vec![5]), &[&[2, 3]]);
    assert!(m.contains("6") && m.contains("5"), "{m}");
    infer_err(&Shuffle::reshape(vec![4, -1]), &[&[2, 3]]);
    infer_err(&Shuffle::reshape(vec![-1, -1]), &[&[2, 3]]);
    infer_err(&Shuffle::reshape(vec![-2, 3]), &[&[2, 3]]);
    infer_err(&Shuffle::reshape(vec![0, 0, 0]), &[&[2, 3]]);
}

// ---------------------------------------------------------------- softmax

#[test]
fn softmax_axis_1_of_2x3x2() {
    // Index (o·3 + j)·2 + i. Along j: o=0,i=0: [0,1,2]; o=0,i=1: [0,0,0];
    // o=1,i=0: [1,1,1]; o=1,i=1: [−1,0,1].
    let x = [0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 1.0, -1.0, 1.0, 0.0, 1.0, 1.0];
    let (p0, p1, p2, third) = (0.09003057, 0.24472847, 0.66524096, 1.0 / 3.0);
    let expected = [p0, third, p1, third, p2, third, third, p0, third, p1, third, p2];
    check(&SoftMax::over_axis(1), &[(&x, &[2, 3, 2])], &[2, 3, 2], &expected, 1e-6);
}

#[test]
fn softmax_sums_to_one_on_random_input() {
    let x: Vec<f32> = common::random(2 * 3 * 2, 7).iter().map(|v| v * 20.0).collect();
    for axis in 0..3 {
        let dims = [2i64, 3, 2];
        let (_, y) = run_op_cpu(&SoftMax::over_axis(axis), &[(&x, &dims)]).unwrap();
        assert_all_written(&y, "softmax");
        let st = nvinfer::types::strides(&dims);
        // Every line along `axis` sums to 1 (to 1e-6) and keeps the input's order.
        for start in 0..12usize {
            if (start as i64 / st[axis]) % dims[axis] != 0 {
                continue; // not the first element of a line
            }
            let line: Vec<usize> = (0..dims[axis]).map(|j| start + (j * st[axis]) as usize).collect();
            let sum: f32 = line.iter().map(|&i| y[i]).sum();
            assert!((sum - 1.0).abs() < 1e-6, "axis {axis} line from {start}: sum {sum}");
            for w in line.windows(2) {
                assert_eq!(x[w[0]] < x[w[1]], y[w[0]] < y[w[1]], "softmax must keep the order");
            }
        }
    }
}

#[test]
fn softmax_large_values_do_not_overflow() {
    let (_, y) = run_op_cpu(&SoftMax::over_axis(1), &[(&[1000.0, 1000.0], &[1, 2])]).unwrap();
    assert_close(&y, &[0.5, 0.5], 1e-6, "softmax of large equal values");
}

#[test]
fn softmax_shape_errors() {
    infer_err(&SoftMax { axes: 0b11 }, &[&[2, 3]]);
    infer_err(&SoftMax::over_axis(3), &[&[2, 3]]);
}

// ---------------------------------------------------------------- constant

#[test]
fn constant() {
    let c = Constant::new(vec![2, 2], vec![1.5, -2.0, 3.25, 4.0]);
    check(&c, &[], &[2, 2], &[1.5, -2.0, 3.25, 4.0], 0.0);
    assert_eq!(c.constant_value(), Some(&[1.5, -2.0, 3.25, 4.0][..]));
    // A scalar has dims [] and one value.
    check(&Constant::new(vec![], vec![7.0]), &[], &[], &[7.0], 0.0);
}

#[test]
fn constant_shape_errors() {
    let m = infer_err(&Constant::new(vec![2, 3], vec![1.0; 5]), &[]);
    assert!(m.contains('6') && m.contains('5'), "{m}");
    infer_err(&Constant::new(vec![-1, 3], vec![1.0; 3]), &[]);
}

// ---------------------------------------------------------------- registry, params, plans

#[test]
fn every_registered_kind_round_trips_its_parameters() {
    let samples: Vec<Box<dyn Op>> = vec![
        Box::new(Activation::new(3, 0.25, 0.0)),
        Box::new(Constant::new(vec![2], vec![1.0, 2.0])),
        Box::new({
            let mut c = Convolution::new(2, [3, 1], vec![0.5; 12], vec![1.0, 2.0]);
            c.groups = 2;
            c.dilation = vec![2, 1];
            c
        }),
        Box::new(ElementWise::new(5)),
        Box::new(FullyConnected { num_outputs: 3, kernel_weights: vec![1.0; 6], bias_weights: vec![] }),
        Box::new(MatrixMultiply::new(TRANSPOSE, NONE)),
        Box::new(Pooling::new(AVERAGE, [3, 3])),
        Box::new(Shuffle {
            first_transpose: vec![1, 0],
            has_reshape: true,
            reshape: vec![0, -1],
            second_transpose: vec![],
            zero_is_placeholder: true,
        }),
        Box::new(SoftMax::over_axis(2)),
    ];
    for op in samples {
        let created = ops::create(op.kind()).unwrap();
        assert_eq!(created.kind(), op.kind());
        let decoded = ops::decode(op.kind(), &op.encode()).unwrap();
        assert_eq!(decoded.encode(), op.encode(), "{} does not round-trip", op.kind());
        assert_eq!(decoded.layer_type(), op.layer_type());
    }
    let e = ops::create("NoSuchLayer").err().expect("unknown kind");
    assert!(e.message.contains("NoSuchLayer"));
    let e = ops::decode("Convolution", &[0xff, 0xff, 0xff]).err().expect("corrupt parameters");
    assert!(e.message.contains("Convolution"), "{}", e.message);
}

#[test]
fn set_param_checks_names_and_types() {
    let mut conv = ops::create("Convolution").unwrap();
    conv.set_param("num_output_maps", Param::Ints(vec![4])).unwrap();
    conv.set_param("padding", Param::Ints(vec![1, 2])).unwrap();
    assert_eq!(conv.param("pre_padding"), Some(Param::Ints(vec![1, 2])));
    assert_eq!(conv.param("post_padding"), Some(Param::Ints(vec![1, 2])));
    assert!(conv.set_param("no_such_param", Param::Ints(vec![1])).unwrap_err().message.contains("no_such_param"));
    assert!(conv.set_param("num_output_maps", Param::Float(1.0)).is_err());
    assert!(conv.set_param("groups", Param::Ints(vec![1, 2])).is_err());
    assert!(conv.set_param("kernel_weights", Param::Ints(vec![1])).is_err());
    let mut act = ops::create("Activation").unwrap();
    act.set_param("alpha", Param::Float(0.5)).unwrap();
    assert_eq!(act.param("alpha"), Some(Param::Float(0.5)));
    assert_eq!(act.param("nothing"), None);
}

#[test]
fn random_inputs_give_finite_outputs_for_every_op() {
    // A smoke test on random data (never zeros) through every op: output written, finite.
    let x = common::random(2 * 4 * 5 * 5, 11);
    let w = common::random(6 * 2 * 3 * 3, 12);
    let mut conv = Convolution::new(6, [3, 3], w, common::random(6, 13));
    conv.groups = 2;
    conv.pre_padding = vec![1, 1];
    conv.post_padding = vec![1, 1];
    let runs: Vec<(Box<dyn Op>, Vec<(Vec<f32>, Vec<i64>)>)> = vec![
        (Box::new(conv), vec![(x.clone(), vec![2, 4, 5, 5])]),
        (Box::new(Pooling::new(MAX, [2, 2])), vec![(x.clone(), vec![2, 4, 5, 5])]),
        (Box::new(Activation::new(1, 0.0, 0.0)), vec![(x.clone(), vec![2, 4, 5, 5])]),
        (Box::new(ElementWise::new(1)), vec![(x.clone(), vec![2, 4, 5, 5]), (common::random(4, 14), vec![1, 4, 1, 1])]),
        (Box::new(MatrixMultiply::new(NONE, TRANSPOSE)), vec![(x.clone(), vec![8, 5, 5]), (common::random(8 * 7 * 5, 15), vec![8, 7, 5])]),
        (Box::new(SoftMax::over_axis(1)), vec![(x.clone(), vec![2, 4, 5, 5])]),
        (Box::new(Shuffle { first_transpose: vec![0, 2, 3, 1], ..Default::default() }), vec![(x.clone(), vec![2, 4, 5, 5])]),
    ];
    for (op, inputs) in runs {
        let refs: Vec<(&[f32], &[i64])> = inputs.iter().map(|(v, d)| (v.as_slice(), d.as_slice())).collect();
        let (_, y) = run_op_cpu(op.as_ref(), &refs).unwrap();
        assert!(y.iter().all(|v| v.is_finite()), "{}: non-finite output", op.kind());
        assert!(y.iter().any(|&v| v != 0.0), "{}: all zeros", op.kind());
    }
}
