//! C ABI: network definition, its tensors and its layers. Tensors and layers are named by
//! their index in the network, which never changes.

use super::{copy_out, cstr, destroy, slice, with, Reports};
use crate::error::{Error, Result};
use crate::ir::{LayerId, Network, TensorId};
use crate::layers::{Kind, Param};
use crate::log::{NvtErrorRecorder, Reporter};
use crate::types::DataType;
use crate::weights::Weights;
use std::collections::HashMap;
use std::ffi::{c_char, c_void, CString};
use std::ptr::null;

pub struct NvtNetwork {
    reporter: Reporter,
    pub network: Network,
    /// Weights handed out by nvt_layer_get_weights stay valid while the network lives.
    weights_out: HashMap<(LayerId, String), Weights>,
    /// Strings handed out by nvt_layer_get_string, kept while their value is unchanged.
    strings_out: HashMap<(LayerId, String), CString>,
    /// The network's name (INetworkDefinition::setName).
    pub name: crate::ir::Name,
    /// Created with the deprecated kEXPLICIT_PRECISION flag.
    pub explicit_precision: bool,
    /// INetworkDefinition::setWeightsName: names by the application's weights pointer.
    pub weights_names: HashMap<usize, String>,
}

impl NvtNetwork {
    pub fn new(reporter: Reporter, network: Network) -> NvtNetwork {
        NvtNetwork {
            reporter,
            network,
            weights_out: HashMap::new(),
            strings_out: HashMap::new(),
            name: Default::default(),
            explicit_precision: false,
            weights_names: HashMap::new(),
        }
    }
}

impl Reports for NvtNetwork {
    fn reporter(&self) -> &Reporter {
        &self.reporter
    }
}

pub(super) fn tensor_id(net: &Network, t: i32) -> Result<TensorId> {
    if t < 0 || t as usize >= net.tensors.len() {
        return Err(Error::invalid_argument(format!("tensor {t} does not belong to this network")));
    }
    Ok(t as usize)
}

fn layer_id(net: &Network, l: i32) -> Result<LayerId> {
    if l < 0 || l as usize >= net.layers.len() {
        return Err(Error::invalid_argument(format!("layer {l} does not belong to this network")));
    }
    Ok(l as usize)
}

