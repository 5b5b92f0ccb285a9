//! Running an engine's program: layers in order, loops and conditionals as TensorRT defines
//! them, on any backend through `Machine`, the few data-movement primitives a backend
//! provides. The semantics live here once:
//!
//! - a loop sets each recurrence to its initial value, then per iteration j: stops when a
//!   kCOUNT limit is reached; runs what the kWHILE condition needs and stops when it is
//!   false; slices its iterators (slot j, or extent-1-j reversed); runs the rest of the body;
//!   appends each concatenating output's value (slot j); sets each recurrence to its next
//!   value. After the last iteration a kLAST_VALUE output is its recurrence's value (the
//!   initial value when the loop ran 0 times); a kREVERSE output holds the iterations last
//!   first. Slots past the number of iterations of an output with a given length are zero
//!   (TensorRT leaves them unspecified); running more iterations than that length is an error.
//! - a conditional reads its condition, copies its inputs, runs what both branches need, then
//!   only the taken branch, and copies that branch's values to its outputs.
//!
//! A backend's `read_scalar` is where the host waits for the device: once per iteration of a
//! loop with a kWHILE limit, once per loop whose count is computed on the device, once per
//! conditional. Nothing here allocates; a concatenation whose length is only known after the
//! loop (or a kREVERSE output of a kWHILE loop) is written to staging memory the memory plan
//! reserves, then copied into place once the count is known (`Machine::report_count`).

use super::program::{CondBlock, Item, LoopBlock};
use super::{BoundaryKind, LAST_VALUE, REVERSE};
use crate::backend::cuda::descriptors::SlotCopyDesc;
use crate::engine::analysis::Step;
use crate::engine::{Analysis, EngineDesc};
use crate::error::{Error, Result};

/// Memory a slot copy reads or writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Buf {
    Tensor(usize),
    /// The staging memory of loop output layer `.0`.
    Staging(usize),
}

/// What a backend provides to run a program.
pub trait Machine {
    /// Runs a layer that is not a loop or conditional boundary, as its step says.
    fn layer(&mut self, li: usize) -> Result<()>;
    /// Tensor `t`'s dims in this run (None while a count they depend on is unknown).
    fn dims(&self, t: usize) -> Option<&[i64]>;
    /// The value of a 0-D shape-valued tensor, known on the host.
    fn shape_value(&self, t: usize) -> Option<i64>;
    /// Reads a 0-D kINT32 or kBOOL tensor (on a GPU: waits for the stream).
    fn read_scalar(&mut self, t: usize) -> Result<i64>;
    /// Copies tensor `src` over tensor `dst` (the same size: `dst`'s).
    fn copy(&mut self, dst: usize, src: usize) -> Result<()>;
    /// Copies slots of elements of `elem` bytes (SlotCopyDesc, kernels/control_flow.cu).
    fn copy_slots(&mut self, dst: Buf, src: Buf, elem: usize, d: &SlotCopyDesc) -> Result<()>;
    /// Writes zeros over tensor `t`.
    fn zero(&mut self, t: usize) -> Result<()>;
    /// Loop output `exit` turned out `n` long: shapes that depend on it are resolved again.
    fn report_count(&mut self, exit: usize, n: i64) -> Result<()>;
}

fn input(desc: &EngineDesc, li: usize, slot: usize) -> Result<usize> {
    desc.layers[li]
        .inputs
        .get(slot)
        .copied()
        .flatten()
        .ok_or_else(|| Error::internal(format!("layer '{}' lacks input {slot}", desc.layers[li].name)))
}

fn output(desc: &EngineDesc, li: usize) -> Result<usize> {
    desc.layers[li].outputs.first().copied().ok_or_else(|| Error::internal(format!("layer '{}' has no output", desc.layers[li].name)))
}

fn known<'m>(m: &'m dyn Machine, desc: &EngineDesc, t: usize) -> Result<&'m [i64]> {
    m.dims(t).ok_or_else(|| Error::internal(format!("the shape of '{}' is unknown", desc.tensors[t].name)))
}

/// Elements before and after `axis` of `dims`.
fn around(dims: &[i64], axis: usize) -> (i64, i64) {
    let outer = dims[..axis.min(dims.len())].iter().product();
    let inner = dims[axis.min(dims.len())..].iter().product();
    (outer, inner)
}

