//! Cases for the data-movement and indexing layers (concatenation, slice, padding, gather,
//! select, one-hot, reverse-sequence, scatter, fill) through the table-driven harness
//! (tests/common/cases.rs): every case runs on every backend this machine has, against a
//! reference written here in f64 from the layer's definition (never by calling the code
//! under test), for every mode and data type TensorRT 8.6 has for the layer. The tricky
//! modes also have cases with literal values worked out by hand in a comment.

mod common;

use common::cases::*;
use nvinfer::layers::generated::*;
use nvinfer::layers::{fill, gather, scatter, slice};
use nvinfer::types::DataType;

use DataType::{Bool, Float, Half, Int32, Int8};

/// The five types most of these layers move.
const MOVED: [DataType; 5] = [Float, Half, Int32, Int8, Bool];

// ---------------------------------------------------------------- helpers (f64, written here)

/// Values every type holds exactly: floats in [-1, 1), integers in [-100, 100], bools 0/1.
fn data(dtype: DataType, dims: &[i64], seed: u64) -> T {
    match dtype {
        Float | Half => rand(dtype, dims, seed),
        Bool => ints(dtype, dims, seed, 0, 1),
        _ => ints(dtype, dims, seed, -100, 100),
    }
}

/// Row-major offset of coordinates `c` in `dims`.
fn offset(dims: &[i64], c: &[i64]) -> usize {
    c.iter().zip(strides(dims)).map(|(c, s)| c * s).sum::<i64>() as usize
}

/// The values of a tensor of `dims` from a function of its coordinates.
fn tabulate(dims: &[i64], f: impl Fn(&[i64]) -> f64) -> Vec<f64> {
    (0..count(dims) as i64).map(|i| f(&coords(i, dims))).collect()
}

fn int32(dims: &[i64], v: &[i64]) -> T {
    t(Int32, dims, v.iter().map(|&x| x as f64).collect())
}

/// `v` as a tensor of `dtype` (values exactly representable).
fn typed(dtype: DataType, dims: &[i64], v: &[f64]) -> T {
    t(dtype, dims, v.to_vec())
}

/// Distinct indices in [-d, d) standing for a permutation of 0..d (each position once),
/// negative for every other one, so scatters never write one place twice.
fn permutation_indices(d: i64, seed: u64) -> Vec<i64> {
    let r = common::random(d as usize, seed);
    let mut order: Vec<i64> = (0..d).collect();
    order.sort_by(|&a, &b| r[a as usize].total_cmp(&r[b as usize]));
    order.iter().enumerate().map(|(k, &v)| if k % 2 == 1 { v - d } else { v }).collect()
}

// ---------------------------------------------------------------- concatenation

fn concat_ref(parts: &[T], axis: usize) -> T {
    let mut dims = parts[0].dims.clone();
    dims[axis] = parts.iter().map(|p| p.dims[axis]).sum();
    let values = tabulate(&dims, |c| {
        let mut c = c.to_vec();
        for p in parts {
            if c[axis] < p.dims[axis] {
                return p.values[offset(&p.dims, &c)];
            }
            c[axis] -= p.dims[axis];
        }
        unreachable!("a coordinate past every part")
    });
    T { dtype: parts[0].dtype, dims, values }
}

#[test]
fn concatenation() {
    let mut cases = vec![];
    for dtype in MOVED {
        let parts = vec![data(dtype, &[2, 1, 3], 1), data(dtype, &[2, 3, 3], 2), data(dtype, &[2, 2, 3], 3)];
        let y = concat_ref(&parts, 1);
        cases.push(case("three inputs on axis 1", Concatenation::on_axis(1), parts.clone(), y.clone()));
        cases.push(case("three inputs on axis 1", Concatenation::on_axis(1), parts, y).dynamic());
        let parts = vec![data(dtype, &[2, 3], 4), data(dtype, &[2, 1], 5)];
        cases.push(case("last axis", Concatenation::on_axis(1), parts.clone(), concat_ref(&parts, 1)));
        // TensorRT's default axis is max(0, rank - 3): 1 for rank 4, 0 for rank 2.
        let parts = vec![data(dtype, &[1, 2, 2, 2], 6), data(dtype, &[1, 1, 2, 2], 7)];
        cases.push(case("default axis of rank 4", Concatenation::new(), parts.clone(), concat_ref(&parts, 1)));
        let parts = vec![data(dtype, &[1, 3], 8), data(dtype, &[2, 3], 9)];
        cases.push(case("default axis of rank 2", Concatenation::new(), parts.clone(), concat_ref(&parts, 0)));
    }
    // More inputs than a layer's fixed I/O arrays used to hold: 12 one-row parts.
    let parts: Vec<T> = (0..12).map(|i| data(Float, &[1, 2], 20 + i)).collect();
    cases.push(case("twelve inputs", Concatenation::on_axis(0), parts.clone(), concat_ref(&parts, 0)));
    // By hand: [[1,2]] then [[3,4],[5,6]] on axis 0 is [[1,2],[3,4],[5,6]].
    let (a, b) = (int32(&[1, 2], &[1, 2]), int32(&[2, 2], &[3, 4, 5, 6]));
    cases.push(case("by hand", Concatenation::on_axis(0), vec![a.clone(), b.clone()], int32(&[3, 2], &[1, 2, 3, 4, 5, 6])));
    // Shape values: constant 1-D kINT32 parts are concatenated on the host.
    cases.push(
        case("shape values", Concatenation::on_axis(0), vec![int32(&[2], &[4, 5]), int32(&[1], &[6])], int32(&[3], &[4, 5, 6]))
            .constant_inputs(&[0, 1]),
    );
    // kFLOAT and kHALF inputs mix into a kFLOAT output; the harness asks kHALF layers to run
    // in kHALF, so the kFLOAT part is rounded to it on the way.
    let (f, h) = (data(Float, &[1, 2], 30), data(Half, &[1, 2], 31));
    let rounded = T { dtype: Float, values: representable(Half, &f.values), ..f.clone() };
    let y = concat_ref(&[rounded, T { dtype: Float, ..h.clone() }], 0);
    cases.push(case("kFLOAT with kHALF", Concatenation::on_axis(0), vec![f, h], y));
    check("Concatenation", cases);
}

// ---------------------------------------------------------------- slice and padding

/// The element a slice writes at output coordinates `c`: each axis's coordinate start +
/// c * stride brought into the input by the mode (kREFLECT bounces off both ends until it
/// is inside; kFILL and kSTRICT_BOUNDS give `fill` outside).
fn slice_ref(x: &T, start: &[i64], size: &[i64], stride: &[i64], mode: i32, fill: f64) -> T {
    let values = tabulate(size, |c| {
        let mut at = Vec::with_capacity(c.len());
        for k in 0..c.len() {
            let d = x.dims[k];
            let mut p = start[k] + c[k] * stride[k];
            match mode {
                slice::WRAP => p = ((p % d) + d) % d,
                slice::CLAMP => p = p.max(0).min(d - 1),
                slice::REFLECT if d == 1 => p = 0,
                slice::REFLECT => {
                    while p < 0 || p >= d {
                        p = if p < 0 { -p } else { 2 * (d - 1) - p };
                    }
                }
                _ if p < 0 || p >= d => return fill,
                _ => {}
            }
            at.push(p);
        }
        x.values[offset(&x.dims, &at)]
    });
    T { dtype: x.dtype, dims: size.to_vec(), values }
}

