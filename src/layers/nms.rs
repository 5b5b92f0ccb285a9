//! Non-maximum suppression (INMSLayer). Inputs: boxes [B, N, 4] (shared by the classes) or
//! [B, N, C, 4], scores [B, N, C], the most boxes to keep per batch item and class (0-D
//! kINT32), and optionally the IoU threshold and the score threshold (0-D kFLOAT, default 0).
//! Per batch item, the (box, class) pairs scoring above the score threshold are sorted by
//! score (ties: lower class, then lower box first), the top `top_k_box_limit` are kept, and
//! each is selected unless it overlaps an already selected box of its class by an IoU above
//! the IoU threshold, or its class is full. Outputs: the selected [batch, class, box]
//! triples [count, 3] in that order (batch, then score) — a count known only after the run —
//! and the count itself (0-D kINT32).

use super::generated::NMS;
use super::{any_impls, check_type, host_input, input, CpuCx, InferCx, InferIn, InferOut, Layer, FLOATS};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::shape::BinOp;
use crate::types::DataType;

/// nvinfer1::BoundingBoxFormat.
pub const CORNER_PAIRS: i32 = 0;
pub const CENTER_SIZES: i32 = 1;

/// The shapes and settings one selection needs.
#[derive(Clone, Copy, Debug)]
pub struct NmsProblem {
    pub batch: usize,
    pub boxes: usize,
    pub classes: usize,
    /// Boxes are given per class ([B, N, C, 4]) rather than shared ([B, N, 4]).
    pub per_class_boxes: bool,
    pub format: i32,
    pub top_k: usize,
    pub max_per_class: i64,
    pub iou_threshold: f32,
    pub score_threshold: f32,
}

/// (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2.
fn corners(b: &[f32], format: i32) -> [f32; 4] {
    if format == CENTER_SIZES {
        let (hw, hh) = (b[2] / 2.0, b[3] / 2.0);
        let [x1, x2] = [b[0] - hw, b[0] + hw];
        let [y1, y2] = [b[1] - hh, b[1] + hh];
        [x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)]
    } else {
        [b[0].min(b[2]), b[1].min(b[3]), b[0].max(b[2]), b[1].max(b[3])]
    }
}

fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = w * h;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 {
        inter / union
    } else {
        0.0
    }
}

/// The selected (batch, class, box) triples, batch by batch, by decreasing score.
pub fn select(p: &NmsProblem, boxes: &[f32], scores: &[f32]) -> Vec<[i32; 3]> {
    let (n, c) = (p.boxes, p.classes);
    let mut out = vec![];
    for b in 0..p.batch {
        let mut candidates: Vec<(f32, usize, usize)> = (0..n)
            .flat_map(|i| (0..c).map(move |k| (i, k)))
            .filter_map(|(i, k)| {
                let s = scores[(b * n + i) * c + k];
                (s > p.score_threshold).then_some((s, k, i))
            })
            .collect();
        candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
        candidates.truncate(p.top_k);
        let mut kept: Vec<Vec<[f32; 4]>> = vec![vec![]; c];
        for (_, k, i) in candidates {
            if kept[k].len() as i64 >= p.max_per_class {
                continue;
            }
            let at = if p.per_class_boxes { ((b * n + i) * c + k) * 4 } else { (b * n + i) * 4 };
            let bx = corners(&boxes[at..at + 4], p.format);
            if kept[k].iter().all(|other| iou(&bx, other) <= p.iou_threshold) {
                kept[k].push(bx);
                out.push([b as i32, k as i32, i as i32]);
            }
        }
    }
    out
}

impl NMS {
    /// The problem for known input shapes and the scalar inputs' values.
    pub fn problem(&self, boxes: &[i64], scores: &[i64], max_per_class: i64, iou: f32, score: f32) -> Result<NmsProblem> {
        if !(0.0..=1.0).contains(&iou) {
            return Err(Error::invalid_argument(format!("the IoU threshold {iou} is outside [0, 1]")));
        }
        Ok(NmsProblem {
            batch: scores[0] as usize,
            boxes: scores[1] as usize,
            classes: scores[2] as usize,
            per_class_boxes: boxes.len() == 4,
            format: self.bounding_box_format,
            top_k: self.top_k_box_limit.max(0) as usize,
            max_per_class,
            iou_threshold: iou,
            score_threshold: score,
        })
    }
}

