//! Placement: the region of every layer. Regions form a tree: the network (region 0), each
//! loop's body, and each conditional with its true and false branches inside it. A
//! construct sits in its parent region, where its exits (loop or conditional outputs) and
//! its condition are; its other boundary layers are inside it.
//!
//! A layer's region is derived from the graph in two passes over a topological order:
//! forward, a layer goes where its deepest input is (into a loop body when it depends on a
//! recurrence or iterator, into a conditional when it depends on one of its inputs); then
//! backward, a layer that only the true (false) outputs of a conditional need moves into
//! that branch, and every tensor is checked to be used only where its region is visible.
//! A construct whose body reads a tensor of a region it is not in moves into that region
//! (the passes run again until nothing moves).

use super::{Boundary, BoundaryKind, Construct, FlowGraph};
use crate::error::{Error, Result};
use std::collections::HashMap;

pub type RegionId = usize;

/// The region outside every construct.
pub const ROOT: RegionId = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// A loop's body.
    Body,
    /// A conditional, outside its branches (its inputs; what both branches need).
    Common,
    True,
    False,
}

/// A construct's boundary layers, by role.
#[derive(Clone, Debug)]
pub struct ConstructLayers {
    pub construct: Construct,
    pub recurrences: Vec<usize>,
    pub count: Option<usize>,
    pub while_: Option<usize>,
    pub iterators: Vec<usize>,
    /// Loop outputs, or conditional outputs.
    pub exits: Vec<usize>,
    pub condition: Option<usize>,
    pub inputs: Vec<usize>,
}

impl ConstructLayers {
    fn new(construct: Construct) -> ConstructLayers {
        ConstructLayers {
            construct,
            recurrences: vec![],
            count: None,
            while_: None,
            iterators: vec![],
            exits: vec![],
            condition: None,
            inputs: vec![],
        }
    }

    pub fn is_loop(&self) -> bool {
        matches!(self.construct, Construct::Loop(_))
    }

    /// Every boundary layer.
    pub fn all(&self) -> impl Iterator<Item = usize> + '_ {
        self.recurrences
            .iter()
            .chain(&self.count)
            .chain(&self.while_)
            .chain(&self.iterators)
            .chain(&self.exits)
            .chain(&self.condition)
            .chain(&self.inputs)
            .copied()
    }
}

/// The placement of a graph's layers.
#[derive(Clone, Debug)]
pub struct Placement {
    pub constructs: Vec<ConstructLayers>,
    /// Each construct's parent region.
    pub parent: Vec<RegionId>,
    /// Each layer's region.
    pub region: Vec<RegionId>,
    /// The construct each boundary layer belongs to.
    pub boundary: Vec<Option<(usize, BoundaryKind)>>,
    /// Construct names for messages.
    names: Vec<String>,
}

/// The region of part `part` of construct `c`.
pub fn region_of(c: usize, part: Part) -> RegionId {
    1 + 3 * c
        + match part {
            Part::Body | Part::Common => 0,
            Part::True => 1,
            Part::False => 2,
        }
}

impl Placement {
    /// The construct and part of a region (None for the root).
    pub fn part(&self, r: RegionId) -> Option<(usize, Part)> {
        if r == ROOT {
            return None;
        }
        let c = (r - 1) / 3;
        let part = match ((r - 1) % 3, self.constructs[c].is_loop()) {
            (0, true) => Part::Body,
            (0, false) => Part::Common,
            (1, _) => Part::True,
            _ => Part::False,
        };
        Some((c, part))
    }

    pub fn region_parent(&self, r: RegionId) -> Option<RegionId> {
        match self.part(r)? {
            (c, Part::Body | Part::Common) => Some(self.parent[c]),
            (c, _) => Some(region_of(c, Part::Common)),
        }
    }

    /// Whether `a` is `b` or contains it.
    pub fn contains(&self, a: RegionId, b: RegionId) -> bool {
        let mut r = Some(b);
        let mut steps = 0;
        while let Some(x) = r {
            if x == a {
                return true;
            }
            r = self.region_parent(x);
            steps += 1;
            if steps > 3 * self.constructs.len() + 2 {
                return false; // a cycle of parents; refused where it arises
            }
        }
        false
    }

