//! Block order and the program an executor walks. A construct's layers are contiguous:
//!
//! - a loop: its recurrences and kCOUNT limit, then what its kWHILE condition needs, the
//!   kWHILE limit, the rest of the body (iterators, layers, nested constructs), then its
//!   loop outputs;
//! - a conditional: its condition, inputs, what both branches need, the true branch, the
//!   false branch, then its outputs.
//!
//! The builder puts an engine's layers in this order (`arrange`); the loader re-derives it and
//! refuses a plan whose layers are in any other order, so executors and the memory plan can
//! rely on it (a loop's body is the index range `start..=end`).

use super::placement::{region_of, Part, Placement, RegionId, ROOT};
use super::{BoundaryKind, FlowGraph};
use crate::error::{Error, Result};
use std::collections::BTreeSet;

/// One step of a program.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Layer(usize),
    Loop(LoopBlock),
    Conditional(CondBlock),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoopBlock {
    pub construct: usize,
    /// The body in order, boundary layers included (recurrences, trip limits, iterators).
    pub body: Vec<Item>,
    pub recurrences: Vec<usize>,
    pub count: Option<usize>,
    pub while_: Option<usize>,
    pub iterators: Vec<usize>,
    pub outputs: Vec<usize>,
    /// The body's first and last layer index.
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CondBlock {
    pub construct: usize,
    pub condition: usize,
    pub inputs: Vec<usize>,
    pub common: Vec<Item>,
    pub then: Vec<Item>,
    pub otherwise: Vec<Item>,
    pub outputs: Vec<usize>,
}

/// What a region's order is made of: layers and whole constructs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Layer(usize),
    Construct(usize),
}

struct Arranger<'a> {
    g: &'a FlowGraph<'a>,
    p: &'a Placement,
    producer: Vec<Option<usize>>,
    /// The construct each layer belongs to directly (its region's, or the one it is an
    /// exit or condition of).
    owner: Vec<Option<usize>>,
}

