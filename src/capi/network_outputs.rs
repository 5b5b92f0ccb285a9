//! C ABI: the less common network-level calls — shape-tensor outputs, removing an unused
//! input, naming weights for refitting, the deprecated explicit-precision query.

use super::network::{tensor_id, NvtNetwork};
use super::{cstr, with};
use crate::error::Error;
use crate::types::DataType;
use std::ffi::{c_char, c_void};

/// INetworkDefinition::markOutputForShapes: `t` must be a shape tensor (a 0-D or 1-D kINT32
/// tensor whose values are computable from shapes); it is delivered in host memory.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_mark_output_for_shapes(n: *mut NvtNetwork, tensor: i32) -> bool {
    with(n, "INetworkDefinition::markOutputForShapes", false, |n| {
        let t = tensor_id(&n.network, tensor)?;
        n.network.ensure_inferred();
        let x = &n.network.tensors[t];
        if x.dtype != DataType::Int32 || x.dims.len() > 1 || x.values.is_none() {
            return Err(Error::invalid_argument(format!(
                "tensor '{}' is not a shape tensor (a 0-D or 1-D kINT32 tensor computable from shapes)",
                x.name.as_str()
            )));
        }
        n.network.mark_output(t).map(|_| true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_unmark_output_for_shapes(n: *mut NvtNetwork, tensor: i32) -> bool {
    with(n, "INetworkDefinition::unmarkOutputForShapes", false, |n| {
        let t = tensor_id(&n.network, tensor)?;
        if !n.network.outputs.contains(&t) {
            return Err(Error::invalid_argument(format!("tensor '{}' is not an output", n.network.tensors[t].name.as_str())));
        }
        n.network.unmark_output(t).map(|_| true)
    })
}

/// INetworkDefinition::removeTensor: only a network input no layer reads can go.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_remove_tensor(n: *mut NvtNetwork, tensor: i32) {
    with(n, "INetworkDefinition::removeTensor", (), |n| {
        let t = tensor_id(&n.network, tensor)?;
        n.network.remove_unused_input(t)
    })
}

/// INetworkDefinition::setWeightsName: remembers a name for the weights at `values`.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_set_weights_name(n: *mut NvtNetwork, values: *const c_void, name: *const c_char) -> bool {
    with(n, "INetworkDefinition::setWeightsName", false, |n| {
        if values.is_null() {
            return Err(Error::invalid_argument("the weights have no values to name"));
        }
        let name = cstr(name, "weights name")?;
        n.weights_names.insert(values as usize, name.to_string());
        Ok(true)
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_has_explicit_precision(n: *mut NvtNetwork) -> bool {
    with(n, "INetworkDefinition::hasExplicitPrecision", false, |n| Ok(n.explicit_precision))
}