fn dtype(v: i32) -> Result<DataType> {
    DataType::parse(v, "DataType")
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_destroy(n: *mut NvtNetwork) {
    destroy(n)
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_set_error_recorder(n: *mut NvtNetwork, recorder: NvtErrorRecorder) {
    with(n, "INetworkDefinition::setErrorRecorder", (), |n| super::install_recorder(&n.reporter, recorder))
}

/// Adds a network input; returns its tensor index or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_add_input(
    n: *mut NvtNetwork,
    name: *const c_char,
    data_type: i32,
    dims: *const i64,
    nb_dims: i32,
) -> i32 {
    with(n, "INetworkDefinition::addInput", -1, |n| {
        let name = cstr(name, "name")?;
        let dims = slice(dims, nb_dims as i64, "dims")?;
        Ok(n.network.add_input(name, dtype(data_type)?, dims)? as i32)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_mark_output(n: *mut NvtNetwork, tensor: i32) -> bool {
    with(n, "INetworkDefinition::markOutput", false, |n| {
        let t = tensor_id(&n.network, tensor)?;
        n.network.mark_output(t).map(|_| true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_unmark_output(n: *mut NvtNetwork, tensor: i32) -> bool {
    with(n, "INetworkDefinition::unmarkOutput", false, |n| {
        let t = tensor_id(&n.network, tensor)?;
        n.network.unmark_output(t).map(|_| true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_nb_inputs(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition::getNbInputs", 0, |n| Ok(n.network.inputs.len() as i32))
}

/// Tensor index of input `i`, or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_input(n: *mut NvtNetwork, i: i32) -> i32 {
    with(n, "INetworkDefinition::getInput", -1, |n| {
        n.network.inputs.get(i as usize).map(|&t| t as i32).ok_or_else(|| Error::invalid_argument(format!("no input {i}")))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_nb_outputs(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition::getNbOutputs", 0, |n| Ok(n.network.outputs.len() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_output(n: *mut NvtNetwork, i: i32) -> i32 {
    with(n, "INetworkDefinition::getOutput", -1, |n| {
        n.network.outputs.get(i as usize).map(|&t| t as i32).ok_or_else(|| Error::invalid_argument(format!("no output {i}")))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_nb_layers(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition::getNbLayers", 0, |n| Ok(n.network.layers.len() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_nb_tensors(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition", 0, |n| Ok(n.network.tensors.len() as i32))
}

/// Adds a layer of `kind` ("Convolution", "Activation", ...) with default parameters;
/// returns its index or -1. Set parameters with nvt_layer_set_*, then call
/// nvt_network_finish_layer.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_add_layer(n: *mut NvtNetwork, kind: *const c_char, inputs: *const i32, nb_inputs: i32) -> i32 {
    let what = "INetworkDefinition::add*";
    with(n, what, -1, |n| {
        let kind = cstr(kind, "kind")?;
        let kind = Kind::from_name(kind)
            .filter(|k| k.layer_type().is_some())
            .ok_or_else(|| Error::unsupported(format!("unknown layer kind '{kind}'")))?;
        let ids = slice(inputs, nb_inputs as i64, "inputs")?.iter().map(|&t| tensor_id(&n.network, t)).collect::<Result<Vec<_>>>()?;
        // Defaults may not describe a valid layer yet (a convolution without weights), so
        // shapes are checked by nvt_network_finish_layer after the parameters are set.
        Ok(n.network.add_layer_deferred(kind.create(), &ids)? as i32)
    })
}

/// Checks the layer added last, once its parameters are set; on failure it is removed and
/// false returned (TensorRT's add* methods then return null).
#[no_mangle]
pub unsafe extern "C" fn nvt_network_finish_layer(n: *mut NvtNetwork) -> bool {
    with(n, "INetworkDefinition::add*", false, |n| n.network.finish_last_layer().map(|_| true))
}

// ---- tensors ----

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_name(n: *mut NvtNetwork, t: i32) -> *const c_char {
    with(n, "ITensor::getName", null(), |n| Ok(n.network.tensor(tensor_id(&n.network, t)?)?.name.as_ptr()))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_set_name(n: *mut NvtNetwork, t: i32, name: *const c_char) {
    with(n, "ITensor::setName", (), |n| {
        let id = tensor_id(&n.network, t)?;
        n.network.set_tensor_name(id, cstr(name, "name")?)
    })
}

/// INetworkDefinition::hasImplicitBatchDimension.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_has_implicit_batch(n: *mut NvtNetwork) -> bool {
    with(n, "INetworkDefinition::hasImplicitBatchDimension", false, |n| Ok(n.network.implicit_batch))
}

/// Writes up to `capacity` dimensions into `out` (-1 where known only at run time); returns
/// the rank, or -1 if the shape cannot be inferred (the reason is reported).
#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_dims(n: *mut NvtNetwork, t: i32, out: *mut i64, capacity: i32) -> i32 {
    with(n, "ITensor::getDimensions", -1, |n| {
        let id = tensor_id(&n.network, t)?;
        n.network.ensure_inferred();
        if let Some((p, _)) = n.network.tensors[id].producer {
            if let Some(e) = &n.network.layers[p].error {
                return Err(e.clone());
            }
        }
        Ok(copy_out(&n.network.api_dims(id), out, capacity))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_set_dims(n: *mut NvtNetwork, t: i32, dims: *const i64, nb_dims: i32) {
    with(n, "ITensor::setDimensions", (), |n| {
        let id = tensor_id(&n.network, t)?;
        n.network.set_input_dims(id, slice(dims, nb_dims as i64, "dims")?)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_type(n: *mut NvtNetwork, t: i32) -> i32 {
    with(n, "ITensor::getType", 0, |n| {
        let id = tensor_id(&n.network, t)?;
        n.network.ensure_inferred();
        Ok(n.network.tensors[id].dtype as i32)
    })
}

/// ITensor::setType: an input's type or an output's delivered type; returns whether the
/// tensor is one of those (TensorRT leaves other tensors' types unchanged).
#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_set_type(n: *mut NvtNetwork, t: i32, data_type: i32) -> bool {
    with(n, "ITensor::setType", false, |n| {
        let id = tensor_id(&n.network, t)?;
        n.network.set_tensor_type(id, dtype(data_type)?)
    })
}

/// Whether the tensor is a shape tensor (read by a layer as shape information).
#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_is_shape(n: *mut NvtNetwork, t: i32) -> bool {
    with(n, "ITensor::isShapeTensor", false, |n| {
        let id = tensor_id(&n.network, t)?;
        Ok(n.network.shape_tensors()[id])
    })
}

/// ITensor::setDynamicRange; returns false for an invalid range.
#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_set_dynamic_range(n: *mut NvtNetwork, t: i32, min: f32, max: f32, set: bool) -> bool {
    with(n, "ITensor::setDynamicRange", false, |n| {
        let id = tensor_id(&n.network, t)?;
        if set && !(min <= max && min.is_finite() && max.is_finite()) {
            return Err(Error::invalid_argument(format!("dynamic range [{min}, {max}] is not a valid range")));
        }
        n.network.tensors[id].dynamic_range = set.then_some((min, max));
        Ok(true)
    })
}

/// The dynamic range into `out[0..2]`; false if none is set.
#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_dynamic_range(n: *mut NvtNetwork, t: i32, out: *mut f32) -> bool {
    with(n, "ITensor::getDynamicRange", false, |n| {
        let id = tensor_id(&n.network, t)?;
        match (n.network.tensors[id].dynamic_range, out.is_null()) {
            (Some((a, b)), false) => {
                *out = a;
                *out.add(1) = b;
                Ok(true)
            }
            (r, _) => Ok(r.is_some()),
        }
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_set_allowed_formats(n: *mut NvtNetwork, t: i32, formats: u32) {
    with(n, "ITensor::setAllowedFormats", (), |n| {
        let id = tensor_id(&n.network, t)?;
        n.network.tensors[id].allowed_formats = formats;
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_allowed_formats(n: *mut NvtNetwork, t: i32) -> u32 {
    with(n, "ITensor::getAllowedFormats", 0, |n| {
        let f = n.network.tensor(tensor_id(&n.network, t)?)?.allowed_formats;
        // Every format is allowed until restricted (kLINEAR is the only one engines use).
        Ok(if f == 0 { u32::MAX >> (32 - 13) } else { f })
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_is_input(n: *mut NvtNetwork, t: i32) -> bool {
    with(n, "ITensor::isNetworkInput", false, |n| Ok(n.network.tensor(tensor_id(&n.network, t)?)?.is_input))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_tensor_is_output(n: *mut NvtNetwork, t: i32) -> bool {
    with(n, "ITensor::isNetworkOutput", false, |n| Ok(n.network.tensor(tensor_id(&n.network, t)?)?.is_output))
}

// ---- layers ----

/// The layer's nvinfer1::LayerType.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_type(n: *mut NvtNetwork, l: i32) -> i32 {
    with(n, "ILayer::getType", -1, |n| Ok(n.network.layer(layer_id(&n.network, l)?)?.kind().layer_type().unwrap_or(-1)))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_name(n: *mut NvtNetwork, l: i32) -> *const c_char {
    with(n, "ILayer::getName", null(), |n| Ok(n.network.layer(layer_id(&n.network, l)?)?.name.as_ptr()))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_name(n: *mut NvtNetwork, l: i32, name: *const c_char) {
    with(n, "ILayer::setName", (), |n| {
        let id = layer_id(&n.network, l)?;
        n.network.layers[id].name = crate::ir::Name::new(cstr(name, "name")?);
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_nb_inputs(n: *mut NvtNetwork, l: i32) -> i32 {
    with(n, "ILayer::getNbInputs", 0, |n| Ok(n.network.layer(layer_id(&n.network, l)?)?.inputs.len() as i32))
}

/// Tensor index of input `i`; -1 for an optional input that is not set (or a bad index,
/// which is reported).
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_input(n: *mut NvtNetwork, l: i32, i: i32) -> i32 {
    with(n, "ILayer::getInput", -1, |n| {
        let layer = n.network.layer(layer_id(&n.network, l)?)?;
        let slot = layer.inputs.get(i as usize).ok_or_else(|| Error::invalid_argument(format!("the layer has no input {i}")))?;
        Ok(slot.map(|t| t as i32).unwrap_or(-1))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_nb_outputs(n: *mut NvtNetwork, l: i32) -> i32 {
    with(n, "ILayer::getNbOutputs", 0, |n| Ok(n.network.layer(layer_id(&n.network, l)?)?.outputs.len() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_output(n: *mut NvtNetwork, l: i32, i: i32) -> i32 {
    with(n, "ILayer::getOutput", -1, |n| {
        let layer = n.network.layer(layer_id(&n.network, l)?)?;
        layer.outputs.get(i as usize).map(|&t| t as i32).ok_or_else(|| Error::invalid_argument(format!("the layer has no output {i}")))
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_input(n: *mut NvtNetwork, l: i32, i: i32, t: i32) {
    with(n, "ILayer::setInput", (), |n| {
        let (l, t) = (layer_id(&n.network, l)?, tensor_id(&n.network, t)?);
        if i < 0 {
            return Err(Error::invalid_argument(format!("input index {i} is negative")));
        }
        n.network.set_layer_input(l, i as usize, t)
    })
}

/// Sets input `i` of a layer to null (a setter replacing a dynamic input with its
/// parameter); an index past the layer's inputs changes nothing.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_clear_input(n: *mut NvtNetwork, l: i32, i: i32) {
    with(n, "ILayer input", (), |n| {
        let l = layer_id(&n.network, l)?;
        if i < 0 {
            return Err(Error::invalid_argument(format!("input index {i} is negative")));
        }
        n.network.clear_layer_input(l, i as usize)
    })
}

/// Requested precision (a DataType), or -1 to reset.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_precision(n: *mut NvtNetwork, l: i32, data_type: i32) {
    with(n, "ILayer::setPrecision", (), |n| {
        let id = layer_id(&n.network, l)?;
        n.network.layers[id].precision = if data_type < 0 { None } else { Some(dtype(data_type)?) };
        Ok(())
    })
}

/// The requested precision, or -1 if none is set.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_precision(n: *mut NvtNetwork, l: i32) -> i32 {
    with(n, "ILayer::getPrecision", -1, |n| Ok(n.network.layer(layer_id(&n.network, l)?)?.precision.map(|d| d as i32).unwrap_or(-1)))
}

/// ILayer::setOutputType (a DataType), or -1 to reset.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_output_type(n: *mut NvtNetwork, l: i32, index: i32, data_type: i32) {
    with(n, "ILayer::setOutputType", (), |n| {
        let id = layer_id(&n.network, l)?;
        let t = if data_type < 0 { None } else { Some(dtype(data_type)?) };
        n.network.set_output_type(id, usize::try_from(index).map_err(|_| Error::invalid_argument("negative output index"))?, t)
    })
}

/// The requested type of output `index`, or -1 if none is set.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_output_type(n: *mut NvtNetwork, l: i32, index: i32) -> i32 {
    with(n, "ILayer::getOutputType", -1, |n| {
        let layer = n.network.layer(layer_id(&n.network, l)?)?;
        Ok(layer.output_types.get(index as usize).copied().flatten().map(|d| d as i32).unwrap_or(-1))
    })
}

fn set_param(n: &mut NvtNetwork, l: i32, key: *const c_char, value: Param) -> Result<()> {
    let id = layer_id(&n.network, l)?;
    let key = unsafe { cstr(key, "key")? };
    n.network.layer_mut(id)?.op.set_param(key, value)
}

fn get_param(n: &NvtNetwork, l: i32, key: *const c_char) -> Result<(String, Param)> {
    let id = layer_id(&n.network, l)?;
    let key = unsafe { cstr(key, "key")? };
    let layer = n.network.layer(id)?;
    let p =
        layer.op.param(key).ok_or_else(|| Error::invalid_argument(format!("{} layers have no parameter '{key}'", layer.kind().name())))?;
    Ok((key.to_string(), p))
}

/// Sets an integer-list parameter of a layer (see each op's set_param for keys).
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_ints(n: *mut NvtNetwork, l: i32, key: *const c_char, values: *const i64, count: i32) -> bool {
    with(n, "ILayer parameter", false, |n| {
        let v = slice(values, count as i64, "values")?.to_vec();
        set_param(n, l, key, Param::Ints(v)).map(|_| true)
    })
}

/// Reads an integer-list parameter into `out`; returns its length or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_get_ints(n: *mut NvtNetwork, l: i32, key: *const c_char, out: *mut i64, capacity: i32) -> i32 {
    with(n, "ILayer parameter", -1, |n| match get_param(n, l, key)? {
        (_, Param::Ints(v)) => Ok(copy_out(&v, out, capacity)),
        (k, _) => Err(Error::invalid_argument(format!("parameter '{k}' is not a list of integers"))),
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_float(n: *mut NvtNetwork, l: i32, key: *const c_char, value: f64) -> bool {
    with(n, "ILayer parameter", false, |n| set_param(n, l, key, Param::Float(value)).map(|_| true))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_layer_get_float(n: *mut NvtNetwork, l: i32, key: *const c_char) -> f64 {
    with(n, "ILayer parameter", 0.0, |n| match get_param(n, l, key)? {
        (_, Param::Float(v)) => Ok(v),
        (k, _) => Err(Error::invalid_argument(format!("parameter '{k}' is not a number"))),
    })
}

/// Sets a weights parameter from `count` values of `data_type` (copied; the type is kept).
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_weights(
    n: *mut NvtNetwork,
    l: i32,
    key: *const c_char,
    data_type: i32,
    values: *const c_void,
    count: i64,
) -> bool {
    with(n, "ILayer weights", false, |n| {
        let t = dtype(data_type)?;
        let bytes = count.checked_mul(t.size_bytes() as i64).ok_or_else(|| Error::invalid_argument(format!("{count} weights overflow")))?;
        let w = Weights::from_bytes(t, slice(values as *const u8, bytes, "weights")?)?;
        set_param(n, l, key, Param::Weights(w)).map(|_| true)
    })
}

/// Reads a weights parameter: returns a pointer valid while the network lives (or until the
/// same parameter is read again) and stores the type and count.
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_get_weights(
    n: *mut NvtNetwork,
    l: i32,
    key: *const c_char,
    data_type: *mut i32,
    count: *mut i64,
) -> *const c_void {
    with(n, "ILayer weights", null(), |n| match get_param(n, l, key)? {
        (k, Param::Weights(w)) => {
            let c = w.count()? as i64;
            if let Some(out) = count.as_mut() {
                *out = c;
            }
            if let Some(out) = data_type.as_mut() {
                *out = w.dtype;
            }
            let slot = n.weights_out.entry((l as usize, k)).or_default();
            *slot = w;
            Ok(if c == 0 { null() } else { slot.values.as_ptr() as *const c_void })
        }
        (k, _) => Err(Error::invalid_argument(format!("parameter '{k}' is not weights"))),
    })
}

/// Sets a string parameter of a layer (copied).
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_set_string(n: *mut NvtNetwork, l: i32, key: *const c_char, value: *const c_char) -> bool {
    with(n, "ILayer parameter", false, |n| {
        let v = cstr(value, "value")?.to_string();
        set_param(n, l, key, Param::Str(v)).map(|_| true)
    })
}

/// Reads a string parameter: the pointer stays valid while the network lives and the
/// parameter keeps its value (reading it again returns the same pointer).
#[no_mangle]
pub unsafe extern "C" fn nvt_layer_get_string(n: *mut NvtNetwork, l: i32, key: *const c_char) -> *const c_char {
    with(n, "ILayer parameter", null(), |n| match get_param(n, l, key)? {
        (k, Param::Str(v)) => {
            let slot = n.strings_out.entry((l as usize, k)).or_default();
            if slot.as_bytes() != v.as_bytes() {
                *slot = CString::new(v.replace('\0', "")).unwrap_or_default();
            }
            Ok(slot.as_ptr())
        }
        (k, _) => Err(Error::invalid_argument(format!("parameter '{k}' is not a string"))),
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_set_name(n: *mut NvtNetwork, name: *const c_char) {
    with(n, "INetworkDefinition::setName", (), |n| {
        n.name = crate::ir::Name::new(cstr(name, "name")?);
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_name(n: *mut NvtNetwork) -> *const c_char {
    with(n, "INetworkDefinition::getName", null(), |n| Ok(n.name.as_ptr()))
}