#[test]
fn slice() {
    let mut cases = vec![];
    let modes = [slice::STRICT_BOUNDS, slice::WRAP, slice::CLAMP, slice::FILL, slice::REFLECT];
    for dtype in MOVED {
        let x = data(dtype, &[4, 5], 40);
        // Strided, inside the input.
        let (start, size, stride) = ([1, 0], [2, 3], [2, 2]);
        let y = slice_ref(&x, &start, &size, &stride, slice::STRICT_BOUNDS, 0.0);
        cases.push(case("strided", Slice::of(start.to_vec(), size.to_vec(), stride.to_vec()), vec![x.clone()], y.clone()));
        cases.push(case("strided", Slice::of(start.to_vec(), size.to_vec(), stride.to_vec()), vec![x.clone()], y).dynamic());
        // Negative strides reverse both axes.
        let y = slice_ref(&x, &[3, 4], &[4, 5], &[-1, -1], slice::STRICT_BOUNDS, 0.0);
        cases.push(case("negative strides", Slice::of(vec![3, 4], vec![4, 5], vec![-1, -1]), vec![x.clone()], y));
        // Every mode over a window reaching past both ends of a [3,4] input.
        let x = data(dtype, &[3, 4], 41);
        for mode in modes.into_iter().skip(1) {
            let (start, size, stride) = ([-2, -3], [7, 10], [1, 1]);
            let y = slice_ref(&x, &start, &size, &stride, mode, 0.0);
            let layer = Slice::of(start.to_vec(), size.to_vec(), stride.to_vec()).with_mode(mode);
            cases.push(case(format!("{} past both ends", slice::mode_name(mode)), layer, vec![x.clone()], y));
            let (start, size, stride) = ([5, 9], [4, 7], [-2, -3]);
            let y = slice_ref(&x, &start, &size, &stride, mode, 0.0);
            let layer = Slice::of(start.to_vec(), size.to_vec(), stride.to_vec()).with_mode(mode);
            cases.push(case(format!("{} backwards from outside", slice::mode_name(mode)), layer, vec![x.clone()], y));
        }
        // kFILL with a fill value (input 4).
        let fill = if dtype == Bool { 1.0 } else { 7.0 };
        let y = slice_ref(&x, &[-1, 2], &[5, 4], &[1, 1], slice::FILL, fill);
        let layer = Slice::of(vec![-1, 2], vec![5, 4], vec![1, 1]).with_mode(slice::FILL);
        cases.push(case("kFILL with a fill value", layer, vec![x.clone(), typed(dtype, &[], &[fill])], y).at_slots(&[0, 4]));
        // Start, size and stride as shape-tensor inputs 1 to 3 (a dynamic output shape).
        let (start, size, stride) = ([2, -1], [2, 3], [-1, 2]);
        let y = slice_ref(&x, &start, &size, &stride, slice::WRAP, 0.0);
        let dynamic_inputs = vec![x.clone(), int32(&[2], &start), int32(&[2], &size), int32(&[2], &stride)];
        let layer = Slice::new().with_mode(slice::WRAP);
        cases.push(case("start, size, stride inputs", layer.clone(), dynamic_inputs.clone(), y.clone()));
        cases.push(case("start, size, stride inputs", layer, dynamic_inputs, y).dynamic());
        // Only the size as an input; start and stride are parameters.
        let y = slice_ref(&x, &[0, 1], &[3, 2], &[1, 1], slice::STRICT_BOUNDS, 0.0);
        let layer = Slice::of(vec![0, 1], vec![], vec![1, 1]);
        cases.push(case("size input", layer, vec![x.clone(), int32(&[2], &[3, 2])], y).at_slots(&[0, 2]));
        // A constant start input: known when the network is built.
        let y = slice_ref(&x, &[1, 1], &[2, 2], &[1, 1], slice::STRICT_BOUNDS, 0.0);
        let layer = Slice::of(vec![], vec![2, 2], vec![1, 1]);
        cases.push(case("constant start input", layer, vec![x.clone(), int32(&[2], &[1, 1])], y).constant_inputs(&[1]));
    }
    // By hand, x = [10,11,12,13] read at -3..=6:
    //   kWRAP    -3..6 mod 4 = 1,2,3,0,1,2,3,0,1,2
    //   kCLAMP   0,0,0,0,1,2,3,3,3,3
    //   kREFLECT -3->3, -2->2, -1->1, 0,1,2,3, 4->2, 5->1, 6->0
    //   kFILL    fill outside [0,4): 0,0,0,10,11,12,13,0,0,0
    let x = int32(&[4], &[10, 11, 12, 13]);
    let by_hand: [(i32, [i64; 10]); 4] = [
        (slice::WRAP, [11, 12, 13, 10, 11, 12, 13, 10, 11, 12]),
        (slice::CLAMP, [10, 10, 10, 10, 11, 12, 13, 13, 13, 13]),
        (slice::REFLECT, [13, 12, 11, 10, 11, 12, 13, 12, 11, 10]),
        (slice::FILL, [0, 0, 0, 10, 11, 12, 13, 0, 0, 0]),
    ];
    for (mode, expected) in by_hand {
        let layer = Slice::of(vec![-3], vec![10], vec![1]).with_mode(mode);
        cases.push(case(format!("{} by hand", slice::mode_name(mode)), layer, vec![x.clone()], int32(&[10], &expected)));
    }
    // kREFLECT of a one-element axis repeats it.
    let layer = Slice::of(vec![-2], vec![4], vec![1]).with_mode(slice::REFLECT);
    cases.push(case("kREFLECT of one element", layer, vec![int32(&[1], &[5])], int32(&[4], &[5, 5, 5, 5])));
    // Shape values: a slice of a constant shape tensor is computed on the host.
    let layer = Slice::of(vec![3], vec![3], vec![-1]);
    cases.push(case("shape values", layer, vec![int32(&[5], &[2, 3, 4, 5, 6])], int32(&[3], &[5, 4, 3])).constant_inputs(&[0]));
    // An empty slice.
    cases.push(case("empty", Slice::of(vec![0, 0], vec![0, 3], vec![1, 1]), vec![data(Float, &[2, 3], 42)], out(Float, &[0, 3], vec![])));
    check("Slice", cases);
}

/// Zero padding of the two innermost axes: output (.., h, w) reads (.., h - pre0, w - pre1).
fn padding_ref(x: &T, pre: [i64; 2], post: [i64; 2]) -> T {
    let r = x.dims.len();
    let mut dims = x.dims.clone();
    dims[r - 2] += pre[0] + post[0];
    dims[r - 1] += pre[1] + post[1];
    let values = tabulate(&dims, |c| {
        let mut at = c.to_vec();
        at[r - 2] -= pre[0];
        at[r - 1] -= pre[1];
        let inside = (0..2).all(|k| (0..x.dims[r - 2 + k]).contains(&at[r - 2 + k]));
        if inside {
            x.values[offset(&x.dims, &at)]
        } else {
            0.0
        }
    });
    T { dtype: x.dtype, dims, values }
}

#[test]
fn padding() {
    let mut cases = vec![];
    for dtype in [Float, Half, Int32, Int8] {
        let x = data(dtype, &[1, 2, 3, 4], 50);
        for (what, pre, post) in
            [("pads", [1, 2], [2, 1]), ("crops", [-1, 1], [0, -2]), ("zero", [0, 0], [0, 0]), ("crops to nothing", [-2, 0], [-1, 0])]
        {
            let y = padding_ref(&x, pre, post);
            cases.push(case(what, Padding::of(pre.to_vec(), post.to_vec()), vec![x.clone()], y.clone()));
            if what == "pads" {
                cases.push(case(what, Padding::of(pre.to_vec(), post.to_vec()), vec![x.clone()], y).dynamic());
            }
        }
        let x5 = data(dtype, &[2, 1, 2, 3, 2], 51);
        cases.push(case("rank 5", Padding::of(vec![1, 0], vec![0, 1]), vec![x5.clone()], padding_ref(&x5, [1, 0], [0, 1])));
    }
    // By hand: [[1,2],[3,4]] with one row above and the last column cropped:
    // rows -1, 0, 1 of column 0: 0, 1, 3.
    let x = int32(&[1, 1, 2, 2], &[1, 2, 3, 4]);
    cases.push(case("by hand", Padding::of(vec![1, 0], vec![0, -1]), vec![x], int32(&[1, 1, 3, 1], &[0, 1, 3])));
    check("Padding", cases);
}

