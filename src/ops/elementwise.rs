//! Binary elementwise operation with broadcasting (IElementWiseLayer).

use super::{launch, unknown_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::{CudaLayer, DevicePtr, Kernel, RawStream, Scratch};
use crate::error::{Error, Result};
use crate::types::{dims_str, strides, volume, LayerType, MAX_DIMS};

/// nvinfer1::ElementWiseOperation values implemented here (kSUM .. kFLOOR_DIV).
pub const SUM: i32 = 0;
pub const PROD: i32 = 1;
pub const SUB: i32 = 4;
pub const DIV: i32 = 5;
const LAST_ARITHMETIC: i32 = 7;

#[derive(Clone, PartialEq, prost::Message)]
pub struct ElementWise {
    #[prost(int32, tag = "1")]
    pub operation: i32,
}

impl ElementWise {
    pub fn new(operation: i32) -> ElementWise {
        ElementWise { operation }
    }
}

/// The reference formula; `kernels/elementwise.cu` mirrors it.
pub fn apply(op: i32, p: f32, q: f32) -> f32 {
    match op {
        0 => p + q,
        1 => p * q,
        2 => p.max(q),
        3 => p.min(q),
        4 => p - q,
        5 => p / q,
        6 => p.powf(q),
        7 => (p / q).floor(),
        _ => p,
    }
}

/// Broadcast geometry; mirrors `Broadcast` in kernels/elementwise.cu.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
struct Broadcast {
    out_dims: [i64; MAX_DIMS],
    a_strides: [i64; MAX_DIMS],
    b_strides: [i64; MAX_DIMS],
    rank: i32,
}

/// Strides of `dims` read as `out`: 0 where a size-1 dimension is broadcast.
fn broadcast_strides(dims: &[i64], out: &[i64]) -> Vec<i64> {
    strides(dims).iter().zip(dims.iter().zip(out)).map(|(&s, (&d, &o))| if d == 1 && o != 1 { 0 } else { s }).collect()
}

fn broadcast(a: &[i64], b: &[i64], out: &[i64]) -> Broadcast {
    let mut d = Broadcast { rank: out.len() as i32, ..Default::default() };
    let (sa, sb) = (broadcast_strides(a, out), broadcast_strides(b, out));
    let n = out.len();
    d.out_dims[..n].copy_from_slice(out);
    d.a_strides[..n].copy_from_slice(&sa);
    d.b_strides[..n].copy_from_slice(&sb);
    d
}

impl Op for ElementWise {
    fn kind(&self) -> &'static str {
        "ElementWise"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::ElementWise
    }
    fn input_count(&self) -> (usize, usize) {
        (2, 2)
    }
    fn infer(&self, inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        if !(0..=LAST_ARITHMETIC).contains(&self.operation) {
            return Err(Error::unsupported(format!("elementwise operation {} is not implemented (only kSUM..kFLOOR_DIV)", self.operation)));
        }
        let (a, b) = (inputs[0], inputs[1]);
        if a.len() != b.len() {
            return Err(Error::invalid_argument(format!(
                "elementwise inputs must have the same rank: {} and {}",
                dims_str(a),
                dims_str(b)
            )));
        }
        let mut out = Vec::with_capacity(a.len());
        for (&x, &y) in a.iter().zip(b) {
            out.push(match (x, y) {
                _ if x == y => x,
                (1, _) => y,
                (_, 1) => x,
                _ if x < 0 || y < 0 => -1,
                _ => {
                    return Err(Error::invalid_argument(format!(
                        "elementwise inputs {} and {} cannot be broadcast",
                        dims_str(a),
                        dims_str(b)
                    )))
                }
            });
        }
        Ok(vec![out])
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        match key {
            "operation" => self.operation = value.int(key)? as i32,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        (key == "operation").then(|| Param::Ints(vec![self.operation as i64]))
    }
    fn run_cpu(&self, inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        let out_dims = &self.infer(&[inputs[0].dims, inputs[1].dims])?[0];
        let d = broadcast(inputs[0].dims, inputs[1].dims, out_dims);
        let rank = out_dims.len();
        for (i, y) in outputs[0].iter_mut().enumerate() {
            let (mut rem, mut ai, mut bi) = (i as i64, 0i64, 0i64);
            for k in (0..rank).rev() {
                let c = rem % d.out_dims[k];
                rem /= d.out_dims[k];
                ai += c * d.a_strides[k];
                bi += c * d.b_strides[k];
            }
            *y = apply(self.operation, inputs[0].data[ai as usize], inputs[1].data[bi as usize]);
        }
        Ok(())
    }
    fn cuda_kernel_files(&self, _tactic: &str) -> Vec<&'static str> {
        vec!["elementwise"]
    }
    fn prepare_cuda(&self, _tactic: &str, prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        let s = prep.shapes;
        Ok(Box::new(ElementWiseCuda {
            kernel: prep.kernels.function("elementwise", "elementwise_f32")?,
            n: volume(&s.outputs[0]).unwrap_or(0),
            operation: self.operation,
            desc: broadcast(&s.inputs[0], &s.inputs[1], &s.outputs[0]),
        }))
    }
}

struct ElementWiseCuda {
    kernel: Kernel,
    n: usize,
    operation: i32,
    desc: Broadcast,
}

impl CudaLayer for ElementWiseCuda {
    fn enqueue(&self, stream: RawStream, inputs: &[DevicePtr], outputs: &[DevicePtr], _: &Scratch) -> Result<()> {
        let n = self.n as i64;
        let mut args = [
            launch::arg(&inputs[0]),
            launch::arg(&inputs[1]),
            launch::arg(&outputs[0]),
            launch::arg(&n),
            launch::arg(&self.operation),
            launch::arg(&self.desc),
        ];
        self.kernel.launch(launch::grid(self.n), launch::BLOCK, stream, &mut args)
    }
}
