//! IScatterLayer on the GPU: the data is copied to the output, then one kernel writes each
//! update where its index says (updates whose index stays outside are dropped).

use super::gather::nd_descriptor;
use super::{geom, launch, sized, sized_kernel, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::{NdIndexDesc, TensorGeom};
use crate::backend::cuda::memory::copy_async;
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::Result;
use crate::layers::gather::nd_geometry;
use crate::layers::generated::Scatter;
use crate::layers::scatter::ELEMENT;
use crate::layers::{Kind, Layer};
use crate::types::{byte_size, strides, volume, DataType};

pub struct CopyThenWrite;
pub static SCATTER: CopyThenWrite = CopyThenWrite;

impl Implementation for CopyThenWrite {
    fn kind(&self) -> Kind {
        Kind::Scatter
    }
    fn name(&self) -> &'static str {
        "copy-then-write"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        let out = t.outputs[0];
        sized(out) && t.input(0) == out && t.input(2) == out && t.input(1) == DataType::Int32
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["scatter"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let s: &Scatter = spec(op)?;
        let base = if s.mode == ELEMENT { "scatter_element" } else { "scatter_nd" };
        Ok(Box::new(Ready { kernel: sized_kernel(cx.kernels, "scatter", base, t.outputs[0])?, op: s.clone(), dtype: t.outputs[0] }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Scatter,
    dtype: DataType,
}

enum Geometry {
    Element { updates: TensorGeom, data: TensorGeom, axis: i32 },
    Nd(NdIndexDesc),
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (data, indices, updates) = (s.input(0)?, s.input(1)?, s.input(2)?);
        let geometry = if self.op.mode == ELEMENT {
            Geometry::Element { updates: geom(updates, &strides(updates)), data: geom(data, &strides(data)), axis: self.op.axis }
        } else {
            Geometry::Nd(nd_descriptor(&nd_geometry(data, indices, 0)?)?)
        };
        Ok(Box::new(Run {
            kernel: self.kernel,
            n: volume(updates).unwrap_or(0),
            data_bytes: byte_size(data, self.dtype).unwrap_or(0),
            geometry,
        }))
    }
}

struct Run {
    kernel: Kernel,
    /// Updates to write.
    n: usize,
    data_bytes: usize,
    geometry: Geometry,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        copy_async(outputs[0], inputs[0], self.data_bytes, stream)?;
        let n = self.n as i64;
        let (upd, idx, y) = (launch::arg(&inputs[2]), launch::arg(&inputs[1]), launch::arg(&outputs[0]));
        match &self.geometry {
            Geometry::Element { updates, data, axis } => launch::linear(
                &self.kernel,
                self.n,
                stream,
                &mut [upd, idx, y, launch::arg(&n), launch::arg(updates), launch::arg(data), launch::arg(axis)],
            ),
            Geometry::Nd(d) => launch::linear(&self.kernel, self.n, stream, &mut [upd, idx, y, launch::arg(&n), launch::arg(d)]),
        }
    }
}