    fn path(&self, r: RegionId) -> Vec<RegionId> {
        let mut out = vec![r];
        let mut x = r;
        while let Some(p) = self.region_parent(x) {
            if out.len() > 3 * self.constructs.len() + 2 {
                break;
            }
            out.push(p);
            x = p;
        }
        out.reverse();
        out
    }

    /// The innermost region containing both.
    pub fn common(&self, a: RegionId, b: RegionId) -> RegionId {
        let (pa, pb) = (self.path(a), self.path(b));
        pa.iter().zip(&pb).take_while(|(x, y)| x == y).last().map(|(x, _)| *x).unwrap_or(ROOT)
    }

    /// The child of `outer` on the way to `inner` (which `outer` strictly contains).
    fn child_toward(&self, outer: RegionId, inner: RegionId) -> RegionId {
        let p = self.path(inner);
        let i = p.iter().position(|&x| x == outer).unwrap_or(0);
        p.get(i + 1).copied().unwrap_or(inner)
    }

    pub fn construct_name(&self, c: usize) -> &str {
        &self.names[c]
    }

    /// A region in words, for messages.
    pub fn describe(&self, r: RegionId) -> String {
        match self.part(r) {
            None => "the network outside every loop and conditional".into(),
            Some((c, Part::Body)) => format!("the body of loop '{}'", self.names[c]),
            Some((c, Part::Common)) => format!("conditional '{}'", self.names[c]),
            Some((c, Part::True)) => format!("the true branch of conditional '{}'", self.names[c]),
            Some((c, Part::False)) => format!("the false branch of conditional '{}'", self.names[c]),
        }
    }

    /// The region a boundary layer is in.
    fn boundary_region(&self, c: usize, kind: BoundaryKind) -> RegionId {
        match kind {
            BoundaryKind::Recurrence | BoundaryKind::TripLimit { .. } | BoundaryKind::Iterator { .. } => region_of(c, Part::Body),
            BoundaryKind::ConditionalInput => region_of(c, Part::Common),
            BoundaryKind::LoopOutput { .. } | BoundaryKind::Condition | BoundaryKind::ConditionalOutput => self.parent[c],
        }
    }

    /// Where input `slot` of layer `l` is read: the layer's region, except at the
    /// boundaries (an initial value is read outside its loop, a conditional output's inputs
    /// in their branches).
    pub fn reading_region(&self, l: usize, slot: usize) -> RegionId {
        let Some((c, kind)) = self.boundary[l] else { return self.region[l] };
        let (body, outer) = (region_of(c, Part::Body), self.parent[c]);
        match (kind, slot) {
            (BoundaryKind::Recurrence, 1) => body,
            (BoundaryKind::Recurrence, _) => outer,
            (BoundaryKind::TripLimit { while_: true }, _) => body,
            (BoundaryKind::TripLimit { while_: false }, _) => outer,
            (BoundaryKind::Iterator { .. }, _) => outer,
            (BoundaryKind::LoopOutput { .. }, 0) => body,
            (BoundaryKind::LoopOutput { .. }, _) => outer,
            (BoundaryKind::Condition | BoundaryKind::ConditionalInput, _) => outer,
            (BoundaryKind::ConditionalOutput, 0) => region_of(c, Part::True),
            (BoundaryKind::ConditionalOutput, _) => region_of(c, Part::False),
        }
    }

    /// Whether input `slot` of a boundary layer comes from outside its construct (so the
    /// construct is placed where that tensor is visible).
    /// `count_limit`: the layer is its loop's kCOUNT limit (told apart by the construct
    /// rather than by the kind's flag, which optimized code reads in a way memcheck reports
    /// for the other kinds).
    fn outer_slot(kind: BoundaryKind, slot: usize, count_limit: bool) -> bool {
        match kind {
            BoundaryKind::Recurrence => slot == 0,
            BoundaryKind::TripLimit { .. } => count_limit,
            BoundaryKind::Iterator { .. } | BoundaryKind::Condition | BoundaryKind::ConditionalInput => true,
            BoundaryKind::LoopOutput { .. } => slot == 1,
            BoundaryKind::ConditionalOutput => false,
        }
    }
}

/// How two regions a layer reads from combine.
enum Join {
    /// The deeper of the two (one contains the other).
    Deeper(RegionId),
    /// Construct `c` must move into region `into` (its body reads a tensor there).
    Move(usize, RegionId),
    /// The two sides of one conditional.
    Conflict,
}

