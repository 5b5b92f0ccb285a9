//! C ABI: builder and builder configuration.

use super::network::NvtNetwork;
use super::{copy_out, cstr, destroy, run, slice, with, NvtHostMemory, Reports};
use crate::backend::cuda;
use crate::builder::build_serialized;
use crate::builder::config::{BuilderConfig, OptimizationProfile};
use crate::error::Error;
use crate::ir::Network;
use crate::log::{NvtErrorRecorder, NvtLogger, Reporter};
use crate::types::ProfileSelector;
use std::ffi::c_char;
use std::ptr::null_mut;

pub struct NvtBuilder {
    reporter: Reporter,
    /// IBuilder::setMaxBatchSize.
    max_batch_size: i32,
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
    run(&reporter.clone(), "createInferBuilder", null_mut(), || Ok(Box::into_raw(Box::new(NvtBuilder { reporter, max_batch_size: 1 }))))
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

/// `flags` are NetworkDefinitionCreationFlags: without kEXPLICIT_BATCH (bit 0) the network
/// has an implicit batch dimension (TensorRT's deprecated mode).
#[no_mangle]
pub unsafe extern "C" fn nvt_builder_create_network(b: *mut NvtBuilder, flags: u32) -> *mut NvtNetwork {
    with(b, "IBuilder::createNetworkV2", null_mut(), |b| {
        // kEXPLICIT_BATCH (bit 0) and the deprecated kEXPLICIT_PRECISION (bit 1, no effect).
        if flags & !3 != 0 {
            return Err(Error::invalid_argument(format!("unknown NetworkDefinitionCreationFlags {flags:#x}")));
        }
        let network = if flags & 1 == 0 { Network::new_implicit_batch() } else { Network::new() };
        let mut n = NvtNetwork::new(b.reporter.child(), network);
        n.explicit_precision = flags & 2 != 0;
        Ok(Box::into_raw(Box::new(n)))
    })
}

/// IBuilder::setMaxBatchSize (implicit-batch networks only).
#[no_mangle]
pub unsafe extern "C" fn nvt_builder_set_max_batch_size(b: *mut NvtBuilder, batch: i32) {
    with(b, "IBuilder::setMaxBatchSize", (), |b| {
        if batch < 1 {
            return Err(Error::invalid_argument(format!("the maximum batch size {batch} must be at least 1")));
        }
        b.max_batch_size = batch;
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_builder_max_batch_size(b: *mut NvtBuilder) -> i32 {
    with(b, "IBuilder::getMaxBatchSize", 1, |b| Ok(b.max_batch_size))
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
        let mut config = config.config.clone();
        config.max_batch_size = b.max_batch_size as i64;
        let bytes = build_serialized(&net.network, &config, &b.reporter)?;
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

// ---- optimization profiles ----

/// IOptimizationProfile (owned by the builder that created it).
pub struct NvtProfile {
    reporter: Reporter,
    pub profile: OptimizationProfile,
}

impl Reports for NvtProfile {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}

#[no_mangle]
pub unsafe extern "C" fn nvt_builder_create_profile(b: *mut NvtBuilder) -> *mut NvtProfile {
    with(b, "IBuilder::createOptimizationProfile", null_mut(), |b| {
        Ok(Box::into_raw(Box::new(NvtProfile { reporter: b.reporter.child(), profile: OptimizationProfile::new() })))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_profile_destroy(p: *mut NvtProfile) {
    destroy(p)
}

/// Sets kMIN / kOPT / kMAX dims (`selector` is an OptProfileSelector) of input `name`.
#[no_mangle]
pub unsafe extern "C" fn nvt_profile_set_dims(
    p: *mut NvtProfile,
    name: *const c_char,
    selector: i32,
    dims: *const i64,
    nb_dims: i32,
) -> bool {
    with(p, "IOptimizationProfile::setDimensions", false, |p| {
        let sel = ProfileSelector::from_i32(selector)?;
        p.profile.set_dimensions(cstr(name, "input name")?, sel, slice(dims, nb_dims as i64, "dims")?).map(|_| true)
    })
}

/// Writes the dims set for `name` and `selector`; returns the rank, or -1 if none are set.
#[no_mangle]
pub unsafe extern "C" fn nvt_profile_get_dims(p: *mut NvtProfile, name: *const c_char, selector: i32, out: *mut i64, capacity: i32) -> i32 {
    with(p, "IOptimizationProfile::getDimensions", -1, |p| {
        let sel = ProfileSelector::from_i32(selector)?;
        Ok(p.profile.dimensions(cstr(name, "input name")?, sel).map(|d| copy_out(d, out, capacity)).unwrap_or(-1))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_profile_set_values(
    p: *mut NvtProfile,
    name: *const c_char,
    selector: i32,
    values: *const i32,
    nb_values: i32,
) -> bool {
    with(p, "IOptimizationProfile::setShapeValues", false, |p| {
        let sel = ProfileSelector::from_i32(selector)?;
        p.profile.set_shape_values(cstr(name, "input name")?, sel, slice(values, nb_values as i64, "values")?).map(|_| true)
    })
}

/// The number of shape values set for `name`, or -1 if none.
#[no_mangle]
pub unsafe extern "C" fn nvt_profile_nb_values(p: *mut NvtProfile, name: *const c_char) -> i32 {
    with(p, "IOptimizationProfile::getNbShapeValues", -1, |p| {
        let name = cstr(name, "input name")?;
        Ok(p.profile.inputs.get(name).and_then(|e| e.values.iter().flatten().next()).map(|v| v.len() as i32).unwrap_or(-1))
    })
}

/// The shape values for `name` and `selector` (valid while the profile is unchanged), or null.
#[no_mangle]
pub unsafe extern "C" fn nvt_profile_get_values(p: *mut NvtProfile, name: *const c_char, selector: i32) -> *const i32 {
    with(p, "IOptimizationProfile::getShapeValues", std::ptr::null(), |p| {
        let sel = ProfileSelector::from_i32(selector)?;
        Ok(p.profile.shape_values(cstr(name, "input name")?, sel).map(|v| v.as_ptr()).unwrap_or(std::ptr::null()))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_profile_set_extra_memory_target(p: *mut NvtProfile, target: f32) -> bool {
    with(p, "IOptimizationProfile::setExtraMemoryTarget", false, |p| {
        if !(target >= 0.0) {
            return Err(Error::invalid_argument(format!("extra memory target {target} must not be negative")));
        }
        p.profile.extra_memory_target = target;
        Ok(true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_profile_extra_memory_target(p: *mut NvtProfile) -> f32 {
    with(p, "IOptimizationProfile::getExtraMemoryTarget", 0.0, |p| Ok(p.profile.extra_memory_target))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_profile_is_valid(p: *mut NvtProfile) -> bool {
    with(p, "IOptimizationProfile::isValid", false, |p| Ok(p.profile.is_valid()))
}

/// Adds a copy of the profile to the config; returns its index or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_config_add_profile(c: *mut NvtConfig, p: *const NvtProfile) -> i32 {
    with(c, "IBuilderConfig::addOptimizationProfile", -1, |c| {
        let p = p.as_ref().ok_or_else(|| Error::invalid_argument("the profile is null"))?;
        Ok(c.config.add_profile(&p.profile)? as i32)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_config_nb_profiles(c: *mut NvtConfig) -> i32 {
    with(c, "IBuilderConfig::getNbOptimizationProfiles", 0, |c| Ok(c.config.profiles.len() as i32))
}