/// Runs `items` (the engine's program, or part of it).
pub fn run(desc: &EngineDesc, a: &Analysis, m: &mut dyn Machine, items: &[Item]) -> Result<()> {
    for it in items {
        match it {
            Item::Layer(li) => m.layer(*li)?,
            Item::Loop(b) => run_loop(desc, a, m, b)?,
            Item::Conditional(b) => run_conditional(desc, a, m, b)?,
        }
    }
    Ok(())
}

fn run_conditional(desc: &EngineDesc, a: &Analysis, m: &mut dyn Machine, b: &CondBlock) -> Result<()> {
    let taken = m.read_scalar(input(desc, b.condition, 0)?)? != 0;
    // Boundary layers whose values are shape values are written with the other shape
    // values before the run.
    let moves = |li: usize| a.steps[li] == Step::Control;
    for &i in b.inputs.iter().filter(|&&i| moves(i)) {
        m.copy(output(desc, i)?, input(desc, i, 0)?)?;
    }
    run(desc, a, m, &b.common)?;
    run(desc, a, m, if taken { &b.then } else { &b.otherwise })?;
    for &o in b.outputs.iter().filter(|&&o| moves(o)) {
        m.copy(output(desc, o)?, input(desc, o, if taken { 0 } else { 1 })?)?;
    }
    Ok(())
}

/// How a concatenating loop output is written during the loop.
struct Concat {
    exit: usize,
    value: usize,
    out: usize,
    reverse: bool,
    /// Where iteration j goes: the output itself (`slots` long, iteration j at slot j, or at
    /// count-1-j for a kREVERSE output of a loop whose count is known), or staging memory
    /// of `slots` slots, copied into place after the loop.
    staged: bool,
    slots: i64,
    outer: i64,
    inner: i64,
    elem: usize,
    counts: bool,
}

fn run_loop(desc: &EngineDesc, a: &Analysis, m: &mut dyn Machine, b: &LoopBlock) -> Result<()> {
    // A count known before the first iteration: a shape value, or read from the device.
    let count = match b.count {
        Some(tl) => {
            let t = input(desc, tl, 0)?;
            Some(
                match m.shape_value(t) {
                    Some(v) => v,
                    None => m.read_scalar(t)?,
                }
                .max(0),
            )
        }
        None => None,
    };
    for &it in &b.iterators {
        let (axis, extent) = iterator_extent(desc, m, it)?;
        if let Some(c) = count.filter(|&c| c > extent) {
            return Err(Error::invalid_argument(format!(
                "iterator '{}': the loop runs {c} times but axis {axis} of its input has only {extent} slices",
                desc.layers[it].name
            )));
        }
    }
    for &r in &b.recurrences {
        m.copy(output(desc, r)?, input(desc, r, 0)?)?;
    }
    let mut concats = Vec::new();
    for &e in &b.outputs {
        let Some(super::Boundary { kind: BoundaryKind::LoopOutput { kind, axis }, .. }) = desc.layers[e].op.control() else {
            return Err(Error::internal("a loop exit that is not a loop output"));
        };
        if kind == LAST_VALUE {
            continue;
        }
        let (value, out) = (input(desc, e, 0)?, output(desc, e)?);
        let (outer, inner) = around(known(m, desc, value)?, axis as usize);
        let elem = desc.tensors[out].dtype.size_bytes();
        let staging = a.staging.iter().find(|s| s.exit == e);
        let (staged, slots, counts) = match staging {
            Some(s) => {
                let per_slot = (outer * inner).max(1) as u64 * elem as u64;
                (true, (s.bytes / per_slot) as i64, s.counts)
            }
            None => {
                let dims = known(m, desc, out)?;
                // Slots past the last iteration hold zeros.
                let len = dims[axis as usize];
                if desc.layers[e].inputs.get(1).copied().flatten().is_some() {
                    m.zero(out)?;
                }
                (false, len, false)
            }
        };
        concats.push(Concat { exit: e, value, out, reverse: kind == REVERSE, staged, slots, outer, inner, elem, counts });
    }
    let mut j: i64 = 0;
    'iterations: loop {
        if count.is_some_and(|c| j >= c) {
            break;
        }
        for it in &b.body {
            let Item::Layer(li) = it else {
                run(desc, a, m, std::slice::from_ref(it))?;
                continue;
            };
            let li = *li;
            if b.recurrences.contains(&li) || b.count == Some(li) {
                continue;
            }
            if b.while_ == Some(li) {
                if m.read_scalar(input(desc, li, 0)?)? == 0 {
                    break 'iterations;
                }
                continue;
            }
            if b.iterators.contains(&li) {
                slice(desc, m, li, j)?;
                continue;
            }
            run(desc, a, m, std::slice::from_ref(it))?;
        }
        for c in &concats {
            if j >= c.slots {
                return Err(Error::invalid_argument(format!(
                    "loop output '{}': the loop runs more than {} times, the length of its output",
                    desc.layers[c.exit].name, c.slots
                )));
            }
            let slot = match (c.reverse, c.staged, count) {
                (true, false, Some(n)) => n - 1 - j,
                _ => j,
            };
            let d = SlotCopyDesc {
                outer: c.outer,
                inner: c.inner,
                count: 1,
                dst_slots: c.slots,
                dst_first: slot,
                src_slots: 1,
                ..Default::default()
            };
            let dst = if c.staged { Buf::Staging(c.exit) } else { Buf::Tensor(c.out) };
            m.copy_slots(dst, Buf::Tensor(c.value), c.elem, &d)?;
        }
        for &r in &b.recurrences {
            m.copy(output(desc, r)?, input(desc, r, 1)?)?;
        }
        j += 1;
    }
    for &e in &b.outputs {
        if let Some(super::Boundary { kind: BoundaryKind::LoopOutput { kind: LAST_VALUE, .. }, .. }) = desc.layers[e].op.control() {
            m.copy(output(desc, e)?, input(desc, e, 0)?)?;
        }
    }
    for c in concats.iter().filter(|c| c.staged) {
        if c.counts {
            m.report_count(c.exit, j)?;
        }
        let Some(super::Boundary { kind: BoundaryKind::LoopOutput { axis, .. }, .. }) = desc.layers[c.exit].op.control() else { continue };
        let len = known(m, desc, c.out)?[axis as usize];
        if j > len {
            return Err(Error::invalid_argument(format!(
                "loop output '{}': the loop ran {j} times, more than the length {len} of its output",
                desc.layers[c.exit].name
            )));
        }
        if !c.counts {
            m.zero(c.out)?;
        }
        let d = SlotCopyDesc {
            outer: c.outer,
            inner: c.inner,
            count: j,
            dst_slots: len,
            src_slots: c.slots,
            reverse: c.reverse as i32,
            ..Default::default()
        };
        m.copy_slots(Buf::Tensor(c.out), Buf::Staging(c.exit), c.elem, &d)?;
    }
    Ok(())
}