// ---------------------------------------------------------------- gather

/// An index into an axis of `d`: negative counts from the end; None outside.
fn index_into(v: f64, d: i64) -> Option<i64> {
    let v = v as i64;
    let v = if v < 0 { v + d } else { v };
    (0..d).contains(&v).then_some(v)
}

/// kDEFAULT (with `e` = nbElementWiseDims, 0 or 1): the data's `axis` is replaced by the
/// indices' dims (after the shared leading one when e = 1); an index outside reads 0.
fn gather_default_ref(x: &T, idx: &T, axis: usize, e: usize) -> T {
    let (r, q) = (x.dims.len(), idx.dims.len());
    let mut dims = vec![];
    if e == 1 {
        dims.push(x.dims[0].max(idx.dims[0]));
    }
    dims.extend_from_slice(&x.dims[e..axis]);
    dims.extend_from_slice(&idx.dims[e..]);
    dims.extend_from_slice(&x.dims[axis + 1..]);
    let values = tabulate(&dims, |c| {
        let (mut data_at, mut idx_at) = (vec![], vec![]);
        if e == 1 {
            data_at.push(if x.dims[0] == 1 { 0 } else { c[0] });
            idx_at.push(if idx.dims[0] == 1 { 0 } else { c[0] });
        }
        let after_pre = axis;
        data_at.extend_from_slice(&c[e..after_pre]);
        idx_at.extend_from_slice(&c[after_pre..after_pre + q - e]);
        let Some(v) = index_into(idx.values[offset(&idx.dims, &idx_at)], x.dims[axis]) else { return 0.0 };
        data_at.push(v);
        data_at.extend_from_slice(&c[after_pre + q - e..]);
        assert_eq!(data_at.len(), r);
        x.values[offset(&x.dims, &data_at)]
    });
    T { dtype: x.dtype, dims, values }
}

/// kELEMENT: output[c] = data[c with c[axis] = indices[c]].
fn gather_element_ref(x: &T, idx: &T, axis: usize) -> T {
    let values = tabulate(&idx.dims, |c| {
        let mut at = c.to_vec();
        match index_into(idx.values[offset(&idx.dims, c)], x.dims[axis]) {
            Some(v) => at[axis] = v,
            None => return 0.0,
        }
        x.values[offset(&x.dims, &at)]
    });
    T { dtype: x.dtype, dims: idx.dims.clone(), values }
}

/// kND with `e` batch dims: output[b.., i.., s..] = data[b.., tuple(b.., i..), s..].
fn gather_nd_ref(x: &T, idx: &T, e: usize) -> T {
    let q = idx.dims.len();
    let k = idx.dims[q - 1] as usize;
    let mut dims = idx.dims[..q - 1].to_vec();
    dims.extend_from_slice(&x.dims[e + k..]);
    let values = tabulate(&dims, |c| {
        let mut at = c[..e].to_vec();
        for t in 0..k {
            let mut ic = c[..q - 1].to_vec();
            ic.push(t as i64);
            match index_into(idx.values[offset(&idx.dims, &ic)], x.dims[e + t]) {
                Some(v) => at.push(v),
                None => return 0.0,
            }
        }
        at.extend_from_slice(&c[q - 1..]);
        x.values[offset(&x.dims, &at)]
    });
    T { dtype: x.dtype, dims, values }
}

