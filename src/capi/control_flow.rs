//! C ABI: a network's loops and if-conditionals (by index). Their boundary layers are
//! added like any layer (nvt_network_add_layer with kind "Recurrence", "TripLimit",
//! "Iterator", "LoopOutput", "Condition", "ConditionalInput" or "ConditionalOutput", and the
//! parameter "loop_id" or "conditional_id").

use super::network::NvtNetwork;
use super::{cstr, with};
use crate::error::{Error, Result};
use crate::ir::Name;
use std::ffi::c_char;
use std::ptr::null;

fn slot(names: &mut [Name], id: i32, what: &str) -> Result<usize> {
    usize::try_from(id).ok().filter(|&i| i < names.len()).ok_or_else(|| Error::invalid_argument(format!("the network has no {what} {id}")))
}

/// INetworkDefinition::addLoop: returns the new loop's index, or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_add_loop(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition::addLoop", -1, |n| Ok(n.network.add_loop()? as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_nb_loops(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition", 0, |n| Ok(n.network.loops.len() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_loop_set_name(n: *mut NvtNetwork, id: i32, name: *const c_char) {
    with(n, "ILoop::setName", (), |n| {
        let i = slot(&mut n.network.loops, id, "loop")?;
        n.network.loops[i] = Name::new(cstr(name, "name")?);
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_loop_name(n: *mut NvtNetwork, id: i32) -> *const c_char {
    with(n, "ILoop::getName", null(), |n| {
        let i = slot(&mut n.network.loops, id, "loop")?;
        Ok(n.network.loops[i].as_ptr())
    })
}

/// INetworkDefinition::addIfConditional: returns the new conditional's index, or -1.
#[no_mangle]
pub unsafe extern "C" fn nvt_network_add_conditional(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition::addIfConditional", -1, |n| Ok(n.network.add_conditional()? as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_network_nb_conditionals(n: *mut NvtNetwork) -> i32 {
    with(n, "INetworkDefinition", 0, |n| Ok(n.network.conditionals.len() as i32))
}

#[no_mangle]
pub unsafe extern "C" fn nvt_conditional_set_name(n: *mut NvtNetwork, id: i32, name: *const c_char) {
    with(n, "IIfConditional::setName", (), |n| {
        let i = slot(&mut n.network.conditionals, id, "conditional")?;
        n.network.conditionals[i] = Name::new(cstr(name, "name")?);
        Ok(())
    })
}

#[no_mangle]
pub unsafe extern "C" fn nvt_conditional_name(n: *mut NvtNetwork, id: i32) -> *const c_char {
    with(n, "IIfConditional::getName", null(), |n| {
        let i = slot(&mut n.network.conditionals, id, "conditional")?;
        Ok(n.network.conditionals[i].as_ptr())
    })
}
