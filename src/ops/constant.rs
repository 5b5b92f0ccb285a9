//! Constant tensor (IConstantLayer). The runtime binds its values directly; it never runs.

use super::{unknown_param, CudaPrep, HostIn, Op, Param};
use crate::backend::cuda::CudaLayer;
use crate::error::{Error, Result};
use crate::types::{dims_str, volume, LayerType};

#[derive(Clone, PartialEq, prost::Message)]
pub struct Constant {
    #[prost(int64, repeated, tag = "1")]
    pub dims: Vec<i64>,
    #[prost(float, repeated, tag = "2")]
    pub values: Vec<f32>,
}

impl Constant {
    pub fn new(dims: Vec<i64>, values: Vec<f32>) -> Constant {
        Constant { dims, values }
    }
}

impl Op for Constant {
    fn kind(&self) -> &'static str {
        "Constant"
    }
    fn layer_type(&self) -> LayerType {
        LayerType::Constant
    }
    fn input_count(&self) -> (usize, usize) {
        (0, 0)
    }
    fn infer(&self, _inputs: &[&[i64]]) -> Result<Vec<Vec<i64>>> {
        match volume(&self.dims) {
            Some(n) if n == self.values.len() => Ok(vec![self.dims.clone()]),
            _ => Err(Error::invalid_argument(format!(
                "constant of shape {} needs {} values, has {}",
                dims_str(&self.dims),
                volume(&self.dims).map(|v| v.to_string()).unwrap_or("a known number of".into()),
                self.values.len()
            ))),
        }
    }
    fn set_param(&mut self, key: &str, value: Param) -> Result<()> {
        match key {
            "dims" => self.dims = value.ints(key)?.to_vec(),
            "weights" => self.values = value.weights(key)?,
            _ => return Err(unknown_param(self.kind(), key)),
        }
        Ok(())
    }
    fn param(&self, key: &str) -> Option<Param> {
        Some(match key {
            "dims" => Param::Ints(self.dims.clone()),
            "weights" => Param::Weights(self.values.clone()),
            _ => return None,
        })
    }
    fn run_cpu(&self, _inputs: &[HostIn<'_>], outputs: &mut [Vec<f32>]) -> Result<()> {
        outputs[0].copy_from_slice(&self.values);
        Ok(())
    }
    fn prepare_cuda(&self, _tactic: &str, _prep: &CudaPrep<'_>) -> Result<Box<dyn CudaLayer>> {
        Err(Error::internal("constant layers are bound, not run"))
    }
    fn constant_value(&self) -> Option<&[f32]> {
        Some(&self.values)
    }
}
