//! IGatherLayer on the GPU: one kernel per mode, each output element reading its data
//! element (zero where an index stays outside its axis).

use super::{geom, launch, sized, sized_kernel, spec, Bound, Implementation, PrepareCx, Prepared, Shapes};
use crate::backend::cuda::descriptors::{GatherDesc, NdIndexDesc, TensorGeom};
use crate::backend::cuda::{DevicePtr, Kernel, RawStream, Scratch};
use crate::backend::LayerTypes;
use crate::error::{Error, Result};
use crate::layers::gather::{nd_geometry, NdGeometry, DEFAULT, ELEMENT};
use crate::layers::generated::Gather;
use crate::layers::{Kind, Layer};
use crate::types::{strides, volume, DataType, MAX_DIMS};

pub struct Indexed;
pub static GATHER: Indexed = Indexed;

impl Implementation for Indexed {
    fn kind(&self) -> Kind {
        Kind::Gather
    }
    fn name(&self) -> &'static str {
        "indexed"
    }
    fn supports(&self, _op: &dyn Layer, t: &LayerTypes) -> bool {
        sized(t.outputs[0]) && t.input(0) == t.outputs[0] && t.input(1) == DataType::Int32
    }
    fn kernel_files(&self) -> &'static [&'static str] {
        &["gather"]
    }
    fn prepare(&self, op: &dyn Layer, t: &LayerTypes, cx: &PrepareCx) -> Result<Box<dyn Prepared>> {
        let g: &Gather = spec(op)?;
        let base = match g.mode {
            DEFAULT => "gather_default",
            ELEMENT => "gather_element",
            _ => "gather_nd",
        };
        Ok(Box::new(Ready { kernel: sized_kernel(cx.kernels, "gather", base, t.outputs[0])?, op: g.clone() }))
    }
}

struct Ready {
    kernel: Kernel,
    op: Gather,
}

/// The kernel descriptor of a kND addressing.
pub fn nd_descriptor(g: &NdGeometry) -> Result<NdIndexDesc> {
    let k = g.dims.len();
    if k > MAX_DIMS {
        return Err(Error::internal("kND index tuples longer than 8"));
    }
    let mut d = NdIndexDesc { count: g.count, inner: g.inner, k: k as i32, per_batch: g.per_batch.max(1), batch_stride: g.batch_stride, ..Default::default() };
    d.dims[..k].copy_from_slice(&g.dims);
    d.strides[..k].copy_from_slice(&g.strides);
    Ok(d)
}

/// What the mode's kernel takes besides the pointers and the count.
enum Geometry {
    Default(GatherDesc),
    Element { indices: TensorGeom, data: TensorGeom, axis: i32 },
    Nd(NdIndexDesc),
}

impl Prepared for Ready {
    fn bind(&self, s: &Shapes) -> Result<Box<dyn Bound>> {
        let (data, indices) = (s.input(0)?, s.input(1)?);
        let geometry = match self.op.mode {
            DEFAULT => {
                let g = self.op.default_geometry(data, indices)?;
                Geometry::Default(GatherDesc {
                    batch: g.batch,
                    pre: g.pre,
                    axis: g.axis,
                    count: g.count,
                    post: g.post,
                    data_batch: g.data_batch,
                    indices_batch: g.indices_batch,
                })
            }
            ELEMENT => Geometry::Element { indices: geom(indices, &strides(indices)), data: geom(data, &strides(data)), axis: self.op.axis },
            _ => Geometry::Nd(nd_descriptor(&nd_geometry(data, indices, self.op.nb_elementwise_dims as usize)?)?),
        };
        Ok(Box::new(Run { kernel: self.kernel, n: volume(&s.outputs[0]).unwrap_or(0), geometry }))
    }
}

struct Run {
    kernel: Kernel,
    n: usize,
    geometry: Geometry,
}

impl Bound for Run {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let (x, idx, y) = (launch::arg(&inputs[0]), launch::arg(&inputs[1]), launch::arg(&outputs[0]));
        match &self.geometry {
            Geometry::Default(g) => launch::linear(&self.kernel, self.n, stream, &mut [x, idx, y, launch::arg(&n), launch::arg(g)]),
            Geometry::Element { indices, data, axis } => launch::linear(
                &self.kernel,
                self.n,
                stream,
                &mut [x, idx, y, launch::arg(&n), launch::arg(indices), launch::arg(data), launch::arg(axis)],
            ),
            Geometry::Nd(d) => launch::linear(&self.kernel, self.n, stream, &mut [x, idx, y, launch::arg(&n), launch::arg(d)]),
        }
    }
}