/// Each construct's boundary layers, each layer's construct and role, the constructs' names.
type Collected = (Vec<ConstructLayers>, Vec<Option<(usize, BoundaryKind)>>, Vec<String>);

/// Groups boundary layers by construct and checks each construct's set of them.
fn collect(g: &FlowGraph, loop_names: &[&str], conditional_names: &[&str]) -> Result<Collected> {
    let mut index: HashMap<Construct, usize> = HashMap::new();
    let mut constructs: Vec<ConstructLayers> = vec![];
    let mut boundary = vec![None; g.layers.len()];
    for (li, l) in g.layers.iter().enumerate() {
        let Some(Boundary { construct, kind }) = l.op.control() else { continue };
        let c = *index.entry(construct).or_insert_with(|| {
            constructs.push(ConstructLayers::new(construct));
            constructs.len() - 1
        });
        boundary[li] = Some((c, kind));
        let k = &mut constructs[c];
        let twice = |slot: &mut Option<usize>, what: &str| -> Result<()> {
            match slot.replace(li) {
                None => Ok(()),
                Some(_) => Err(Error::invalid_argument(format!("{} has more than one {what}", construct.describe()))),
            }
        };
        match kind {
            BoundaryKind::Recurrence => k.recurrences.push(li),
            BoundaryKind::TripLimit { while_: false } => twice(&mut k.count, "kCOUNT trip limit")?,
            BoundaryKind::TripLimit { while_: true } => twice(&mut k.while_, "kWHILE trip limit")?,
            BoundaryKind::Iterator { .. } => k.iterators.push(li),
            BoundaryKind::LoopOutput { .. } | BoundaryKind::ConditionalOutput => k.exits.push(li),
            BoundaryKind::Condition => twice(&mut k.condition, "condition (IIfConditional::setCondition)")?,
            BoundaryKind::ConditionalInput => k.inputs.push(li),
        }
    }
    let mut names = Vec::with_capacity(constructs.len());
    for k in &constructs {
        let name = |list: &[&str], i: u32, what: &str| list.get(i as usize).map(|s| s.to_string()).unwrap_or_else(|| format!("{what} {i}"));
        let name = match k.construct {
            Construct::Loop(i) => name(loop_names, i, "loop"),
            Construct::Conditional(i) => name(conditional_names, i, "conditional"),
        };
        if k.is_loop() && k.count.is_none() && k.while_.is_none() {
            return Err(Error::invalid_argument(format!("loop '{name}' has no trip limit: add one with ILoop::addTripLimit")));
        }
        if !k.is_loop() && k.condition.is_none() {
            return Err(Error::invalid_argument(format!(
                "conditional '{name}' has no condition: set one with IIfConditional::setCondition"
            )));
        }
        if !k.is_loop() && k.exits.is_empty() {
            return Err(Error::invalid_argument(format!("conditional '{name}' has no output: add one with IIfConditional::addOutput")));
        }
        names.push(name);
    }
    Ok((constructs, boundary, names))
}

