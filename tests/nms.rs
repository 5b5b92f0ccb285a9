//! INMSLayer on every backend: the selected (batch, class, box) triples and their count,
//! delivered through an IOutputAllocator, against a reference written here (greedy selection
//! per class in f64) and a case worked by hand.

mod common;

use common::exec::{backend_name, targets, IoBuffer};
use nvinfer::backend::Target;
use nvinfer::builder::{build_for, config::BuilderConfig};
use nvinfer::ir::Network;
use nvinfer::layers::generated::NMS;
use nvinfer::runtime::allocator::NvtOutputAllocator;
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::DataType;
use std::sync::Arc;

#[derive(Default)]
struct Allocations {
    device: bool,
    buffers: Vec<IoBuffer>,
}

unsafe extern "C" fn reallocate(
    user: *mut std::ffi::c_void,
    _: *const std::ffi::c_char,
    _: *mut std::ffi::c_void,
    size: u64,
    _: u64,
) -> *mut std::ffi::c_void {
    let a = &mut *(user as *mut Allocations);
    let b = IoBuffer::new(size.max(1) as usize, a.device);
    let p = b.address();
    a.buffers.push(b);
    p as *mut std::ffi::c_void
}

unsafe extern "C" fn notify_shape(_: *mut std::ffi::c_void, _: *const std::ffi::c_char, _: *const i64, _: i32) {}

struct Problem {
    boxes: Vec<f32>,
    box_dims: Vec<i64>,
    scores: Vec<f32>,
    score_dims: Vec<i64>,
    max_per_class: i32,
    iou: f32,
    score: f32,
    format: i32,
    top_k: i32,
}

/// Builds and runs the one-layer network; returns the triples.
fn run(p: &Problem, target: &Target) -> Vec<[i32; 3]> {
    let mut net = Network::new();
    let b = net.add_input("boxes", DataType::Float, &p.box_dims).unwrap();
    let s = net.add_input("scores", DataType::Float, &p.score_dims).unwrap();
    let m = net.add_input("max", DataType::Int32, &[]).unwrap();
    let i = net.add_input("iou", DataType::Float, &[]).unwrap();
    let t = net.add_input("thr", DataType::Float, &[]).unwrap();
    let layer = NMS { bounding_box_format: p.format, top_k_box_limit: p.top_k };
    let l = net.add_layer(Box::new(layer), &[b, s, m, i, t]).unwrap_or_else(|e| panic!("{}", e.message));
    let (sel, count) = (net.layers[l].outputs[0], net.layers[l].outputs[1]);
    net.set_tensor_name(sel, "selected").unwrap();
    net.set_tensor_name(count, "count").unwrap();
    net.mark_output(sel).unwrap();
    net.mark_output(count).unwrap();
    let plan = build_for(&net, &BuilderConfig::default(), &common::quiet(), target.clone()).unwrap_or_else(|e| panic!("{}", e.message));
    let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
    let dev = matches!(target, Target::Cuda(..));
    let bufs = [
        ("boxes", IoBuffer::with(bytemuck::cast_slice(&p.boxes), dev)),
        ("scores", IoBuffer::with(bytemuck::cast_slice(&p.scores), dev)),
        ("max", IoBuffer::with(&p.max_per_class.to_le_bytes(), dev)),
        ("iou", IoBuffer::with(&p.iou.to_le_bytes(), dev)),
        ("thr", IoBuffer::with(&p.score.to_le_bytes(), dev)),
    ];
    for (name, buf) in &bufs {
        ctx.set_tensor_address(name, buf.address()).unwrap();
    }
    let count_buf = IoBuffer::new(4, dev);
    ctx.set_tensor_address("count", count_buf.address()).unwrap();
    let mut alloc = Box::new(Allocations { device: dev, ..Default::default() });
    let handle = NvtOutputAllocator {
        user: &mut *alloc as *mut Allocations as *mut _,
        reallocate: Some(reallocate),
        notify_shape: Some(notify_shape),
    };
    ctx.set_output_allocator("selected", Some(handle)).unwrap();
    ctx.execute().unwrap_or_else(|e| panic!("{}", e.message));
    let n = i32::from_le_bytes(count_buf.read(4).try_into().unwrap());
    assert_eq!(ctx.tensor_shape("selected").unwrap(), vec![n as i64, 3]);
    if n == 0 {
        return vec![];
    }
    let raw: Vec<i32> = bytemuck::cast_slice(&alloc.buffers.last().unwrap().read(n as usize * 12)).to_vec();
    raw.chunks(3).map(|c| [c[0], c[1], c[2]]).collect()
}