/// An iterator's axis and the extent of its input along it.
fn iterator_extent(desc: &EngineDesc, m: &dyn Machine, it: usize) -> Result<(usize, i64)> {
    let Some(super::Boundary { kind: BoundaryKind::Iterator { axis, .. }, .. }) = desc.layers[it].op.control() else {
        return Err(Error::internal("not an iterator"));
    };
    let dims = known(m, desc, input(desc, it, 0)?)?;
    let axis = axis as usize;
    Ok((axis, dims.get(axis).copied().ok_or_else(|| Error::internal("iterator axis out of range"))?))
}

/// Writes iteration `j`'s slice of an iterator's input to its output.
fn slice(desc: &EngineDesc, m: &mut dyn Machine, it: usize, j: i64) -> Result<()> {
    let Some(super::Boundary { kind: BoundaryKind::Iterator { reverse, .. }, .. }) = desc.layers[it].op.control() else {
        return Err(Error::internal("not an iterator"));
    };
    let (axis, extent) = iterator_extent(desc, m, it)?;
    if j >= extent {
        return Err(Error::invalid_argument(format!(
            "iterator '{}': iteration {j} is past the {extent} slices of axis {axis} of its input",
            desc.layers[it].name
        )));
    }
    let src = input(desc, it, 0)?;
    let dims = known(m, desc, src)?;
    let (outer, _) = around(dims, axis);
    let inner: i64 = dims[axis + 1..].iter().product();
    let first = if reverse { extent - 1 - j } else { j };
    let d = SlotCopyDesc { outer, inner, count: 1, dst_slots: 1, src_slots: extent, src_first: first, ..Default::default() };
    let elem = desc.tensors[src].dtype.size_bytes();
    m.copy_slots(Buf::Tensor(output(desc, it)?), Buf::Tensor(src), elem, &d)
}