/// A topological order of the layers without back edges, in which every boundary layer of a
/// construct follows the producers of all the construct's outer inputs (so the construct's
/// place is known when its first boundary layer is reached).
fn order(g: &FlowGraph, constructs: &[ConstructLayers], boundary: &[Option<(usize, BoundaryKind)>]) -> Result<Vec<usize>> {
    let n = g.layers.len();
    let mut producer = vec![None; g.tensors];
    for (li, l) in g.layers.iter().enumerate() {
        for &o in l.outputs {
            if o < g.tensors {
                producer[o] = Some(li);
            }
        }
    }
    let mut preds: Vec<Vec<usize>> = vec![vec![]; n];
    for (li, l) in g.layers.iter().enumerate() {
        for (slot, t) in l.inputs.iter().enumerate() {
            let Some(p) = t.and_then(|t| producer.get(t).copied().flatten()) else { continue };
            if !super::is_back_edge(l.op, slot) {
                preds[li].push(p);
            }
        }
    }
    for k in constructs {
        let mut outer = vec![];
        for b in k.all() {
            let (_, kind) = boundary[b].expect("a boundary layer");
            for (slot, t) in g.layers[b].inputs.iter().enumerate() {
                if Placement::outer_slot(kind, slot, k.count == Some(b)) {
                    outer.extend(t.and_then(|t| producer.get(t).copied().flatten()));
                }
            }
        }
        for b in k.all() {
            preds[b].extend(outer.iter().copied());
        }
    }
    let mut succs: Vec<Vec<usize>> = vec![vec![]; n];
    let mut missing = vec![0usize; n];
    for (li, ps) in preds.iter_mut().enumerate() {
        ps.sort_unstable();
        ps.dedup();
        missing[li] = ps.len();
        for &p in ps.iter() {
            succs[p].push(li);
        }
    }
    // Smallest index first, so an order that is already topological stays as it is.
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&i| missing[i] == 0).collect();
    let mut out = Vec::with_capacity(n);
    while let Some(li) = ready.pop_first() {
        out.push(li);
        for &s in &succs[li] {
            missing[s] -= 1;
            if missing[s] == 0 {
                ready.insert(s);
            }
        }
    }
    if out.len() != n {
        let stuck = (0..n).find(|&i| missing[i] > 0).map(|i| g.layers[i].name).unwrap_or("?");
        return Err(Error::invalid_argument(format!(
            "the network has a cycle through layer '{stuck}' (a loop or conditional may not depend on its own interior except through a recurrence's next value)"
        )));
    }
    Ok(out)
}

/// Places every layer of `g`; `loop_names` and `conditional_names` name constructs in
/// messages (engines have none: constructs are then called by index).
pub fn place(g: &FlowGraph, loop_names: &[&str], conditional_names: &[&str]) -> Result<Placement> {
    let (constructs, boundary, names) = collect(g, loop_names, conditional_names)?;
    let order = order(g, &constructs, &boundary)?;
    let nc = constructs.len();
    let mut p = Placement { parent: vec![ROOT; nc], region: vec![ROOT; g.layers.len()], constructs, boundary, names };
    let mut at_least = vec![ROOT; nc];
    let mut rounds = 0;
    loop {
        match forward(g, &mut p, &order, &at_least)? {
            None => break,
            Some((c, into)) => {
                // A construct only ever moves deeper; one that would move into itself or
                // across two branches cannot be placed.
                if p.contains(region_of(c, Part::Body), into) || !(p.contains(at_least[c], into) || p.contains(into, at_least[c])) {
                    return Err(Error::invalid_argument(format!(
                        "'{}' reads tensors from regions that do not nest ({} and {})",
                        p.names[c],
                        p.describe(into),
                        p.describe(at_least[c])
                    )));
                }
                if p.contains(at_least[c], into) {
                    at_least[c] = into;
                }
            }
        }
        rounds += 1;
        if rounds > 4 * (nc + 1) * (nc + 1) {
            return Err(Error::internal("the placement of loops and conditionals does not settle"));
        }
    }
    backward(g, &mut p, &order)?;
    Ok(p)
}

/// The tensor names of a graph for messages.
fn tensor_name(g: &FlowGraph, t: usize) -> String {
    for l in &g.layers {
        if let Some(i) = l.outputs.iter().position(|&o| o == t) {
            return if l.outputs.len() == 1 {
                format!("the output of layer '{}'", l.name)
            } else {
                format!("output {i} of layer '{}'", l.name)
            };
        }
    }
    format!("tensor {t}")
}

impl Placement {
    fn join(&self, a: RegionId, b: RegionId) -> Join {
        if self.contains(a, b) {
            return Join::Deeper(b);
        }
        if self.contains(b, a) {
            return Join::Deeper(a);
        }
        let l = self.common(a, b);
        let (ca, cb) = (self.child_toward(l, a), self.child_toward(l, b));
        match (self.part(ca), self.part(cb)) {
            // A conditional placed beside the other region moves into it, before a loop does
            // (a loop moved into another loop's body would run once per iteration).
            (Some((c, Part::Common)), _) => Join::Move(c, b),
            (_, Some((c, Part::Common))) => Join::Move(c, a),
            (_, Some((c, Part::Body))) => Join::Move(c, a),
            (Some((c, Part::Body)), _) => Join::Move(c, b),
            _ => Join::Conflict,
        }
    }
}