/// A 0-D input's single value, or the default when it is absent.
fn scalar(inputs: &[Option<TensorIn>], i: usize, default: f32) -> f32 {
    inputs.get(i).and_then(|x| x.as_ref()).and_then(|x| x.f32().first().copied()).unwrap_or(default)
}

impl Layer for NMS {
    fn infer(&self, cx: &mut InferCx, inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        let (boxes, scores, max) = (input(inputs, 0)?, input(inputs, 1)?, input(inputs, 2)?);
        check_type("the NMS boxes", boxes.dtype, FLOATS)?;
        check_type("the NMS scores", scores.dtype, &[boxes.dtype])?;
        check_type("MaxOutputBoxesPerClass", max.dtype, &[DataType::Int32])?;
        if !(CORNER_PAIRS..=CENTER_SIZES).contains(&self.bounding_box_format) || self.top_k_box_limit < 1 {
            return Err(Error::invalid_argument(format!(
                "NMS: unknown bounding box format {} or a TopK limit {} below 1",
                self.bounding_box_format, self.top_k_box_limit
            )));
        }
        if scores.dims.len() != 3 || !(boxes.dims.len() == 3 || boxes.dims.len() == 4) || !max.dims.is_empty() {
            return Err(Error::invalid_argument(
                "NMS takes boxes [B, N, 4] or [B, N, C, 4], scores [B, N, C] and a 0-D MaxOutputBoxesPerClass",
            ));
        }
        for (i, name) in [(3, "IoUThreshold"), (4, "ScoreThreshold")] {
            if let Some(t) = inputs.get(i).and_then(|x| x.as_ref()) {
                if t.dtype != DataType::Float || !t.dims.is_empty() {
                    return Err(Error::invalid_argument(format!("NMS input {i} ({name}) must be a 0-D kFLOAT tensor")));
                }
            }
        }
        let what = || "NMS boxes and scores disagree".to_string();
        let b = cx.g.assert_eq(boxes.dims[0], scores.dims[0], what)?;
        let n = cx.g.assert_eq(boxes.dims[1], scores.dims[1], what)?;
        let four = cx.g.constant(4);
        cx.g.assert_eq(boxes.dims[boxes.dims.len() - 1], four, || "NMS boxes have 4 coordinates".to_string())?;
        if boxes.dims.len() == 4 {
            cx.g.assert_eq(boxes.dims[2], scores.dims[2], what)?;
        }
        let pairs = cx.g.mul(n, scores.dims[2])?;
        let top_k = cx.g.constant(self.top_k_box_limit as i64);
        let per_batch = cx.g.op(BinOp::Min, pairs, top_k)?;
        let bound = cx.g.mul(b, per_batch)?;
        let count = cx.data_dependent(0, bound);
        let three = cx.g.constant(3);
        Ok(vec![InferOut::new(DataType::Int32, vec![count, three]), InferOut::new(DataType::Int32, vec![])])
    }

    fn run_cpu(&self, cx: &mut CpuCx, inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let (boxes, scores, max) = (host_input(inputs, 0)?, host_input(inputs, 1)?, host_input(inputs, 2)?);
        let max_per_class = max.i64().first().copied().unwrap_or(0);
        let p = self.problem(boxes.dims, scores.dims, max_per_class, scalar(inputs, 3, 0.0), scalar(inputs, 4, 0.0))?;
        let selected = select(&p, &boxes.f32(), &scores.f32());
        write_outputs(&selected, outputs)?;
        cx.counts.push((0, selected.len() as i64));
        Ok(())
    }

    fn add_batch_axis(&mut self) -> Result<()> {
        Err(super::explicit_batch_only("INMSLayer"))
    }
    any_impls!();
}

/// The triples into output 0 (sized for the bound) and their count into output 1.
pub fn write_outputs(selected: &[[i32; 3]], outputs: &mut [TensorOut]) -> Result<()> {
    let flat: Vec<i64> = selected.iter().flatten().map(|&v| v as i64).collect();
    if flat.len() * 4 > outputs[0].bytes.len() || outputs[1].bytes.len() < 4 {
        return Err(Error::internal("the NMS outputs are smaller than their bound"));
    }
    crate::host::encode_i64(DataType::Int32, &flat, &mut outputs[0].bytes[..flat.len() * 4]);
    crate::host::encode_i64(DataType::Int32, &[selected.len() as i64], &mut outputs[1].bytes[..4]);
    Ok(())
}
