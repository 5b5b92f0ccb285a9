//! C ABI: builder and builder configuration.

use super::network::NvtNetwork;
use super::{destroy, run, with, NvtHostMemory, Reports};
use crate::backend::cuda;
use crate::builder::{build_serialized, config::BuilderConfig};
use crate::error::Error;
use crate::log::{NvtErrorRecorder, NvtLogger, Reporter};
use std::ptr::null_mut;

pub struct NvtBuilder {
    reporter: Reporter,
}

pub struct NvtConfig {
    reporter: Reporter,
    pub config: BuilderConfig,
}

impl Reports for NvtBuilder {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}
impl Reports for NvtConfig {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}

#[no_mangle]
pub extern "C" fn nvt_builder_create(logger: NvtLogger) -> *mut NvtBuilder {
    let reporter = Reporter::new(logger);
    run(&reporter.clone(), "createInferBuilder", null_mut(), || Ok(Box::into_raw(Box::new(NvtBuilder { reporter }))))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_builder_destroy(b: *mut NvtBuilder) {
    destroy(b)
}

#[no_mangle]
pub unsafe extern "C" fn nvt_builder_set_error_recorder(b: *mut NvtBuilder, recorder: NvtErrorRecorder) {
    with(b, "IBuilder::setErrorRecorder", (), |b| super::install_recorder(&b.reporter, recorder))
}

/// Whether FP16 arithmetic is fast here (a CUDA device of compute capability 5.3 or newer).
#[no_mangle]
pub unsafe extern "C" fn nvt_builder_platform_has_fast_fp16(b: *mut NvtBuilder) -> bool {
    with(b, "IBuilder::platformHasFastFp16", false, |_| Ok(cuda::device().map(|d| d.sm >= (5, 3)).unwrap_or(false)))
}

/// Whether TF32 tensor cores exist here (compute capability 8.0 or newer).
#[no_mangle]
pub unsafe extern "C" fn nvt_builder_platform_has_tf32(b: *mut NvtBuilder) -> bool {
    with(b, "IBuilder::platformHasTf32", false, |_| Ok(cuda::device().map(|d| d.sm >= (8, 0)).unwrap_or(false)))
}

/// `flags` are NetworkDefinitionCreationFlags; implicit batch (no kEXPLICIT_BATCH) is refused.
#[no_mangle]
pub unsafe extern "C" fn nvt_builder_create_network(b: *mut NvtBuilder, flags: u32) -> *mut NvtNetwork {
    with(b, "IBuilder::createNetworkV2", null_mut(), |b| {
        if flags & 1 == 0 {
            return Err(Error::unsupported(
                "implicit-batch networks are not supported: pass 1 << NetworkDefinitionCreationFlag::kEXPLICIT_BATCH",
            ));
        }
        Ok(Box::into_raw(Box::new(NvtNetwork::new(b.reporter.child()))))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_builder_create_config(b: *mut NvtBuilder) -> *mut NvtConfig {
    with(b, "IBuilder::createBuilderConfig", null_mut(), |b| {
        Ok(Box::into_raw(Box::new(NvtConfig { reporter: b.reporter.child(), config: BuilderConfig::default() })))
    })
}

/// Optimizes the network for this machine and returns the serialized plan, or null.
#[no_mangle]
pub unsafe extern "C" fn nvt_builder_build_serialized(
    b: *mut NvtBuilder,
    net: *mut NvtNetwork,
    config: *mut NvtConfig,
) -> *mut NvtHostMemory {
    with(b, "IBuilder::buildSerializedNetwork", null_mut(), |b| {
        let net = net.as_mut().ok_or_else(|| Error::invalid_argument("the network is null"))?;
        let config = config.as_ref().ok_or_else(|| Error::invalid_argument("the builder config is null"))?;
        net.network.infer_shapes()?;
        let bytes = build_serialized(&net.network, &config.config, &b.reporter)?;
        Ok(Box::into_raw(Box::new(NvtHostMemory { bytes })))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_config_destroy(c: *mut NvtConfig) {
    destroy(c)
}

/// Sets or clears one BuilderFlag.
#[no_mangle]
pub unsafe extern "C" fn nvt_config_set_flag(c: *mut NvtConfig, flag: i32, on: bool) {
    with(c, "IBuilderConfig::setFlag", (), |c| {
        if !(0..18).contains(&flag) {
            return Err(Error::invalid_argument(format!("unknown BuilderFlag {flag}")));
        }
        c.config.set_flag(flag as u32, on);
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_config_get_flags(c: *mut NvtConfig) -> u32 {
    with(c, "IBuilderConfig::getFlags", 0, |c| Ok(c.config.flags))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_config_set_flags(c: *mut NvtConfig, flags: u32) {
    with(c, "IBuilderConfig::setFlags", (), |c| {
        c.config.flags = flags;
        Ok(())
    })
}

/// Sets a MemoryPoolType's limit in bytes.
#[no_mangle]
pub unsafe extern "C" fn nvt_config_set_memory_pool_limit(c: *mut NvtConfig, pool: i32, bytes: u64) {
    with(c, "IBuilderConfig::setMemoryPoolLimit", (), |c| {
        let slot =
            c.config.pool_limits.get_mut(pool as usize).ok_or_else(|| Error::invalid_argument(format!("unknown MemoryPoolType {pool}")))?;
        *slot = bytes;
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_config_get_memory_pool_limit(c: *mut NvtConfig, pool: i32) -> u64 {
    with(c, "IBuilderConfig::getMemoryPoolLimit", 0, |c| {
        let limit =
            c.config.pool_limits.get(pool as usize).ok_or_else(|| Error::invalid_argument(format!("unknown MemoryPoolType {pool}")))?;
        // "No limit" reads back as the device's memory, as TensorRT reports it.
        Ok(if *limit == u64::MAX { cuda::device().map(|d| d.total_memory as u64).unwrap_or(*limit) } else { *limit })
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_config_set_avg_timing_iterations(c: *mut NvtConfig, n: i32) {
    with(c, "IBuilderConfig::setAvgTimingIterations", (), |c| {
        c.config.avg_timing_iterations = n.max(1);
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_config_get_avg_timing_iterations(c: *mut NvtConfig) -> i32 {
    with(c, "IBuilderConfig::getAvgTimingIterations", 0, |c| Ok(c.config.avg_timing_iterations))
}
