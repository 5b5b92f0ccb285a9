//! Constant tensor (IConstantLayer). The runtime binds its values once; it never runs.

use super::generated::Constant;
use super::{any_impls, CpuCx, InferCx, InferIn, InferOut, Layer, MAX_SHAPE_VALUES};
use crate::error::{Error, Result};
use crate::host::{TensorIn, TensorOut};
use crate::types::{dims_str, volume, DataType, MAX_DIMS};
use crate::weights::Weights;

impl Constant {
    pub fn of(dims: Vec<i64>, weights: Weights) -> Constant {
        Constant { dims, weights: Some(weights) }
    }

    pub fn values(&self) -> &Weights {
        static EMPTY: std::sync::OnceLock<Weights> = std::sync::OnceLock::new();
        self.weights.as_ref().unwrap_or_else(|| EMPTY.get_or_init(Weights::default))
    }
}

impl Layer for Constant {
    fn infer(&self, cx: &mut InferCx, _inputs: &[Option<InferIn>]) -> Result<Vec<InferOut>> {
        if self.dims.len() > MAX_DIMS || self.dims.iter().any(|&d| d < 0) {
            return Err(Error::invalid_argument(format!("constant dims {} are not a valid static shape", dims_str(&self.dims))));
        }
        let w = self.values();
        let dtype = w.data_type()?;
        let count = w.count()?;
        match volume(&self.dims) {
            Some(n) if n == count => {}
            Some(n) => {
                return Err(Error::invalid_argument(format!(
                    "a constant of shape {} needs {n} values; the weights have {count}",
                    dims_str(&self.dims)
                )))
            }
            None => return Err(Error::invalid_argument(format!("a constant of shape {} has too many elements", dims_str(&self.dims)))),
        }
        let mut out = InferOut::new(dtype, cx.g.constants(&self.dims));
        if dtype == DataType::Int32 && self.dims.len() <= 1 && count <= MAX_SHAPE_VALUES {
            out.values = Some(cx.g.constants(&w.to_i64()?));
        }
        Ok(vec![out])
    }
    fn run_cpu(&self, _cx: &mut CpuCx, _inputs: &[Option<TensorIn>], outputs: &mut [TensorOut]) -> Result<()> {
        let v = &self.values().values;
        let n = outputs[0].bytes.len().min(v.len());
        outputs[0].bytes[..n].copy_from_slice(&v[..n]);
        Ok(())
    }
    fn constant(&self) -> Option<(&[i64], &Weights)> {
        Some((&self.dims, self.values()))
    }
    fn add_batch_axis(&mut self) -> Result<()> {
        // Broadcast over the batch.
        self.dims.insert(0, 1);
        Ok(())
    }
    any_impls!();
}
