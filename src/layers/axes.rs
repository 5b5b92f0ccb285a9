//! Axis masks as TensorRT's reduce, top-k, softmax and normalization layers take them (bit i
//! selects axis i), and the split of a shape into the axes a layer keeps and the axes it
//! reduces, which the CPU references and the kernels both walk.

use crate::error::{Error, Result};
use crate::types::strides;

/// The axes `mask` selects in a tensor of `rank`, in increasing order; a bit at or beyond
/// the rank (or a mask that is not a uint32_t) is an error naming `what`.
pub fn from_mask(mask: i64, rank: usize, what: &str) -> Result<Vec<usize>> {
    if !(0..=u32::MAX as i64).contains(&mask) {
        return Err(Error::invalid_argument(format!("{what} {mask:#x} is not a 32-bit axis mask")));
    }
    if rank < 32 && mask >> rank != 0 {
        return Err(Error::invalid_argument(format!("{what} {mask:#x} selects an axis beyond the input's {rank} axes")));
    }
    Ok((0..rank).filter(|&a| mask >> a & 1 == 1).collect())
}

/// The mask for the same axes once an implicit batch axis is prepended.
pub fn mask_with_batch(mask: i64, what: &str) -> Result<i64> {
    let shifted = mask << 1;
    if !(0..=u32::MAX as i64).contains(&shifted) {
        return Err(Error::invalid_argument(format!("{what} {mask:#x} cannot gain a batch axis")));
    }
    Ok(shifted)
}

/// A row-major shape seen as an outer walk over the kept axes and an inner walk over the
/// reduced axes, each with its dims and the element strides of the original shape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Split {
    pub kept_dims: Vec<i64>,
    pub kept_strides: Vec<i64>,
    pub reduced_dims: Vec<i64>,
    pub reduced_strides: Vec<i64>,
}

impl Split {
    pub fn new(dims: &[i64], reduced: &[usize]) -> Split {
        let s = strides(dims);
        let mut out = Split::default();
        for (a, (&d, &st)) in dims.iter().zip(&s).enumerate() {
            if reduced.contains(&a) {
                out.reduced_dims.push(d);
                out.reduced_strides.push(st);
            } else {
                out.kept_dims.push(d);
                out.kept_strides.push(st);
            }
        }
        out
    }

    pub fn kept_count(&self) -> usize {
        self.kept_dims.iter().map(|&d| d.max(0) as usize).product()
    }

    pub fn reduced_count(&self) -> usize {
        self.reduced_dims.iter().map(|&d| d.max(0) as usize).product()
    }

    /// Element offset of the `i`-th kept position (row-major over the kept dims).
    pub fn kept_offset(&self, i: usize) -> usize {
        offset(i, &self.kept_dims, &self.kept_strides)
    }

    /// Element offset (relative to a kept position) of the `j`-th reduced position.
    pub fn reduced_offset(&self, j: usize) -> usize {
        offset(j, &self.reduced_dims, &self.reduced_strides)
    }
}

/// Offset of row-major index `i` over `dims` with the given element strides.
pub fn offset(mut i: usize, dims: &[i64], strides: &[i64]) -> usize {
    let mut off = 0usize;
    for k in (0..dims.len()).rev() {
        let d = dims[k].max(1) as usize;
        off += (i % d) * strides[k] as usize;
        i /= d;
    }
    off
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_splits() {
        assert_eq!(from_mask(0b101, 3, "axes").unwrap(), vec![0, 2]);
        assert!(from_mask(0b1000, 3, "axes").is_err());
        assert!(from_mask(-1, 3, "axes").is_err());
        assert_eq!(mask_with_batch(0b11, "axes").unwrap(), 0b110);
        let s = Split::new(&[2, 3, 4], &[1]);
        assert_eq!((s.kept_dims.clone(), s.kept_strides.clone()), (vec![2, 4], vec![12, 1]));
        assert_eq!((s.reduced_dims.clone(), s.reduced_strides.clone()), (vec![3], vec![4]));
        // Kept position 5 is (1, 1): offset 13; reduced position 2 adds 8.
        assert_eq!(s.kept_offset(5) + s.reduced_offset(2), 21);
    }
}