/// One forward pass: regions from inputs; returns a construct that must move, if any.
fn forward(g: &FlowGraph, p: &mut Placement, order: &[usize], at_least: &[RegionId]) -> Result<Option<(usize, RegionId)>> {
    let mut tensor_region = vec![ROOT; g.tensors];
    let mut placed = vec![false; p.constructs.len()];
    p.parent.copy_from_slice(at_least);
    for &li in order {
        let l = &g.layers[li];
        let read = |slot: usize| l.inputs.get(slot).copied().flatten().map(|t| tensor_region[t]);
        let region = match p.boundary[li] {
            None => {
                let mut r = ROOT;
                for slot in 0..l.inputs.len() {
                    let Some(x) = read(slot) else { continue };
                    match p.join(r, x) {
                        Join::Deeper(d) => r = d,
                        Join::Move(c, into) => return Ok(Some((c, into))),
                        Join::Conflict => {
                            return Err(Error::invalid_argument(format!(
                                "layer '{}' reads tensors of {} and of {}",
                                l.name,
                                p.describe(r),
                                p.describe(x)
                            )))
                        }
                    }
                }
                r
            }
            Some((c, kind)) => {
                if !placed[c] {
                    // The construct goes where its outer inputs are (and at least where it
                    // had to move).
                    placed[c] = true;
                    for b in p.constructs[c].all().collect::<Vec<_>>() {
                        let (_, k) = p.boundary[b].expect("boundary");
                        for (slot, t) in g.layers[b].inputs.iter().enumerate() {
                            let count_limit = p.constructs[c].count == Some(b);
                            let Some(t) = t.filter(|_| Placement::outer_slot(k, slot, count_limit)) else { continue };
                            match p.join(p.parent[c], tensor_region[t]) {
                                Join::Deeper(d) => p.parent[c] = d,
                                Join::Move(m, into) => return Ok(Some((m, into))),
                                Join::Conflict => {
                                    return Err(Error::invalid_argument(format!(
                                        "{} '{}' reads tensors of {} and of {}",
                                        if p.constructs[c].is_loop() { "loop" } else { "conditional" },
                                        p.names[c],
                                        p.describe(p.parent[c]),
                                        p.describe(tensor_region[t])
                                    )))
                                }
                            }
                        }
                    }
                }
                // Every input must be visible where this boundary layer reads it.
                for slot in 0..l.inputs.len() {
                    if super::is_back_edge(l.op, slot) {
                        continue;
                    }
                    let Some(x) = read(slot) else { continue };
                    let at = p.reading_region(li, slot);
                    match p.join(at, x) {
                        Join::Deeper(d) if d == at => {}
                        Join::Deeper(_) => {
                            return Err(Error::invalid_argument(format!(
                                "layer '{}' reads input {slot} from {}, which it cannot see from {}",
                                l.name,
                                p.describe(x),
                                p.describe(at)
                            )))
                        }
                        Join::Move(m, into) => return Ok(Some((m, into))),
                        Join::Conflict => {
                            return Err(Error::invalid_argument(format!(
                                "layer '{}' reads input {slot} from {}, which it cannot see from {}",
                                l.name,
                                p.describe(x),
                                p.describe(at)
                            )))
                        }
                    }
                }
                p.boundary_region(c, kind)
            }
        };
        p.region[li] = region;
        for &o in l.outputs {
            tensor_region[o] = region;
        }
    }
    // Back edges, now that every producer is placed: a next value is computed in its loop's
    // body or outside it.
    for (li, l) in g.layers.iter().enumerate() {
        for slot in 0..l.inputs.len() {
            if !super::is_back_edge(l.op, slot) {
                continue;
            }
            let Some(t) = l.inputs[slot] else { continue };
            let at = p.reading_region(li, slot);
            match p.join(at, tensor_region[t]) {
                Join::Deeper(d) if d == at => {}
                Join::Move(m, into) => return Ok(Some((m, into))),
                _ => {
                    return Err(Error::invalid_argument(format!(
                        "recurrence '{}': its next value (input 1) is computed in {}, not in {}",
                        l.name,
                        p.describe(tensor_region[t]),
                        p.describe(at)
                    )))
                }
            }
        }
    }
    Ok(None)
}