/// Greedy NMS per batch item, candidates across classes by decreasing score.
fn reference(p: &Problem) -> Vec<[i32; 3]> {
    let (bn, n, c) = (p.score_dims[0] as usize, p.score_dims[1] as usize, p.score_dims[2] as usize);
    let per_class = p.box_dims.len() == 4;
    let rect = |b: usize, i: usize, k: usize| -> [f64; 4] {
        let at = if per_class { ((b * n + i) * c + k) * 4 } else { (b * n + i) * 4 };
        let v: Vec<f64> = p.boxes[at..at + 4].iter().map(|&x| x as f64).collect();
        let (x1, y1, x2, y2) = if p.format == 1 {
            (v[0] - v[2] / 2.0, v[1] - v[3] / 2.0, v[0] + v[2] / 2.0, v[1] + v[3] / 2.0)
        } else {
            (v[0], v[1], v[2], v[3])
        };
        [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)]
    };
    let overlap = |a: [f64; 4], b: [f64; 4]| {
        let inter = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0) * (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
        let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    };
    let mut out = vec![];
    for b in 0..bn {
        let mut cand = vec![];
        for i in 0..n {
            for k in 0..c {
                let s = p.scores[(b * n + i) * c + k];
                if s > p.score {
                    cand.push((s, k, i));
                }
            }
        }
        cand.sort_by(|x, y| y.0.partial_cmp(&x.0).unwrap().then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        cand.truncate(p.top_k as usize);
        let mut chosen: Vec<(usize, [f64; 4])> = vec![];
        for (_, k, i) in cand {
            let r = rect(b, i, k);
            let same: Vec<&[f64; 4]> = chosen.iter().filter(|(kk, _)| *kk == k).map(|(_, r)| r).collect();
            if same.len() as i32 >= p.max_per_class || same.iter().any(|o| overlap(r, **o) > p.iou as f64) {
                continue;
            }
            chosen.push((k, r));
            out.push([b as i32, k as i32, i as i32]);
        }
    }
    out
}

#[test]
fn nms_selects_what_the_greedy_rule_selects() {
    // By hand: box 1 overlaps box 0 by IoU 81/119 = 0.68 > 0.5; box 3 scores under 0.4 in
    // class 0. Class 0 keeps boxes 0 and 2; class 1 keeps box 1 (0.95), and box 3 overlaps
    // it. By score: (class 1, box 1), (class 0, box 0), (class 0, box 2).
    let hand = Problem {
        boxes: vec![0., 0., 10., 10., 1., 1., 11., 11., 20., 20., 30., 30., 10., 10., 0., 0.],
        box_dims: vec![1, 4, 4],
        scores: vec![0.9, 0.1, 0.8, 0.95, 0.7, 0.2, 0.3, 0.6],
        score_dims: vec![1, 4, 2],
        max_per_class: 10,
        iou: 0.5,
        score: 0.4,
        format: 0,
        top_k: 5000,
    };
    let want = vec![[0, 1, 1], [0, 0, 0], [0, 0, 2]];
    assert_eq!(reference(&hand), want, "the reference itself");
    for target in targets() {
        assert_eq!(run(&hand, &target), want, "{}: by hand", backend_name(&target));
        // Random problems: shared and per-class boxes, both formats, TopK and class limits.
        for (seed, per_class, format, top_k, max) in
            [(1u64, false, 0, 5000, 100), (2, true, 1, 15, 4), (3, false, 1, 7, 2), (4, true, 0, 40, 0)]
        {
            let (b, n, c) = (2usize, 20usize, 3usize);
            let nb = if per_class { b * n * c * 4 } else { b * n * 4 };
            let boxes: Vec<f32> = common::random(nb, seed).iter().map(|v| (v + 1.0) * 5.0).collect();
            let scores: Vec<f32> = common::random(b * n * c, seed + 10).iter().map(|v| (v + 1.0) / 2.0).collect();
            let p = Problem {
                boxes,
                box_dims: if per_class { vec![2, 20, 3, 4] } else { vec![2, 20, 4] },
                scores,
                score_dims: vec![2, 20, 3],
                max_per_class: max,
                iou: 0.3,
                score: 0.25,
                format,
                top_k,
            };
            assert_eq!(run(&p, &target), reference(&p), "{}: seed {seed}", backend_name(&target));
        }
        common::report(&format!("NMS backend={} by-hand and random selections match the reference", backend_name(&target)));
    }
}