#[test]
fn gather() {
    let mut cases = vec![];
    for dtype in MOVED {
        let x = data(dtype, &[3, 4, 5], 60);
        // kDEFAULT on each axis, indices [2,3] in [-d, d).
        for axis in 0..3usize {
            let d = x.dims[axis];
            let idx = ints(Int32, &[2, 3], 61 + axis as u64, -d, d - 1);
            let y = gather_default_ref(&x, &idx, axis, 0);
            cases.push(case(format!("kDEFAULT axis {axis}"), Gather::on_axis(axis as i32), vec![x.clone(), idx.clone()], y.clone()));
            if axis == 1 {
                cases.push(case(format!("kDEFAULT axis {axis}"), Gather::on_axis(axis as i32), vec![x.clone(), idx], y).dynamic());
            }
        }
        // A 0-D index drops the axis.
        let idx = int32(&[], &[-2]);
        cases.push(case("kDEFAULT 0-D index", Gather::on_axis(2), vec![x.clone(), idx.clone()], gather_default_ref(&x, &idx, 2, 0)));
        // nbElementWiseDims 1: the leading axis is shared, and broadcasts from 1.
        let mut layer = Gather::on_axis(2);
        layer.nb_elementwise_dims = 1;
        let idx = ints(Int32, &[3, 2], 64, -5, 4);
        cases.push(case("kDEFAULT elementwise axis", layer.clone(), vec![x.clone(), idx.clone()], gather_default_ref(&x, &idx, 2, 1)));
        let idx1 = ints(Int32, &[1, 4], 65, -5, 4);
        cases.push(case(
            "kDEFAULT elementwise broadcast",
            layer.clone(),
            vec![x.clone(), idx1.clone()],
            gather_default_ref(&x, &idx1, 2, 1),
        ));
        let x1 = data(dtype, &[1, 4, 5], 66);
        cases.push(case("kDEFAULT elementwise data broadcast", layer, vec![x1.clone(), idx.clone()], gather_default_ref(&x1, &idx, 2, 1)));
        // kELEMENT on axes 0 and 1, indices smaller than the data on the other axis.
        let x2 = data(dtype, &[3, 4], 67);
        for axis in 0..2usize {
            let idx = ints(Int32, &[3, 3], 68 + axis as u64, -x2.dims[axis], x2.dims[axis] - 1);
            let mut layer = Gather::with_mode(gather::ELEMENT);
            layer.axis = axis as i32;
            cases.push(case(format!("kELEMENT axis {axis}"), layer, vec![x2.clone(), idx.clone()], gather_element_ref(&x2, &idx, axis)));
        }
        // kND: tuples of 2 indices into [3,4,5] (slices of 5), and with one batch axis.
        let idx = t(Int32, &[2, 2, 2], vec![0.0, 1.0, -1.0, 3.0, 2.0, -4.0, 1.0, 0.0]);
        cases.push(case("kND pairs", Gather::with_mode(gather::ND), vec![x.clone(), idx.clone()], gather_nd_ref(&x, &idx, 0)));
        let mut layer = Gather::with_mode(gather::ND);
        layer.nb_elementwise_dims = 1;
        let idx = t(Int32, &[3, 2, 1], vec![0.0, 3.0, -1.0, 2.0, 1.0, -4.0]);
        cases.push(case("kND batch axis", layer.clone(), vec![x.clone(), idx.clone()], gather_nd_ref(&x, &idx, 1)));
        // The tuple length must be known when the network is built: the data is dynamic.
        cases.push(case("kND batch axis", layer, vec![x.clone(), idx.clone()], gather_nd_ref(&x, &idx, 1)).dynamic_only(&[0]));
    }
    // By hand: [[1,2,3],[4,5,6]] on axis 1 at [-1, 0, 3]: -1 is column 2 and 3 is outside
    // (zero): [[3,1,0],[6,4,0]].
    let x = t(Float, &[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let idx = int32(&[3], &[-1, 0, 3]);
    cases.push(case("kDEFAULT by hand", Gather::on_axis(1), vec![x, idx], out(Float, &[2, 3], vec![3.0, 1.0, 0.0, 6.0, 4.0, 0.0])));
    // By hand, kND: [[1,2],[3,4]] at (1,0) and (0,1) is [3,2].
    let x = t(Float, &[2, 2], vec![1.0, 2.0, 3.0, 4.0]);
    let idx = int32(&[2, 2], &[1, 0, 0, 1]);
    cases.push(case("kND by hand", Gather::with_mode(gather::ND), vec![x, idx], out(Float, &[2], vec![3.0, 2.0])));
    // By hand, kELEMENT on axis 0: [[1,2],[3,4]] at [[1,0],[-2,1]] is [[3,2],[1,4]].
    let x = t(Int32, &[2, 2], vec![1.0, 2.0, 3.0, 4.0]);
    let idx = int32(&[2, 2], &[1, 0, -2, 1]);
    cases.push(case("kELEMENT by hand", Gather::with_mode(gather::ELEMENT), vec![x, idx], int32(&[2, 2], &[3, 2, 1, 4])));
    // Shape values: picking from a constant shape tensor is done on the host.
    let x = int32(&[4], &[4, 5, 6, 7]);
    cases.push(case("shape values", Gather::on_axis(0), vec![x, int32(&[2], &[-1, 0])], int32(&[2], &[7, 4])).constant_inputs(&[0, 1]));
    check("Gather", cases);
}

// ---------------------------------------------------------------- select

#[test]
fn select() {
    let mut cases = vec![];
    for dtype in MOVED {
        let cond = ints(Bool, &[2, 1, 3], 70, 0, 1);
        let (a, b) = (data(dtype, &[1, 4, 3], 71), data(dtype, &[2, 4, 1], 72));
        let dims = [2, 4, 3];
        let pick = |x: &T, c: &[i64]| {
            let at: Vec<i64> = c.iter().zip(&x.dims).map(|(&c, &d)| if d == 1 { 0 } else { c }).collect();
            x.values[offset(&x.dims, &at)]
        };
        let values = tabulate(&dims, |c| if pick(&cond, c) != 0.0 { pick(&a, c) } else { pick(&b, c) });
        let y = T { dtype, dims: dims.to_vec(), values };
        cases.push(case("broadcast", Select::new(), vec![cond.clone(), a.clone(), b.clone()], y.clone()));
        cases.push(case("broadcast", Select::new(), vec![cond, a, b], y).dynamic());
    }
    // By hand: [true, false, true] picks [1, 8, 3] from [1,2,3] and [7,8,9].
    let cond = t(Bool, &[3], vec![1.0, 0.0, 1.0]);
    let (a, b) = (int32(&[3], &[1, 2, 3]), int32(&[3], &[7, 8, 9]));
    cases.push(case("by hand", Select::new(), vec![cond, a, b], int32(&[3], &[1, 8, 3])));
    check("Select", cases);
}

// ---------------------------------------------------------------- one-hot

/// Output with depth inserted at `axis` (negative counts from the output's end): on where
/// the new coordinate equals the index (negative counts from depth's end), off elsewhere.
fn one_hot_ref(idx: &T, values: &T, depth: i64, axis: i64) -> T {
    let q = idx.dims.len() as i64;
    let axis = if axis < 0 { axis + q + 1 } else { axis } as usize;
    let mut dims = idx.dims.clone();
    dims.insert(axis, depth);
    let out = tabulate(&dims, |c| {
        let mut at = c.to_vec();
        let d = at.remove(axis);
        let hot = index_into(idx.values[offset(&idx.dims, &at)], depth) == Some(d);
        values.values[hot as usize]
    });
    T { dtype: values.dtype, dims, values: out }
}

#[test]
fn one_hot() {
    let mut cases = vec![];
    for dtype in [Float, Half, Int32, Int8] {
        let idx = ints(Int32, &[2, 3], 80, -5, 4);
        let values = typed(dtype, &[2], &[-1.0, 3.0]);
        let depth = int32(&[], &[4]);
        for axis in [-1i64, 0, 1, 2, -3] {
            let y = one_hot_ref(&idx, &values, 4, axis);
            cases.push(case(format!("axis {axis}"), OneHot::on_axis(axis as i32), vec![idx.clone(), values.clone(), depth.clone()], y));
        }
        let y = one_hot_ref(&idx, &values, 4, 1);
        cases.push(
            case("constant depth", OneHot::on_axis(1), vec![idx.clone(), values.clone(), depth.clone()], y.clone()).constant_inputs(&[2]),
        );
        cases.push(case("axis 1", OneHot::on_axis(1), vec![idx.clone(), values.clone(), depth.clone()], y).dynamic());
    }
    // By hand, depth 3: 0 -> [1,0,0]; 2 -> [0,0,1]; -1 is 2 -> [0,0,1]; 5 and -5 (= -2)
    // are outside -> [0,0,0].
    let idx = int32(&[5], &[0, 2, -1, 5, -5]);
    let values = t(Float, &[2], vec![0.0, 1.0]);
    let expected = out(Float, &[5, 3], vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    cases.push(case("by hand", OneHot::on_axis(-1), vec![idx, values, int32(&[], &[3])], expected));
    check("OneHot", cases);
}

// ---------------------------------------------------------------- reverse-sequence

fn reverse_sequence_ref(x: &T, lens: &[i64], batch_axis: usize, seq_axis: usize) -> T {
    let values = tabulate(&x.dims, |c| {
        let len = lens[c[batch_axis] as usize];
        let mut at = c.to_vec();
        if at[seq_axis] < len {
            at[seq_axis] = len - 1 - at[seq_axis];
        }
        x.values[offset(&x.dims, &at)]
    });
    T { dtype: x.dtype, dims: x.dims.clone(), values }
}

#[test]
fn reverse_sequence() {
    let mut cases = vec![];
    for dtype in MOVED {
        let x = data(dtype, &[4, 3], 90);
        // TensorRT's default axes: batch 1, sequence 0.
        let lens = [3, 0, 4];
        cases.push(case(
            "default axes",
            ReverseSequence::new(),
            vec![x.clone(), int32(&[3], &lens)],
            reverse_sequence_ref(&x, &lens, 1, 0),
        ));
        let lens = [2, 3, 1, 3];
        let y = reverse_sequence_ref(&x, &lens, 0, 1);
        cases.push(case("batch 0, sequence 1", ReverseSequence::with_axes(0, 1), vec![x.clone(), int32(&[4], &lens)], y));
        let x3 = data(dtype, &[3, 2, 4], 91);
        let lens = [1, 3, 2, 0];
        let y = reverse_sequence_ref(&x3, &lens, 2, 0);
        cases.push(case("rank 3, batch 2, sequence 0", ReverseSequence::with_axes(2, 0), vec![x3.clone(), int32(&[4], &lens)], y.clone()));
        cases
            .push(case("rank 3, batch 2, sequence 0", ReverseSequence::with_axes(2, 0), vec![x3.clone(), int32(&[4], &lens)], y).dynamic());
        let lens = [2, 1, 2];
        cases.push(case(
            "rank 3, batch 0, sequence 1",
            ReverseSequence::with_axes(0, 1),
            vec![x3.clone(), int32(&[3], &lens)],
            reverse_sequence_ref(&x3, &lens, 0, 1),
        ));
    }
    // By hand: x[s][b] = 3s + b for s < 4, b < 3, lengths [3, 1, 4] along b, sequence axis 0:
    // column 0 reverses its first 3: 6, 3, 0, 9; column 1 keeps 1, 4, 7, 10; column 2
    // reverses all 4: 11, 8, 5, 2.
    let x = int32(&[4, 3], &(0..12).collect::<Vec<_>>());
    let expected = int32(&[4, 3], &[6, 1, 11, 3, 4, 8, 0, 7, 5, 9, 10, 2]);
    cases.push(case("by hand", ReverseSequence::new(), vec![x, int32(&[3], &[3, 1, 4])], expected));
    check("ReverseSequence", cases);
}

// ---------------------------------------------------------------- scatter

/// kELEMENT: updates[c] goes to data[c with c[axis] = indices[c]].
fn scatter_element_ref(x: &T, idx: &T, upd: &T, axis: usize) -> T {
    let mut y = x.clone();
    for i in 0..count(&upd.dims) as i64 {
        let c = coords(i, &upd.dims);
        let mut at = c.clone();
        let Some(v) = index_into(idx.values[offset(&idx.dims, &c)], x.dims[axis]) else { continue };
        at[axis] = v;
        y.values[offset(&x.dims, &at)] = upd.values[i as usize];
    }
    y
}

/// kND: tuple i of the indices addresses a slice of the data that update slice i replaces.
fn scatter_nd_ref(x: &T, idx: &T, upd: &T) -> T {
    let q = idx.dims.len();
    let k = idx.dims[q - 1] as usize;
    let mut y = x.clone();
    for i in 0..count(&upd.dims) as i64 {
        let c = coords(i, &upd.dims);
        let mut at = vec![];
        for t in 0..k {
            let mut ic = c[..q - 1].to_vec();
            ic.push(t as i64);
            at.push(index_into(idx.values[offset(&idx.dims, &ic)], x.dims[t]).expect("in range"));
        }
        at.extend_from_slice(&c[q - 1..]);
        y.values[offset(&x.dims, &at)] = upd.values[i as usize];
    }
    y
}

#[test]
fn scatter() {
    let mut cases = vec![];
    for dtype in [Float, Half, Int32, Int8] {
        let x = data(dtype, &[4, 5], 100);
        // kELEMENT on axis 0: each column of the indices is a permutation of the rows (no
        // place written twice), half of them negative.
        let mut idx0 = vec![0.0; 20];
        for col in 0..5 {
            for (row, v) in permutation_indices(4, 101 + col).into_iter().enumerate() {
                idx0[row * 5 + col as usize] = v as f64;
            }
        }
        let idx = t(Int32, &[4, 5], idx0);
        let upd = data(dtype, &[4, 5], 102);
        let mut layer = Scatter::with_mode(scatter::ELEMENT);
        cases.push(case(
            "kELEMENT axis 0",
            layer.clone(),
            vec![x.clone(), idx.clone(), upd.clone()],
            scatter_element_ref(&x, &idx, &upd, 0),
        ));
        // kELEMENT on axis 1 with fewer updates than the data has rows: [2, 5].
        layer.axis = 1;
        let mut idx1 = vec![];
        for row in 0..2 {
            idx1.extend(permutation_indices(5, 103 + row).into_iter().map(|v| v as f64));
        }
        let idx = t(Int32, &[2, 5], idx1);
        let upd = data(dtype, &[2, 5], 104);
        cases.push(case(
            "kELEMENT axis 1",
            layer.clone(),
            vec![x.clone(), idx.clone(), upd.clone()],
            scatter_element_ref(&x, &idx, &upd, 1),
        ));
        cases.push(
            case("kELEMENT axis 1", layer, vec![x.clone(), idx.clone(), upd.clone()], scatter_element_ref(&x, &idx, &upd, 1)).dynamic(),
        );
        // kND: single indices replace rows; pairs replace elements.
        let idx = int32(&[2, 1], &[3, -4]);
        let upd = data(dtype, &[2, 5], 105);
        cases.push(case(
            "kND rows",
            Scatter::with_mode(scatter::ND),
            vec![x.clone(), idx.clone(), upd.clone()],
            scatter_nd_ref(&x, &idx, &upd),
        ));
        let idx = int32(&[3, 2], &[0, 4, -1, 0, 2, -3]);
        let upd = data(dtype, &[3], 106);
        cases.push(case(
            "kND elements",
            Scatter::with_mode(scatter::ND),
            vec![x.clone(), idx.clone(), upd.clone()],
            scatter_nd_ref(&x, &idx, &upd),
        ));
        // The tuple length must be known when the network is built: data and updates are dynamic.
        let nd = case(
            "kND elements",
            Scatter::with_mode(scatter::ND),
            vec![x.clone(), idx.clone(), upd.clone()],
            scatter_nd_ref(&x, &idx, &upd),
        );
        cases.push(nd.dynamic_only(&[0, 2]));
    }
    // By hand, kND: [1..8] with 9, 10, 11, 12 written at 4, 3, 1, 7:
    // [1, 11, 3, 10, 9, 6, 7, 12].
    let x = int32(&[8], &[1, 2, 3, 4, 5, 6, 7, 8]);
    let (idx, upd) = (int32(&[4, 1], &[4, 3, 1, 7]), int32(&[4], &[9, 10, 11, 12]));
    cases.push(case("kND by hand", Scatter::with_mode(scatter::ND), vec![x, idx, upd], int32(&[8], &[1, 11, 3, 10, 9, 6, 7, 12])));
    // By hand, kELEMENT on axis 1: zeros [2,3]; row 0 gets 1, 2, 3 at columns 1, 0, 2, row
    // 1 gets 4, 5, 6 at columns 0, 2, -2 (= 1): [[2,1,3],[4,6,5]].
    let x = int32(&[2, 3], &[0; 6]);
    let (idx, upd) = (int32(&[2, 3], &[1, 0, 2, 0, 2, -2]), int32(&[2, 3], &[1, 2, 3, 4, 5, 6]));
    let mut layer = Scatter::with_mode(scatter::ELEMENT);
    layer.axis = 1;
    cases.push(case("kELEMENT by hand", layer, vec![x, idx, upd], int32(&[2, 3], &[2, 1, 3, 4, 6, 5])));
    check("Scatter", cases);
}

// ---------------------------------------------------------------- fill

/// Checks random values against their distribution. The generator is deterministic, so
/// these checks never flake; their tolerances are still those a fair sample of n = 4096
/// values passes with a wide margin: the mean within 5 standard errors (5 sigma /
/// sqrt(n), 8% of sigma), the standard deviation within 10%, and for the normal fill the
/// share within one sigma of the mean 68.3% +- 3%; uniform values inside [alpha, beta]
/// (the end included: rounding to kHALF can reach it).
fn random_check(op: i32, alpha: f64, beta: f64, half: bool) -> impl Fn(&T) -> std::result::Result<(), String> {
    move |y: &T| {
        let n = y.values.len() as f64;
        let mean = y.values.iter().sum::<f64>() / n;
        let sd = (y.values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let (want_mean, want_sd) =
            if op == fill::RANDOM_UNIFORM { ((alpha + beta) / 2.0, (beta - alpha) / 12f64.sqrt()) } else { (alpha, beta) };
        // kHALF rounding adds up to 2^-11 relative to each value.
        let slack = if half { 1e-3 * (want_mean.abs() + want_sd) } else { 0.0 };
        if (mean - want_mean).abs() > 5.0 * want_sd / n.sqrt() + slack {
            return Err(format!("mean {mean}, expected {want_mean}"));
        }
        if (sd - want_sd).abs() > 0.1 * want_sd {
            return Err(format!("standard deviation {sd}, expected {want_sd}"));
        }
        if op == fill::RANDOM_UNIFORM {
            if let Some(v) = y.values.iter().find(|&&v| v < alpha || v > beta) {
                return Err(format!("{v} is outside [{alpha}, {beta}]"));
            }
        } else {
            let within = y.values.iter().filter(|&&v| (v - alpha).abs() <= beta).count() as f64 / n;
            if (within - 0.6827).abs() > 0.03 {
                return Err(format!("{within} of the values within one sigma, expected 0.683"));
            }
        }
        if y.values.windows(2).all(|w| w[0] == w[1]) {
            return Err("every value is the same".into());
        }
        Ok(())
    }
}

#[test]
fn fill() {
    let mut cases = vec![];
    // kLINSPACE with parameters: 1-D, alpha 1.5, beta 0.5: 1.5, 2, 2.5, 3, 3.5.
    let mut layer = Fill::of(vec![5], fill::LINSPACE);
    layer.alpha = 1.5;
    layer.beta = 0.5;
    cases.push(case("kLINSPACE parameters by hand", layer.clone(), vec![], out(Float, &[5], vec![1.5, 2.0, 2.5, 3.0, 3.5])));
    cases.push(case("kLINSPACE parameters in kHALF", layer, vec![], out(Half, &[5], vec![1.5, 2.0, 2.5, 3.0, 3.5])));
    let mut layer = Fill::of(vec![], fill::LINSPACE);
    layer.alpha = -4.0;
    cases.push(case("kLINSPACE 0-D", layer, vec![], out(Float, &[], vec![-4.0])));
    // A static beta on a [2,3] fill is the delta of both axes: 1 + 2 i + 2 j (by hand: 1, 3,
    // 5, 3, 5, 7).
    let mut layer = Fill::of(vec![2, 3], fill::LINSPACE);
    layer.alpha = 1.0;
    layer.beta = 2.0;
    cases.push(case("kLINSPACE 2-D parameters by hand", layer, vec![], out(Float, &[2, 3], vec![1.0, 3.0, 5.0, 3.0, 5.0, 7.0])));
    // Alpha and beta as inputs 1 and 2: element [i, j] of [2,3] is 1 + 10 i + 2 j (by hand:
    // 1, 3, 5, 11, 13, 15); the output has their type.
    for dtype in [Float, Half, Int32] {
        let (alpha, beta) = (typed(dtype, &[], &[1.0]), typed(dtype, &[2], &[10.0, 2.0]));
        let y = typed(dtype, &[2, 3], &[1.0, 3.0, 5.0, 11.0, 13.0, 15.0]);
        let layer = Fill::of(vec![2, 3], fill::LINSPACE);
        cases.push(case("kLINSPACE alpha and beta inputs", layer.clone(), vec![alpha.clone(), beta.clone()], y.clone()).at_slots(&[1, 2]));
        // The shape as input 0 too.
        let shape = int32(&[2], &[2, 3]);
        cases.push(case("kLINSPACE shape input", Fill::of(vec![], fill::LINSPACE), vec![shape, alpha, beta], y));
        // A larger one against its formula.
        let (a, b) = (3.0, [2.0, -1.0, 0.5]);
        let dims = [4, 5, 6];
        let expected = tabulate(&dims, |c| a + c.iter().zip(b).map(|(&c, b)| c as f64 * b).sum::<f64>());
        let b: Vec<f64> = if dtype == Int32 { vec![2.0, -1.0, 1.0] } else { b.to_vec() };
        let expected =
            if dtype == Int32 { tabulate(&dims, |c| a + c.iter().zip(&b).map(|(&c, b)| c as f64 * b).sum::<f64>()) } else { expected };
        cases.push(
            case(
                "kLINSPACE rank 3",
                Fill::of(dims.to_vec(), fill::LINSPACE),
                vec![typed(dtype, &[], &[a]), typed(dtype, &[3], &b)],
                out(dtype, &dims, expected),
            )
            .at_slots(&[1, 2]),
        );
    }
    // Shape values: an integer range from constant alpha and beta is computed on the host
    // (by hand: 3, 5, 7, 9).
    let range = case(
        "kLINSPACE shape values",
        Fill::of(vec![4], fill::LINSPACE),
        vec![int32(&[], &[3]), int32(&[1], &[2])],
        int32(&[4], &[3, 5, 7, 9]),
    );
    cases.push(range.at_slots(&[1, 2]).constant_inputs(&[0, 1]));
    // Random fills: shape and distribution (see random_check).
    for (op, alpha, beta) in [(fill::RANDOM_UNIFORM, -2.0, 3.0), (fill::RANDOM_NORMAL, 1.0, 2.0)] {
        let name = if op == fill::RANDOM_UNIFORM { "kRANDOM_UNIFORM" } else { "kRANDOM_NORMAL" };
        let mut layer = Fill::of(vec![64, 64], op);
        layer.alpha = alpha;
        layer.beta = beta;
        let shape = vec![0.0; 64 * 64];
        cases.push(
            case(format!("{name} parameters"), layer.clone(), vec![], out(Float, &[64, 64], shape.clone()))
                .verify(random_check(op, alpha, beta, false)),
        );
        cases.push(
            case(format!("{name} parameters in kHALF"), layer, vec![], out(Half, &[64, 64], shape.clone()))
                .verify(random_check(op, alpha, beta, true)),
        );
        for dtype in [Float, Half] {
            let inputs = vec![int32(&[2], &[32, 128]), typed(dtype, &[], &[alpha]), typed(dtype, &[], &[beta])];
            let verify = random_check(op, alpha, beta, dtype == Half);
            cases.push(case(format!("{name} inputs"), Fill::of(vec![], op), inputs, out(dtype, &[32, 128], shape.clone())).verify(verify));
        }
    }
    check("Fill", cases);
}

// ---------------------------------------------------------------- errors and shape values

use nvinfer::builder::build_for;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::ir::Network;
use nvinfer::layers::Layer;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::ProfileSelector;
use nvinfer::weights::Weights;

/// The error adding `layer` on fresh inputs of these types and dims gives (set at `slots`).
fn add_error(layer: impl Layer, inputs: &[(DataType, &[i64])], slots: &[usize]) -> String {
    let mut net = Network::new();
    let ids: Vec<usize> = inputs.iter().enumerate().map(|(i, (d, dims))| net.add_input(&format!("in{i}"), *d, dims).unwrap()).collect();
    let leading = slots.iter().enumerate().take_while(|&(k, &s)| k == s).count();
    let l = net.add_layer_deferred(Box::new(layer), &ids[..leading]).unwrap();
    for (&slot, &id) in slots.iter().zip(&ids).skip(leading) {
        net.set_layer_input(l, slot, id).unwrap();
    }
    match net.finish_last_layer() {
        Ok(()) => panic!("the layer was accepted"),
        Err(e) => e.message,
    }
}

#[test]
fn bad_layers_are_refused_when_added_with_a_clear_message() {
    let cases: Vec<(String, &str)> = vec![
        (add_error(Concatenation::on_axis(1), &[(Float, &[2, 3]), (Float, &[3, 3])], &[0, 1]), "dimension 0 must match"),
        (add_error(Concatenation::on_axis(2), &[(Float, &[2, 3])], &[0]), "axis 2 is out of range"),
        (add_error(Concatenation::on_axis(0), &[(Float, &[2]), (Int32, &[2])], &[0, 1]), "have types kFLOAT and kINT32"),
        (
            add_error(Slice::of(vec![0, 2], vec![2, 2], vec![1, 1]).with_mode(slice::STRICT_BOUNDS), &[(Float, &[2, 3])], &[0]),
            "coordinates 2..=3 fall outside",
        ),
        (add_error(Slice::of(vec![0], vec![2, 2], vec![1]), &[(Float, &[2, 3])], &[0]), "start has 1 values"),
        (add_error(Slice::of(vec![0, 0], vec![1, 1], vec![1, 1]), &[(Float, &[2, 3]), (Float, &[])], &[0, 4]), "needs kFILL"),
        (add_error(Slice::of(vec![0], vec![1], vec![1]).with_mode(slice::WRAP), &[(Float, &[0])], &[0]), "kWRAP of an empty axis"),
        (add_error(Slice::of(vec![0, 0], vec![], vec![1, 1]), &[(Float, &[2, 3]), (Float, &[2])], &[0, 2]), "kINT32 shape tensor"),
        (add_error(Padding::of(vec![1], vec![1]), &[(Float, &[1, 1, 2, 2])], &[0]), "two innermost"),
        (add_error(Padding::of(vec![1, 1], vec![1, 1]), &[(Float, &[2, 2, 2])], &[0]), "rank 4 or more"),
        (add_error(Padding::of(vec![-2, 0], vec![-1, 0]), &[(Float, &[1, 1, 2, 2])], &[0]), "crops more than the dimension"),
        (add_error(Gather::on_axis(3), &[(Float, &[2, 3]), (Int32, &[1])], &[0, 1]), "gather axis 3 is outside"),
        (add_error(Gather::on_axis(0), &[(Float, &[2, 3]), (Float, &[1])], &[0, 1]), "gather indices has type kFLOAT"),
        (add_error(Gather::with_mode(gather::ELEMENT), &[(Float, &[2, 3]), (Int32, &[2])], &[0, 1]), "indices of the data's rank"),
        (add_error(Gather::with_mode(gather::ND), &[(Float, &[2, 3]), (Int32, &[1, 3])], &[0, 1]), "do not fit data of rank 2"),
        (add_error(Gather::with_mode(gather::ND), &[(Float, &[2, 3]), (Int32, &[1, -1])], &[0, 1]), "known when the network is built"),
        (add_error(Select::new(), &[(Float, &[2]), (Float, &[2]), (Float, &[2])], &[0, 1, 2]), "condition has type kFLOAT"),
        (add_error(Select::new(), &[(Bool, &[2]), (Float, &[3]), (Float, &[2])], &[0, 1, 2]), "cannot be broadcast"),
        (add_error(OneHot::on_axis(3), &[(Int32, &[2, 3]), (Float, &[2]), (Int32, &[])], &[0, 1, 2]), "one-hot axis 3 is outside"),
        (add_error(OneHot::on_axis(0), &[(Int32, &[2]), (Float, &[3]), (Int32, &[])], &[0, 1, 2]), "two elements"),
        (add_error(ReverseSequence::with_axes(1, 1), &[(Float, &[2, 3]), (Int32, &[3])], &[0, 1]), "both 1"),
        (add_error(ReverseSequence::with_axes(1, 0), &[(Float, &[2, 3]), (Int32, &[2])], &[0, 1]), "one sequence length per index"),
        (
            add_error(Scatter::with_mode(scatter::ELEMENT), &[(Float, &[2, 3]), (Int32, &[2, 3]), (Float, &[2, 2])], &[0, 1, 2]),
            "updates and indices dimension 1",
        ),
        (add_error(Scatter::with_mode(scatter::ND), &[(Float, &[2, 3]), (Int32, &[2, 1]), (Float, &[2])], &[0, 1, 2]), "need rank 2"),
        (add_error(Fill::of(vec![4], fill::RANDOM_UNIFORM), &[(Int32, &[]), (Int32, &[])], &[1, 2]), "alpha (input 1) has type kINT32"),
        (add_error(Fill::of(vec![4], fill::LINSPACE), &[(Float, &[])], &[1]), "both be set"),
    ];
    for (message, expected) in cases {
        assert!(message.contains(expected), "expected an error containing {expected:?}, got {message:?}");
    }
}

#[test]
fn defaults_the_application_usually_changes_after_adding_do_not_refuse_the_layer() {
    // addConcatenation then setAxis, addReverseSequence then setBatchAxis: the defaults
    // (axis 0; batch axis 1) do not fit these inputs, yet the add succeeds; left as they are,
    // the build says why.
    let mut net = Network::new();
    let (a, b) = (net.add_input("a", Float, &[2, 1]).unwrap(), net.add_input("b", Float, &[2, 3]).unwrap());
    let c = net.add_layer(Box::new(Concatenation::new()), &[a, b]).unwrap_or_else(|e| panic!("{}", e.message));
    let y = net.layers[c].outputs[0];
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    let m = build_for(&net, &BuilderConfig::default(), &common::quiet(), nvinfer::backend::Target::Cpu).unwrap_err().message;
    assert!(m.contains("concatenation input 1 dimension 1 must match"), "{m}");
    net.layer_mut(c).unwrap().op.set_param("axis", nvinfer::layers::Param::Ints(vec![1])).unwrap();
    net.infer_shapes().unwrap();
    assert_eq!(net.known_dims(y), vec![2, 4]);
    build_for(&net, &BuilderConfig::default(), &common::quiet(), nvinfer::backend::Target::Cpu).unwrap();

    let mut net = Network::new();
    let (x, lens) = (net.add_input("x", Float, &[4, 3]).unwrap(), net.add_input("lens", Int32, &[4]).unwrap());
    let r = net.add_layer(Box::new(ReverseSequence::new()), &[x, lens]).unwrap_or_else(|e| panic!("{}", e.message));
    let y = net.layers[r].outputs[0];
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    let m = build_for(&net, &BuilderConfig::default(), &common::quiet(), nvinfer::backend::Target::Cpu).unwrap_err().message;
    assert!(m.contains("one sequence length per index of the batch axis"), "{m}");
    net.layer_mut(r).unwrap().op.set_param("batch_axis", nvinfer::layers::Param::Ints(vec![0])).unwrap();
    net.layer_mut(r).unwrap().op.set_param("sequence_axis", nvinfer::layers::Param::Ints(vec![1])).unwrap();
    build_for(&net, &BuilderConfig::default(), &common::quiet(), nvinfer::backend::Target::Cpu).unwrap();

    // addSlice with a window past the input, then setMode(kFILL): padding.
    let mut net = Network::new();
    let x = net.add_input("x", Float, &[3]).unwrap();
    let l = net.add_layer(Box::new(Slice::of(vec![-1], vec![5], vec![1])), &[x]).unwrap_or_else(|e| panic!("{}", e.message));
    let y = net.layers[l].outputs[0];
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    let m = build_for(&net, &BuilderConfig::default(), &common::quiet(), nvinfer::backend::Target::Cpu).unwrap_err().message;
    assert!(m.contains("coordinates -1..=3 fall outside"), "{m}");
    net.layer_mut(l).unwrap().op.set_param("mode", nvinfer::layers::Param::Ints(vec![slice::FILL as i64])).unwrap();
    build_for(&net, &BuilderConfig::default(), &common::quiet(), nvinfer::backend::Target::Cpu).unwrap();
}

/// A network whose output is `x` [6] reshaped by a shape tensor computed by the layers
/// under test: dims = concatenation(gather([2,3], index), [-1]), with `index` a kINT32
/// shape input, so the gather picks by a value only known at run time.
fn reshape_by_picked_dim() -> Network {
    let mut net = Network::new();
    let x = net.add_input("x", Float, &[6]).unwrap();
    let index = net.add_input("index", Int32, &[1]).unwrap();
    let add = |net: &mut Network, layer: Box<dyn Layer>, inputs: &[usize]| {
        let l = net.add_layer(layer, inputs).unwrap_or_else(|e| panic!("{}", e.message));
        net.layers[l].outputs[0]
    };
    let sizes = add(&mut net, Box::new(Constant::of(vec![2], Weights::from_i32(&[2, 3]))), &[]);
    let rest = add(&mut net, Box::new(Constant::of(vec![1], Weights::from_i32(&[-1]))), &[]);
    let picked = add(&mut net, Box::new(Gather::on_axis(0)), &[sizes, index]);
    let dims = add(&mut net, Box::new(Concatenation::on_axis(0)), &[picked, rest]);
    let l = net.add_layer(Box::new(Shuffle::new()), &[x]).unwrap();
    net.set_layer_input(l, 1, dims).unwrap();
    let y = net.layers[l].outputs[0];
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    net
}

#[test]
fn gather_and_concatenation_compute_shape_values_on_the_host() {
    let net = reshape_by_picked_dim();
    let mut p = OptimizationProfile::new();
    for sel in [ProfileSelector::Min, ProfileSelector::Opt, ProfileSelector::Max] {
        p.set_shape_values("index", sel, &[if sel == ProfileSelector::Max { 1 } else { -2 }]).unwrap();
    }
    let mut config = BuilderConfig::default();
    config.add_profile(&p).unwrap();
    for target in common::exec::targets() {
        let plan = build_for(&net, &config, &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("{}", e.message));
        let engine = std::sync::Arc::new(Engine::deserialize(&plan).unwrap());
        let mut ctx = ExecutionContext::new(engine).unwrap();
        let on_device = matches!(target, nvinfer::backend::Target::Cuda(..));
        let xs: Vec<f32> = (0..6).map(|v| v as f32).collect();
        let xb = common::exec::IoBuffer::with(bytemuck::cast_slice(&xs), on_device);
        ctx.set_tensor_address("x", xb.address()).unwrap();
        // Index 0 picks 2, 1 and -1 pick 3, -2 picks 2: the reshape follows.
        for (index, rows) in [(0i32, 2i64), (1, 3), (-1, 3), (-2, 2)] {
            let host = [index];
            ctx.set_tensor_address("index", host.as_ptr() as u64).unwrap();
            assert_eq!(ctx.tensor_shape("y").unwrap(), vec![rows, 6 / rows], "index {index}");
            let yb = common::exec::IoBuffer::new(24, on_device);
            ctx.set_tensor_address("y", yb.address()).unwrap();
            ctx.execute().unwrap();
            assert_eq!(bytemuck::cast_slice::<u8, f32>(&yb.read(24)), xs.as_slice());
        }
        common::report(&format!(
            "SHAPE-TENSOR backend={} Gather by a run-time index -> Concatenation -> Shuffle reshape input",
            common::exec::backend_name(&target)
        ));
    }
}

#[test]
fn a_slice_outside_its_input_at_run_time_is_an_error() {
    // kSTRICT_BOUNDS with the start from a shape input: checked when the start is known.
    let mut net = Network::new();
    let x = net.add_input("x", Float, &[4]).unwrap();
    let start = net.add_input("start", Int32, &[1]).unwrap();
    // addSlice takes a start of the input's rank; input 1 replaces it.
    let l = net.add_layer(Box::new(Slice::of(vec![0], vec![2], vec![1])), &[x]).unwrap();
    net.set_layer_input(l, 1, start).unwrap();
    let y = net.layers[l].outputs[0];
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    let mut p = OptimizationProfile::new();
    p.set_shape_values("start", ProfileSelector::Min, &[0]).unwrap();
    p.set_shape_values("start", ProfileSelector::Opt, &[1]).unwrap();
    p.set_shape_values("start", ProfileSelector::Max, &[5]).unwrap();
    let mut config = BuilderConfig::default();
    config.add_profile(&p).unwrap();
    for target in common::exec::targets() {
        let plan = build_for(&net, &config, &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("{}", e.message));
        let engine = std::sync::Arc::new(Engine::deserialize(&plan).unwrap());
        let mut ctx = ExecutionContext::new(engine).unwrap();
        let on_device = matches!(target, nvinfer::backend::Target::Cuda(..));
        let xs = [1f32, 2.0, 3.0, 4.0];
        let xb = common::exec::IoBuffer::with(bytemuck::cast_slice(&xs), on_device);
        let yb = common::exec::IoBuffer::new(8, on_device);
        ctx.set_tensor_address("x", xb.address()).unwrap();
        ctx.set_tensor_address("y", yb.address()).unwrap();
        let good = [2i32];
        ctx.set_tensor_address("start", good.as_ptr() as u64).unwrap();
        ctx.execute().unwrap();
        assert_eq!(bytemuck::cast_slice::<u8, f32>(&yb.read(8)), &[3.0, 4.0]);
        let bad = [3i32];
        ctx.set_tensor_address("start", bad.as_ptr() as u64).unwrap();
        let m = ctx.execute().unwrap_err().message;
        assert!(m.contains("past the input's end"), "{m}");
        ctx.set_tensor_address("start", good.as_ptr() as u64).unwrap();
        ctx.execute().unwrap();
    }
}

/// x [2,3,4] per sample -> slice rows 1..3 of axis 1 -> concatenation of it twice on
/// axis 1 -> padding (one row above, one column after) -> gather of columns 4 and -1:
/// [2,5,2] per sample; in an implicit-batch network, or with an explicit batch of one.
fn per_sample_network(implicit: bool) -> Network {
    let mut net = if implicit { Network::new_implicit_batch() } else { Network::new() };
    let lead = |v: &[i64], batch: i64| if implicit { v.to_vec() } else { [&[batch], v].concat() };
    let x = net.add_input("x", Float, &lead(&[2, 3, 4], 1)).unwrap();
    let add = |net: &mut Network, layer: Box<dyn Layer>, inputs: &[usize]| {
        let l = net.add_layer(layer, inputs).unwrap_or_else(|e| panic!("{}", e.message));
        net.layers[l].outputs[0]
    };
    let s = add(&mut net, Box::new(Slice::of(lead(&[0, 1, 0], 0), lead(&[2, 2, 4], 1), lead(&[1, 1, 1], 1))), &[x]);
    let axis = if implicit { 1 } else { 2 };
    let c = add(&mut net, Box::new(Concatenation::on_axis(axis)), &[s, s]);
    let p = add(&mut net, Box::new(Padding::of(vec![1, 0], vec![0, 1])), &[c]);
    let columns = add(&mut net, Box::new(Constant::of(vec![2], Weights::from_i32(&[4, -1]))), &[]);
    let y = add(&mut net, Box::new(Gather::on_axis(axis + 1)), &[p, columns]);
    net.set_tensor_name(y, "y").unwrap();
    net.mark_output(y).unwrap();
    net
}

#[test]
fn implicit_batch_networks_slice_concatenate_pad_and_gather_per_sample() {
    let (per_in, per_out) = (24usize, 20usize);
    for target in common::exec::targets() {
        let on_device = matches!(target, nvinfer::backend::Target::Cuda(..));
        let build = |net: &Network| {
            let config = BuilderConfig { max_batch_size: 3, ..Default::default() };
            let plan = build_for(net, &config, &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("{}", e.message));
            std::sync::Arc::new(Engine::deserialize(&plan).unwrap())
        };
        let mut batched = ExecutionContext::new(build(&per_sample_network(true))).unwrap();
        let mut alone = ExecutionContext::new(build(&per_sample_network(false))).unwrap();
        let xs = common::random(per_in * 3, 120);
        let x = common::exec::IoBuffer::with(bytemuck::cast_slice(&xs), on_device);
        let y = common::exec::IoBuffer::new(per_out * 4 * 3, on_device);
        batched.execute_batch(3, &[x.address(), y.address()]).unwrap_or_else(|e| panic!("{}", e.message));
        let got: Vec<f32> = bytemuck::cast_slice(&y.read(per_out * 4 * 3)).to_vec();
        for s in 0..3 {
            let x1 = common::exec::IoBuffer::with(bytemuck::cast_slice(&xs[s * per_in..(s + 1) * per_in]), on_device);
            let y1 = common::exec::IoBuffer::new(per_out * 4, on_device);
            alone.set_tensor_address("x", x1.address()).unwrap();
            alone.set_tensor_address("y", y1.address()).unwrap();
            alone.execute().unwrap();
            let want: Vec<f32> = bytemuck::cast_slice(&y1.read(per_out * 4)).to_vec();
            assert_eq!(&got[s * per_out..(s + 1) * per_out], want.as_slice(), "sample {s}");
        }
    }
    // The kinds TensorRT allows only with explicit batch say so.
    let mut net = Network::new_implicit_batch();
    let (i, v, d) =
        (net.add_input("i", Int32, &[3]).unwrap(), net.add_input("v", Float, &[2]).unwrap(), net.add_input("d", Int32, &[]).unwrap());
    let e = net.add_layer(Box::new(OneHot::on_axis(-1)), &[i, v, d]).unwrap_err();
    assert!(e.message.contains("IOneHotLayer needs an explicit-batch network"), "{}", e.message);
}