impl<'a> Arranger<'a> {
    fn new(g: &'a FlowGraph<'a>, p: &'a Placement) -> Arranger<'a> {
        let mut producer = vec![None; g.tensors];
        for (li, l) in g.layers.iter().enumerate() {
            for &o in l.outputs {
                producer[o] = Some(li);
            }
        }
        let owner = (0..g.layers.len())
            .map(|li| match p.boundary[li] {
                Some((c, BoundaryKind::LoopOutput { .. } | BoundaryKind::ConditionalOutput | BoundaryKind::Condition)) => Some(c),
                _ => p.part(p.region[li]).map(|(c, _)| c),
            })
            .collect();
        Arranger { g, p, producer, owner }
    }

    /// The unit of region `r` that layer `li` is part of, if it is inside `r` at all.
    fn unit_in(&self, li: usize, r: RegionId) -> Option<Unit> {
        // A conditional's inputs, like its condition and outputs, have fixed places in its
        // block rather than among the units of a region.
        let fixed = matches!(self.p.boundary[li], Some((_, BoundaryKind::ConditionalInput)));
        if !fixed && self.p.region[li] == r && self.owner[li].is_none_or(|c| self.p.part(r).is_some_and(|(rc, _)| rc == c)) {
            return Some(Unit::Layer(li));
        }
        let mut c = self.owner[li]?;
        for _ in 0..=self.p.constructs.len() {
            if self.p.parent[c] == r {
                return Some(Unit::Construct(c));
            }
            c = self.p.part(self.p.parent[c])?.0;
        }
        None
    }

    /// The first layer index of a unit, to keep the given order where it is free.
    fn rank(&self, u: Unit) -> usize {
        match u {
            Unit::Layer(l) => l,
            Unit::Construct(c) => self.p.constructs[c].all().min().unwrap_or(0),
        }
    }

    /// The units of region `r` in an order that respects their dependencies; `class` puts
    /// some first (loop bodies: recurrences, then what the kWHILE limit needs).
    fn order_region(&self, r: RegionId, class: impl Fn(Unit) -> u8) -> Vec<Unit> {
        let mut units: BTreeSet<Unit> = BTreeSet::new();
        let mut deps: Vec<(Unit, Unit)> = vec![];
        for (li, l) in self.g.layers.iter().enumerate() {
            let Some(u) = self.unit_in(li, r) else { continue };
            units.insert(u);
            for (slot, t) in l.inputs.iter().enumerate() {
                if super::is_back_edge(l.op, slot) {
                    continue;
                }
                let Some(p) = t.and_then(|t| self.producer[t]) else { continue };
                if let Some(v) = self.unit_in(p, r) {
                    if v != u {
                        deps.push((v, u));
                    }
                }
            }
        }
        let units: Vec<Unit> = units.into_iter().collect();
        let idx = |u: Unit| units.binary_search(&u).expect("a unit of the region");
        let mut missing = vec![0usize; units.len()];
        let mut succ: Vec<Vec<usize>> = vec![vec![]; units.len()];
        deps.sort_unstable();
        deps.dedup();
        for (a, b) in deps {
            succ[idx(a)].push(idx(b));
            missing[idx(b)] += 1;
        }
        let key = |i: usize| (class(units[i]), self.rank(units[i]), i);
        let mut ready: BTreeSet<(u8, usize, usize)> = (0..units.len()).filter(|&i| missing[i] == 0).map(key).collect();
        let mut out = Vec::with_capacity(units.len());
        while let Some((_, _, i)) = ready.pop_first() {
            out.push(units[i]);
            for &s in &succ[i] {
                missing[s] -= 1;
                if missing[s] == 0 {
                    ready.insert(key(s));
                }
            }
        }
        out
    }

    fn items(&self, r: RegionId, class: impl Fn(Unit) -> u8) -> Vec<Item> {
        self.order_region(r, class).into_iter().map(|u| self.item(u)).collect()
    }

    fn item(&self, u: Unit) -> Item {
        let c = match u {
            Unit::Layer(l) => return Item::Layer(l),
            Unit::Construct(c) => c,
        };
        let k = &self.p.constructs[c];
        if k.is_loop() {
            let body_region = region_of(c, Part::Body);
            let cone = self.while_cone(c);
            let class = |u: Unit| match u {
                Unit::Layer(l) if k.recurrences.contains(&l) || k.count == Some(l) => 0,
                _ if Some(u) == k.while_.map(Unit::Layer) => 2,
                _ if cone.contains(&u) => 1,
                _ => 3,
            };
            let body = self.items(body_region, class);
            Item::Loop(LoopBlock {
                construct: c,
                body,
                recurrences: k.recurrences.clone(),
                count: k.count,
                while_: k.while_,
                iterators: k.iterators.clone(),
                outputs: k.exits.clone(),
                start: 0,
                end: 0,
            })
        } else {
            Item::Conditional(CondBlock {
                construct: c,
                condition: k.condition.unwrap_or(0),
                inputs: k.inputs.clone(),
                common: self.items(region_of(c, Part::Common), |_| 0),
                then: self.items(region_of(c, Part::True), |_| 0),
                otherwise: self.items(region_of(c, Part::False), |_| 0),
                outputs: k.exits.clone(),
            })
        }
    }

    /// The units of loop `c`'s body that its kWHILE condition depends on.
    fn while_cone(&self, c: usize) -> BTreeSet<Unit> {
        let mut cone = BTreeSet::new();
        let body = region_of(c, Part::Body);
        let Some(w) = self.p.constructs[c].while_ else { return cone };
        let mut stack = vec![w];
        while let Some(li) = stack.pop() {
            let l = &self.g.layers[li];
            for (slot, t) in l.inputs.iter().enumerate() {
                if super::is_back_edge(l.op, slot) {
                    continue;
                }
                let Some(p) = t.and_then(|t| self.producer[t]) else { continue };
                if let Some(u) = self.unit_in(p, body) {
                    if cone.insert(u) {
                        // A whole nested construct: everything it reads matters.
                        match u {
                            Unit::Layer(l) => stack.push(l),
                            Unit::Construct(n) => stack.extend(self.layers_of(n)),
                        }
                    }
                }
            }
        }
        cone
    }

    /// Every layer of construct `c` (boundaries, interior, nested constructs).
    fn layers_of(&self, c: usize) -> Vec<usize> {
        (0..self.g.layers.len()).filter(|&l| self.unit_in_construct(l, c)).collect()
    }

    fn unit_in_construct(&self, li: usize, c: usize) -> bool {
        let mut x = self.owner[li];
        for _ in 0..=self.p.constructs.len() {
            match x {
                Some(o) if o == c => return true,
                Some(o) => x = self.p.part(self.p.parent[o]).map(|(p, _)| p),
                None => return false,
            }
        }
        false
    }
}

/// Appends the layers of `items` in block order, filling in each loop's body range.
fn flatten(items: &mut [Item], out: &mut Vec<usize>) {
    for it in items {
        match it {
            Item::Layer(l) => out.push(*l),
            Item::Loop(b) => {
                b.start = out.len();
                flatten(&mut b.body, out);
                b.end = out.len().saturating_sub(1).max(b.start);
                out.extend(&b.outputs);
            }
            Item::Conditional(b) => {
                out.push(b.condition);
                out.extend(&b.inputs);
                flatten(&mut b.common, out);
                flatten(&mut b.then, out);
                flatten(&mut b.otherwise, out);
                out.extend(&b.outputs);
            }
        }
    }
}

/// The block order of `g`'s layers (a permutation of their indices) and its program, whose
/// layer indices are `g`'s and whose loop ranges are positions in that order.
pub fn arrange(g: &FlowGraph, p: &Placement) -> (Vec<usize>, Vec<Item>) {
    let a = Arranger::new(g, p);
    let mut items = a.items(ROOT, |_| 0);
    let mut order = Vec::with_capacity(g.layers.len());
    flatten(&mut items, &mut order);
    (order, items)
}

/// The program of a graph whose layers are already in block order; an error if they are not.
pub fn program(g: &FlowGraph, p: &Placement) -> Result<Vec<Item>> {
    let (order, items) = arrange(g, p);
    if order.len() != g.layers.len() {
        return Err(Error::internal(format!("block order covers {} of {} layers", order.len(), g.layers.len())));
    }
    if let Some(i) = order.iter().enumerate().position(|(i, &l)| i != l) {
        return Err(Error::invalid_argument(format!(
            "layer '{}' is out of place: loops and conditionals must be in block order",
            g.layers[order[i]].name
        )));
    }
    Ok(items)
}

/// Every loop block of a program, outermost first.
pub fn loops(items: &[Item]) -> Vec<&LoopBlock> {
    let mut out = vec![];
    let mut stack: Vec<&[Item]> = vec![items];
    while let Some(list) = stack.pop() {
        for it in list {
            match it {
                Item::Layer(_) => {}
                Item::Loop(b) => {
                    out.push(b);
                    stack.push(&b.body);
                }
                Item::Conditional(b) => {
                    stack.push(&b.common);
                    stack.push(&b.then);
                    stack.push(&b.otherwise);
                }
            }
        }
    }
    out
}
