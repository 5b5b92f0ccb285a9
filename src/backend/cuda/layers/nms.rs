//! INMSLayer on GPU engines, staged through the host: the inputs are copied to the host after
//! the stream drained (a data-dependent output needs that wait anyway), the selection of
//! `layers::nms` runs there, and the results are copied back. Correct, not fast: a selection
//! kernel is future work (the performance issue).

use super::{spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::device::synchronize_raw;
use crate::backend::cuda::memory::{download, upload};
use crate::backend::cuda::{DevicePtr, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::host::{decode_f32, encode_i64};
use crate::layers::generated::NMS;
use crate::layers::nms::{select, NmsProblem};
use crate::layers::{Kind, Layer};
use crate::types::{volume, DataType};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

pub struct HostStaged;
pub static HOST_STAGED: HostStaged = HostStaged;

impl Implementation for HostStaged {
    fn kind(&self) -> Kind {
        Kind::NMS
    }
    fn name(&self) -> &'static str {
        "host_staged"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        t.input(0).is_float() && t.input(1) == t.input(0)
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &[]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, _cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let nms: &NMS = spec(op)?;
        Ok(Box::new(Ready { op: nms.clone(), dtype: t.input(0), optional: [t.inputs.get(3).copied().flatten().is_some(), t.inputs.get(4).copied().flatten().is_some()] }))
    }
}

struct Ready {
    op: NMS,
    dtype: DataType,
    /// Whether the IoU and score threshold inputs are connected.
    optional: [bool; 2],
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (boxes, scores) = (s.input(0)?.to_vec(), s.input(1)?.to_vec());
        let size = self.dtype.size_bytes();
        let host = Host {
            boxes: vec![0; volume(&boxes).unwrap_or(0) * size],
            scores: vec![0; volume(&scores).unwrap_or(0) * size],
            out: vec![0; volume(&s.outputs[0]).unwrap_or(0) * 4],
        };
        Ok(Box::new(Run { op: self.op.clone(), dtype: self.dtype, optional: self.optional, boxes, scores, host: Mutex::new(host), last: AtomicI64::new(-1) }))
    }
}

/// Host copies of the inputs and the output, sized at bind time.
struct Host {
    boxes: Vec<u8>,
    scores: Vec<u8>,
    out: Vec<u8>,
}

struct Run {
    op: NMS,
    dtype: DataType,
    optional: [bool; 2],
    boxes: Vec<i64>,
    scores: Vec<i64>,
    host: Mutex<Host>,
    last: AtomicI64,
}

fn scalar(ptr: DevicePtr, dtype: DataType) -> Result<f32> {
    let mut b = [0u8; 4];
    download(ptr, &mut b)?;
    Ok(if dtype == DataType::Int32 { i32::from_le_bytes(b) as f32 } else { f32::from_le_bytes(b) })
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        synchronize_raw(stream)?;
        let mut host = self.host.lock().map_err(|_| Error::internal("NMS host buffers poisoned"))?;
        let Host { boxes, scores, out } = &mut *host;
        download(inputs[0], boxes)?;
        download(inputs[1], scores)?;
        let max_per_class = scalar(inputs[2], DataType::Int32)? as i64;
        let iou = if self.optional[0] { scalar(inputs[3], DataType::Float)? } else { 0.0 };
        let score = if self.optional[1] { scalar(inputs[4], DataType::Float)? } else { 0.0 };
        let p: NmsProblem = self.op.problem(&self.boxes, &self.scores, max_per_class, iou, score)?;
        let selected = select(&p, &decode_f32(self.dtype, boxes), &decode_f32(self.dtype, scores));
        let flat: Vec<i64> = selected.iter().flatten().map(|&v| v as i64).collect();
        let bytes = flat.len() * 4;
        if bytes > out.len() {
            return Err(Error::internal("the NMS selection exceeds its bound"));
        }
        encode_i64(DataType::Int32, &flat, &mut out[..bytes]);
        upload(outputs[0], &out[..bytes])?;
        upload(outputs[1], &(selected.len() as i32).to_le_bytes())?;
        self.last.store(selected.len() as i64, Ordering::Relaxed);
        Ok(())
    }

    fn count(&self, output: usize) -> Option<i64> {
        let n = self.last.load(Ordering::Relaxed);
        (output == 0 && n >= 0).then_some(n)
    }
}
