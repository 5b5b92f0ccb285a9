//! The GPU's part in running loops and conditionals (`crate::control::exec`): copies and
//! slot moves enqueued on the run's stream, and the reads the host waits for. `read_scalar`
//! synchronizes the stream and copies one value back: the one wait of a conditional, of a
//! loop whose count is computed on the device, and of every iteration of a loop with a
//! kWHILE limit. Nothing else waits or allocates.

use super::CudaRun;
use crate::backend::cuda::descriptors::SlotCopyDesc;
use crate::backend::cuda::device::synchronize_raw;
use crate::backend::cuda::layers::launch;
use crate::backend::cuda::memory::{copy_async, download, memset_async};
use crate::control::exec::{Buf, Machine};
use crate::engine::Storage;
use crate::error::{Error, Result};
use crate::host::decode_i64;
use crate::types::byte_size;

impl CudaRun<'_, '_> {
    /// Tensor `t`'s bytes in this run (its planned size while a count it depends on is
    /// unknown).
    fn bytes(&self, t: usize) -> usize {
        let info = &self.engine.analysis.tensors[t];
        let dtype = self.engine.desc.tensors[t].dtype;
        self.res.dims[t].as_deref().and_then(|d| byte_size(d, dtype)).unwrap_or(info.max_bytes as usize)
    }

    /// A buffer's address and size.
    fn buf(&self, b: Buf) -> Result<(u64, usize)> {
        match b {
            Buf::Tensor(t) => Ok((self.st.addrs[t], self.bytes(t))),
            Buf::Staging(exit) => {
                let s = self.engine.analysis.staging.iter().find(|s| s.exit == exit);
                let s = s.ok_or_else(|| Error::internal("a loop output without staging memory"))?;
                Ok((self.st.arena.ptr + s.offset, s.bytes as usize))
            }
        }
    }
}

/// The bytes a slot copy reaches in a buffer of `slots` slots, if the slots exist.
fn extent(d: &SlotCopyDesc, slots: i64, first: i64, elem: usize) -> Option<usize> {
    if d.count == 0 || d.outer == 0 || d.inner == 0 {
        return Some(0);
    }
    if first < 0 || first.checked_add(d.count)? > slots {
        return None;
    }
    let elems = d.outer.checked_mul(slots)?.checked_mul(d.inner)?;
    usize::try_from(elems).ok()?.checked_mul(elem)
}

impl Machine for CudaRun<'_, '_> {
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
        let size = dtype.size_bytes();
        if self.engine.analysis.tensors[t].storage == Storage::None || self.bytes(t) < size || size > 4 {
            return Err(Error::internal(format!("'{}' holds no value", self.engine.desc.tensors[t].name)));
        }
        synchronize_raw(self.stream)?;
        let mut bytes = [0u8; 4];
        download(self.st.addrs[t], &mut bytes[..size])?;
        Ok(decode_i64(dtype, &bytes[..size])[0])
    }

    fn copy(&mut self, dst: usize, src: usize) -> Result<()> {
        let n = self.bytes(dst).min(self.bytes(src));
        copy_async(self.st.addrs[dst], self.st.addrs[src], n, self.stream)
    }

    fn copy_slots(&mut self, dst: Buf, src: Buf, elem: usize, d: &SlotCopyDesc) -> Result<()> {
        let ((to, to_len), (from, from_len)) = (self.buf(dst)?, self.buf(src)?);
        let fits = |len: usize, slots: i64, first: i64| extent(d, slots, first, elem).is_some_and(|n| n <= len);
        if !fits(to_len, d.dst_slots, d.dst_first) || !fits(from_len, d.src_slots, d.src_first) {
            return Err(Error::internal("a slot copy reaches past its tensor"));
        }
        let kernels = self.ce.slots_copy.as_ref().ok_or_else(|| Error::internal("the engine has no slot copy kernels"))?;
        let kernel = match elem {
            1 => &kernels[0],
            2 => &kernels[1],
            4 => &kernels[2],
            _ => return Err(Error::unsupported(format!("loops move elements of 1, 2 or 4 bytes, not {elem}"))),
        };
        let n = (d.outer * d.count * d.inner) as usize;
        let mut args = [launch::arg(&to), launch::arg(&from), launch::arg(d)];
        launch::linear(kernel, n, self.stream, &mut args)
    }

    fn zero(&mut self, t: usize) -> Result<()> {
        memset_async(self.st.addrs[t], self.bytes(t), self.stream)
    }

    fn report_count(&mut self, exit: usize, n: i64) -> Result<()> {
        self.counts.push((exit as u32, 0, n));
        self.res = std::borrow::Cow::Owned((self.reresolve)(&self.counts)?);
        self.st.bind_known(self.engine, self.ce, &self.res, exit + 1)
    }
}
