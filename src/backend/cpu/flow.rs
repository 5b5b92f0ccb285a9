//! The CPU backend's part in running loops and conditionals (`crate::control::exec`):
//! plain copies within the run's memory, every range checked against the region it lies in.

use super::{CpuRun, Place};
use crate::backend::cuda::descriptors::SlotCopyDesc;
use crate::control::exec::{Buf, Machine};
use crate::error::{Error, Result};
use crate::host::decode_i64;

impl CpuRun<'_> {
    /// Where a buffer of a slot copy lives.
    fn buf(&mut self, b: Buf) -> Result<Place> {
        match b {
            Buf::Tensor(t) => self.place_now(t),
            Buf::Staging(exit) => {
                let s = self.engine.analysis.staging.iter().find(|s| s.exit == exit).copied();
                let s = s.ok_or_else(|| Error::internal("a loop output without staging memory"))?;
                let (off, len) = (s.offset as usize, s.bytes as usize);
                if off.checked_add(len).is_none_or(|end| end > self.st.arena.len()) {
                    return Err(Error::internal("staging memory lies outside the arena"));
                }
                // SAFETY: in bounds (checked above).
                Ok(Place { ptr: unsafe { self.st.arena.as_mut_ptr().add(off) }, len })
            }
        }
    }
}

/// The last byte (exclusive) a slot copy touches in a buffer of `slots` slots.
fn extent(d: &SlotCopyDesc, slots: i64, first: i64, elem: usize) -> Option<usize> {
    if d.count == 0 || d.outer == 0 || d.inner == 0 {
        return Some(0);
    }
    let last_slot = first.checked_add(d.count)?;
    if first < 0 || last_slot > slots {
        return None;
    }
    let elems = d.outer.checked_mul(slots)?.checked_mul(d.inner)?;
    usize::try_from(elems).ok()?.checked_mul(elem)
}

impl Machine for CpuRun<'_> {
    fn layer(&mut self, li: usize) -> Result<()> {
        self.run_layer(li)
    }

    fn dims(&self, t: usize) -> Option<&[i64]> {
        self.res.dims.get(t)?.as_deref()
    }

    fn shape_value(&self, t: usize) -> Option<i64> {
        match self.engine.analysis.tensors[t].values.as_deref()? {
            [v] => self.res.eval.get(*v),
            _ => None,
        }
    }

    fn read_scalar(&mut self, t: usize) -> Result<i64> {
        let dtype = self.engine.desc.tensors[t].dtype;
        let p = self.place_now(t)?;
        if p.len < dtype.size_bytes() {
            return Err(Error::internal(format!("'{}' holds no value", self.engine.desc.tensors[t].name)));
        }
        // SAFETY: `place_now` sized the region for the tensor, which holds at least one element.
        let bytes = unsafe { std::slice::from_raw_parts(p.ptr as *const u8, dtype.size_bytes()) };
        Ok(decode_i64(dtype, bytes)[0])
    }

    fn copy(&mut self, dst: usize, src: usize) -> Result<()> {
        let (d, s) = (self.place_now(dst)?, self.place_now(src)?);
        // SAFETY: both regions are sized for their tensors; `copy` (memmove) allows overlap.
        unsafe { std::ptr::copy(s.ptr as *const u8, d.ptr, d.len.min(s.len)) };
        Ok(())
    }

    fn copy_slots(&mut self, dst: Buf, src: Buf, elem: usize, d: &SlotCopyDesc) -> Result<()> {
        let (to, from) = (self.buf(dst)?, self.buf(src)?);
        let fits = |p: &Place, slots: i64, first: i64| extent(d, slots, first, elem).is_some_and(|n| n <= p.len);
        if !fits(&to, d.dst_slots, d.dst_first) || !fits(&from, d.src_slots, d.src_first) {
            return Err(Error::internal("a slot copy reaches past its tensor"));
        }
        let row = d.inner as usize * elem;
        for o in 0..d.outer {
            for k in 0..d.count {
                let from_slot = if d.reverse != 0 { d.src_first + d.count - 1 - k } else { d.src_first + k };
                let a = ((o * d.dst_slots + d.dst_first + k) * d.inner) as usize * elem;
                let b = ((o * d.src_slots + from_slot) * d.inner) as usize * elem;
                // SAFETY: both rows lie in their regions (checked above: every slot index is
                // below the slot count the region holds).
                unsafe { std::ptr::copy(from.ptr.add(b) as *const u8, to.ptr.add(a), row) };
            }
        }
        Ok(())
    }

    fn zero(&mut self, t: usize) -> Result<()> {
        let p = self.place_now(t)?;
        // SAFETY: the region holds the tensor.
        unsafe { std::ptr::write_bytes(p.ptr, 0, p.len) };
        Ok(())
    }

    fn report_count(&mut self, exit: usize, n: i64) -> Result<()> {
        self.counts.push((exit as u32, 0, n));
        self.res = std::borrow::Cow::Owned((self.reresolve)(&self.counts)?);
        Ok(())
    }
}