/// The backward pass: every tensor is used only where its region is visible; layers that
/// only one branch of a conditional needs move into that branch (constructs too).
fn backward(g: &FlowGraph, p: &mut Placement, order: &[usize]) -> Result<()> {
    // Who reads each tensor, and from where.
    let mut readers: Vec<Vec<(usize, usize)>> = vec![vec![]; g.tensors];
    for (li, l) in g.layers.iter().enumerate() {
        for (slot, t) in l.inputs.iter().enumerate() {
            if let Some(t) = t {
                readers[*t].push((li, slot));
            }
        }
    }
    let mut is_output = vec![false; g.tensors];
    for &t in &g.outputs {
        is_output[t] = true;
    }
    let mut exits_left: Vec<usize> = p.constructs.iter().map(|k| k.exits.len()).collect();
    for &li in order.iter().rev() {
        let l = &g.layers[li];
        // The innermost region containing every use of this layer's outputs.
        let mut need: Option<RegionId> = None;
        let widen = |r: RegionId, need: &mut Option<RegionId>| *need = Some(need.map_or(r, |n| p.common(n, r)));
        for &o in l.outputs {
            for &(r, slot) in &readers[o] {
                widen(p.reading_region(r, slot), &mut need);
            }
            if is_output[o] {
                widen(ROOT, &mut need);
            }
        }
        let here = p.region[li];
        if let Some(n) = need {
            if !p.contains(here, n) {
                return Err(used_outside(g, p, li, here, &readers, &is_output));
            }
        }
        match p.boundary[li] {
            None => {
                if let Some(n) = need {
                    p.region[li] = lazily(p, here, n);
                }
            }
            Some((c, BoundaryKind::LoopOutput { .. } | BoundaryKind::ConditionalOutput)) => {
                // The construct moves once all its exits are known.
                let n =
                    p.constructs[c].exits.iter().filter_map(|&e| exit_need(g, p, e, &readers, &is_output)).reduce(|a, b| p.common(a, b));
                exits_left[c] -= 1;
                if exits_left[c] == 0 {
                    if let Some(n) = n {
                        let to = lazily(p, p.parent[c], n);
                        p.parent[c] = to;
                        for &e in &p.constructs[c].exits.clone() {
                            p.region[e] = to;
                        }
                        if let Some(cond) = p.constructs[c].condition {
                            p.region[cond] = to;
                        }
                    }
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Where the output of exit layer `e` is needed.
fn exit_need(g: &FlowGraph, p: &Placement, e: usize, readers: &[Vec<(usize, usize)>], is_output: &[bool]) -> Option<RegionId> {
    let mut need: Option<RegionId> = None;
    for &o in g.layers[e].outputs {
        for &(r, slot) in &readers[o] {
            let at = p.reading_region(r, slot);
            need = Some(need.map_or(at, |n| p.common(n, at)));
        }
        if is_output[o] {
            need = Some(ROOT);
        }
    }
    need
}

/// `from` moved toward `need` through conditionals and branches only (never into a loop
/// body: what a loop only reads is computed once, outside it).
fn lazily(p: &Placement, from: RegionId, need: RegionId) -> RegionId {
    let mut at = from;
    while at != need && p.contains(at, need) {
        let next = p.child_toward(at, need);
        if matches!(p.part(next), Some((_, Part::Body)) | None) {
            break;
        }
        at = next;
    }
    at
}

fn used_outside(g: &FlowGraph, p: &Placement, li: usize, here: RegionId, readers: &[Vec<(usize, usize)>], is_output: &[bool]) -> Error {
    let l = &g.layers[li];
    let how = match p.part(here) {
        Some((_, Part::Body)) => "data leaves a loop only through an ILoopOutputLayer",
        _ => "data leaves a conditional only through an IIfConditionalOutputLayer",
    };
    for &o in l.outputs {
        if is_output[o] {
            return Error::invalid_argument(format!(
                "{} is computed in {} but is a network output; {how}",
                tensor_name(g, o),
                p.describe(here)
            ));
        }
        for &(r, slot) in &readers[o] {
            if !p.contains(here, p.reading_region(r, slot)) {
                return Error::invalid_argument(format!(
                    "{} is computed in {} but used outside it by layer '{}'; {how}",
                    tensor_name(g, o),
                    p.describe(here),
                    g.layers[r].name
                ));
            }
        }
    }
    Error::internal(format!("layer '{}' is used outside {}", l.name, p.describe(here)))
}
