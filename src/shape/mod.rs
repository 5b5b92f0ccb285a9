//! Symbolic shapes. Every dimension (and every value of a shape tensor) is an expression in
//! one hash-consed graph: constants, symbols bound at run time (an input's dimension, a value
//! of a shape-tensor input, a count only known after a layer ran), and operations on them.
//! Equal expressions get equal ids, so two unknown dimensions with the same origin are known
//! equal. The same graph, stored in the plan, is the engine's shape program: a context binds
//! the symbols and evaluates every node in id order. Interval bounds over a profile's ranges
//! size the memory plan.

mod bounds;
mod eval;

pub use bounds::Interval;
pub use eval::Evaluation;

use crate::error::{Error, Result};
use std::collections::HashMap;

pub type ExprId = u32;

/// Binary operations, numbered as `nvinfer1::DimensionOperation` where TensorRT has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum BinOp {
    Sum = 0,
    Prod = 1,
    Max = 2,
    Min = 3,
    Sub = 4,
    Equal = 5,
    Less = 6,
    FloorDiv = 7,
    CeilDiv = 8,
    /// Broadcasting two dimensions: equal ones, or the other when one is 1; anything else
    /// is an error when evaluated.
    Broadcast = 100,
    /// The first operand, which must equal the second.
    AssertEq = 101,
    /// The first operand, which must be at least the second.
    AtLeast = 102,
    /// The first operand, which must not be 0 (an IAssertionLayer's condition); the second
    /// is ignored.
    IsTrue = 103,
}

impl BinOp {
    pub fn from_i32(v: i32) -> Option<BinOp> {
        use BinOp::*;
        Some(match v {
            0 => Sum,
            1 => Prod,
            2 => Max,
            3 => Min,
            4 => Sub,
            5 => Equal,
            6 => Less,
            7 => FloorDiv,
            8 => CeilDiv,
            100 => Broadcast,
            101 => AssertEq,
            102 => AtLeast,
            103 => IsTrue,
            _ => return None,
        })
    }

    fn commutative(self) -> bool {
        matches!(self, BinOp::Sum | BinOp::Prod | BinOp::Max | BinOp::Min | BinOp::Equal | BinOp::Broadcast)
    }

    /// The operation on known values; errors say what went wrong without context.
    pub fn apply(self, a: i64, b: i64) -> std::result::Result<i64, String> {
        let overflow = || format!("{a} {} {b} overflows", self.symbol());
        Ok(match self {
            BinOp::Sum => a.checked_add(b).ok_or_else(overflow)?,
            BinOp::Prod => a.checked_mul(b).ok_or_else(overflow)?,
            BinOp::Max => a.max(b),
            BinOp::Min => a.min(b),
            BinOp::Sub => a.checked_sub(b).ok_or_else(overflow)?,
            BinOp::Equal => (a == b) as i64,
            BinOp::Less => (a < b) as i64,
            BinOp::FloorDiv | BinOp::CeilDiv if b == 0 => return Err(format!("division of {a} by zero")),
            BinOp::FloorDiv | BinOp::CeilDiv => {
                // Truncating division, then one step toward -inf (floor) or +inf (ceil) when
                // there is a remainder on that side.
                let q = a.checked_div(b).ok_or_else(overflow)?;
                let inexact = a % b != 0;
                let negative = (a < 0) != (b < 0);
                match self {
                    BinOp::FloorDiv if inexact && negative => q - 1,
                    BinOp::CeilDiv if inexact && !negative => q + 1,
                    _ => q,
                }
            }
            BinOp::Broadcast if a == b || b == 1 => a,
            BinOp::Broadcast if a == 1 => b,
            BinOp::Broadcast => return Err(format!("dimensions {a} and {b} cannot be broadcast")),
            BinOp::AssertEq if a == b => a,
            BinOp::AssertEq => return Err(format!("{a} and {b} must be equal")),
            BinOp::AtLeast if a >= b => a,
            BinOp::AtLeast => return Err(format!("{a} is less than {b}")),
            BinOp::IsTrue if a != 0 => a,
            BinOp::IsTrue => return Err("the condition is false".to_string()),
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            BinOp::Sum => "+",
            BinOp::Prod => "*",
            BinOp::Max => "max",
            BinOp::Min => "min",
            BinOp::Sub => "-",
            BinOp::Equal => "==",
            BinOp::Less => "<",
            BinOp::FloorDiv => "floordiv",
            BinOp::CeilDiv => "ceildiv",
            BinOp::Broadcast => "broadcast",
            BinOp::AssertEq => "assert-equal",
            BinOp::AtLeast => "at-least",
            BinOp::IsTrue => "is-true",
        }
    }
}

/// Where a symbol's value comes from at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// Dimension `axis` of network input `input` (the tensor id in a network, the I/O
    /// index in an engine).
    InputDim { input: u32, axis: u32 },
    /// Element `index` of the values of shape-tensor input `input`.
    InputValue { input: u32, index: u32 },
    /// A number only known after layer `layer` ran (NonZero's count); at most `bound`.
    DataDependent { layer: u32, output: u32, bound: ExprId },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Const(i64),
    Sym(Symbol),
    Bin(BinOp, ExprId, ExprId),
    /// `cond != 0 ? a : b`.
    Select(ExprId, ExprId, ExprId),
}

/// The expression graph. Nodes only refer to earlier nodes, so id order is evaluation order.
#[derive(Clone, Debug, Default)]
pub struct ShapeGraph {
    nodes: Vec<Node>,
    index: HashMap<Node, ExprId>,
    /// What a checking node (Broadcast, AssertEq) checks, for run-time error messages.
    notes: HashMap<ExprId, String>,
}

impl ShapeGraph {
    pub fn new() -> ShapeGraph {
        ShapeGraph::default()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, id: ExprId) -> Node {
        self.nodes[id as usize]
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn note(&self, id: ExprId) -> Option<&str> {
        self.notes.get(&id).map(String::as_str)
    }

    pub fn notes(&self) -> impl Iterator<Item = (ExprId, &str)> {
        self.notes.iter().map(|(&k, v)| (k, v.as_str()))
    }

    /// Adds a node as it is (no folding); used when loading a plan, whose nodes must refer
    /// only to earlier ones.
    pub fn push_raw(&mut self, node: Node) -> Result<ExprId> {
        let n = self.nodes.len() as u32;
        let refers = |e: ExprId| {
            if e < n {
                Ok(())
            } else {
                Err(Error::invalid_argument(format!("shape expression {n} refers to a later expression {e}")))
            }
        };
        match node {
            Node::Const(_) => {}
            Node::Sym(Symbol::DataDependent { bound, .. }) => refers(bound)?,
            Node::Sym(_) => {}
            Node::Bin(_, a, b) => {
                refers(a)?;
                refers(b)?
            }
            Node::Select(c, a, b) => {
                refers(c)?;
                refers(a)?;
                refers(b)?
            }
        }
        Ok(self.intern(node))
    }

    pub fn set_note(&mut self, id: ExprId, note: impl Into<String>) {
        self.notes.entry(id).or_insert_with(|| note.into());
    }

    /// Prefixes the notes of the nodes from `first` on with `who` (the layer that added
    /// them), so a check failing at run time names its layer.
    pub fn attribute_notes(&mut self, first: usize, who: &str) {
        for id in first..self.nodes.len() {
            if let Some(note) = self.notes.get_mut(&(id as ExprId)) {
                *note = format!("{who}: {note}");
            }
        }
    }

    fn intern(&mut self, node: Node) -> ExprId {
        if let Some(&id) = self.index.get(&node) {
            return id;
        }
        let id = self.nodes.len() as ExprId;
        self.nodes.push(node);
        self.index.insert(node, id);
        id
    }

    pub fn constant(&mut self, v: i64) -> ExprId {
        self.intern(Node::Const(v))
    }

    pub fn symbol(&mut self, s: Symbol) -> ExprId {
        self.intern(Node::Sym(s))
    }

    /// The value of `id` if it is a constant.
    pub fn as_const(&self, id: ExprId) -> Option<i64> {
        match self.nodes.get(id as usize) {
            Some(Node::Const(v)) => Some(*v),
            _ => None,
        }
    }

    /// Dimensions for the API: constants as they are, anything else -1.
    pub fn known(&self, dims: &[ExprId]) -> Vec<i64> {
        dims.iter().map(|&d| self.as_const(d).unwrap_or(-1)).collect()
    }

    /// `a op b`, folded when both are known or an identity applies. Errors that can be
    /// known now (3 and 4 broadcast, an overflow) are returned now.
    pub fn op(&mut self, op: BinOp, a: ExprId, b: ExprId) -> Result<ExprId> {
        let (ca, cb) = (self.as_const(a), self.as_const(b));
        if let (Some(x), Some(y)) = (ca, cb) {
            return op.apply(x, y).map(|v| self.constant(v)).map_err(Error::invalid_argument);
        }
        let folded = match (op, ca, cb) {
            (BinOp::Sum, Some(0), _) | (BinOp::Prod, Some(1), _) | (BinOp::Broadcast, Some(1), _) => Some(b),
            (BinOp::Sum | BinOp::Sub, _, Some(0)) | (BinOp::Prod | BinOp::FloorDiv | BinOp::CeilDiv, _, Some(1)) => Some(a),
            (BinOp::Broadcast, _, Some(1)) => Some(a),
            (BinOp::Prod, Some(0), _) | (BinOp::Prod, _, Some(0)) => Some(self.constant(0)),
            _ if a == b && matches!(op, BinOp::Max | BinOp::Min | BinOp::Broadcast | BinOp::AssertEq) => Some(a),
            _ if a == b && op == BinOp::Sub => Some(self.constant(0)),
            _ if a == b && op == BinOp::Equal => Some(self.constant(1)),
            _ if a == b && op == BinOp::Less => Some(self.constant(0)),
            _ => None,
        };
        if let Some(id) = folded {
            return Ok(id);
        }
        let (a, b) = if op.commutative() && b < a { (b, a) } else { (a, b) };
        Ok(self.intern(Node::Bin(op, a, b)))
    }

    pub fn select(&mut self, cond: ExprId, a: ExprId, b: ExprId) -> ExprId {
        match self.as_const(cond) {
            Some(0) => b,
            Some(_) => a,
            None if a == b => a,
            None => self.intern(Node::Select(cond, a, b)),
        }
    }

    pub fn add(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        self.op(BinOp::Sum, a, b)
    }
    pub fn sub(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        self.op(BinOp::Sub, a, b)
    }
    pub fn mul(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        self.op(BinOp::Prod, a, b)
    }
    pub fn floor_div(&mut self, a: ExprId, b: ExprId) -> Result<ExprId> {
        self.op(BinOp::FloorDiv, a, b)
    }

    /// `a op b` for a checking operation: a failure known now is an error naming `what`; a
    /// node left for run time keeps `what` for its message.
    fn checked(&mut self, op: BinOp, a: ExprId, b: ExprId, what: impl FnOnce() -> String) -> Result<ExprId> {
        match self.op(op, a, b) {
            Err(e) => Err(Error::invalid_argument(format!("{}: {}", what(), e.message))),
            Ok(id) => {
                if matches!(self.node(id), Node::Bin(o, ..) if o == op) {
                    self.set_note(id, what());
                }
                Ok(id)
            }
        }
    }

    /// `v`, checked to be non-zero when the network is built or run, never now (adding an
    /// IAssertionLayer whose condition is false is not an error yet). `tag` keeps the checks of
    /// different layers on one value apart, each with its own message `what`.
    pub fn is_true_later(&mut self, v: ExprId, tag: i64, what: impl FnOnce() -> String) -> Result<ExprId> {
        if self.as_const(v).is_some_and(|x| x != 0) {
            return Ok(v);
        }
        let t = self.constant(tag);
        let id = self.push_raw(Node::Bin(BinOp::IsTrue, v, t))?;
        self.set_note(id, what());
        Ok(id)
    }

    /// Broadcast of two dimensions; `what` explains a failure.
    pub fn broadcast(&mut self, a: ExprId, b: ExprId, what: impl FnOnce() -> String) -> Result<ExprId> {
        self.checked(BinOp::Broadcast, a, b, what)
    }

    /// `a`, checked equal to `b`; `what` explains a failure (now or at run time).
    pub fn assert_eq(&mut self, a: ExprId, b: ExprId, what: impl FnOnce() -> String) -> Result<ExprId> {
        self.checked(BinOp::AssertEq, a, b, what)
    }

    /// `a`, checked to be at least `min`; `what` explains a failure (now or at run time).
    pub fn at_least(&mut self, a: ExprId, min: i64, what: impl FnOnce() -> String) -> Result<ExprId> {
        let m = self.constant(min);
        self.checked(BinOp::AtLeast, a, m, what)
    }

    /// Product of `dims` (1 for none); an overflow of known values is an error now.
    pub fn volume(&mut self, dims: &[ExprId]) -> Result<ExprId> {
        let mut v = self.constant(1);
        for &d in dims {
            v = self.mul(v, d).map_err(|_| Error::invalid_argument("the number of elements overflows 64 bits".to_string()))?;
        }
        Ok(v)
    }

    /// Constant dimensions as expressions.
    pub fn constants(&mut self, values: &[i64]) -> Vec<ExprId> {
        values.iter().map(|&v| self.constant(v)).collect()
    }

    /// Copies the expressions `roots` (and what they depend on) from `other` into `self`;
    /// returns a map from `other`'s ids to `self`'s (None for nodes not needed).
    pub fn import(&mut self, other: &ShapeGraph, roots: impl IntoIterator<Item = ExprId>) -> Vec<Option<ExprId>> {
        let mut needed = vec![false; other.nodes.len()];
        let mut stack: Vec<ExprId> = roots.into_iter().collect();
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut needed[id as usize], true) {
                continue;
            }
            match other.nodes[id as usize] {
                Node::Const(_) => {}
                Node::Sym(Symbol::DataDependent { bound, .. }) => stack.push(bound),
                Node::Sym(_) => {}
                Node::Bin(_, a, b) => stack.extend([a, b]),
                Node::Select(c, a, b) => stack.extend([c, a, b]),
            }
        }
        let mut map: Vec<Option<ExprId>> = vec![None; other.nodes.len()];
        for (id, node) in other.nodes.iter().enumerate() {
            if !needed[id] {
                continue;
            }
            let m = |e: ExprId| map[e as usize].expect("operands come first");
            let new = match *node {
                Node::Const(v) => Node::Const(v),
                Node::Sym(Symbol::DataDependent { layer, output, bound }) => {
                    Node::Sym(Symbol::DataDependent { layer, output, bound: m(bound) })
                }
                Node::Sym(s) => Node::Sym(s),
                Node::Bin(op, a, b) => Node::Bin(op, m(a), m(b)),
                Node::Select(c, a, b) => Node::Select(m(c), m(a), m(b)),
            };
            let nid = self.intern(new);
            if let Some(n) = other.notes.get(&(id as ExprId)) {
                self.set_note(nid, n.clone());
            }
            map[id] = Some(nid);
        }
        map
    }

    /// Rewrites symbols (e.g. network tensor ids to engine I/O indices) through `f`.
    pub fn map_symbols(&self, f: impl Fn(Symbol) -> Result<Symbol>) -> Result<ShapeGraph> {
        let mut out = ShapeGraph::new();
        for (id, node) in self.nodes.iter().enumerate() {
            let node = match *node {
                Node::Sym(s) => Node::Sym(f(s)?),
                n => n,
            };
            // Ids stay the same: nodes are pushed in the same order, and mapping keeps
            // distinct symbols distinct (a mapping that merges two would be a bug).
            out.nodes.push(node);
            if out.index.insert(node, id as ExprId).is_some() {
                return Err(Error::internal("symbol mapping merged two expressions"));
            }
        }
        out.notes = self.notes.clone();
        Ok(out)
    }

    /// A readable form of an expression, for messages.
    pub fn describe(&self, id: ExprId) -> String {
        match self.nodes[id as usize] {
            Node::Const(v) => v.to_string(),
            Node::Sym(Symbol::InputDim { input, axis }) => format!("in{input}.d{axis}"),
            Node::Sym(Symbol::InputValue { input, index }) => format!("in{input}.v{index}"),
            Node::Sym(Symbol::DataDependent { layer, output, .. }) => format!("layer{layer}.out{output}.count"),
            Node::Bin(op, a, b) => format!("({} {} {})", self.describe(a), op.symbol(), self.describe(b)),
            Node::Select(c, a, b) => format!("({} ? {} : {})", self.describe(c), self.describe(a), self.describe(b)),
        }
    }
}

/// `[1,-1,8]`-style text of symbolic dimensions.
pub fn dims_text(g: &ShapeGraph, dims: &[ExprId]) -> String {
    crate::types::dims_str(&g.known(dims))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_identity() {
        let mut g = ShapeGraph::new();
        let n = g.symbol(Symbol::InputDim { input: 0, axis: 0 });
        let one = g.constant(1);
        let eight = g.constant(8);
        assert_eq!(g.mul(n, one).unwrap(), n);
        assert_eq!(g.broadcast(one, n, || "x".into()).unwrap(), n);
        let a = g.mul(n, eight).unwrap();
        let b = g.mul(eight, n).unwrap();
        assert_eq!(a, b, "commutative operations are canonical");
        let (three, four) = (g.constant(3), g.constant(4));
        assert!(g.broadcast(three, four, || "ab".into()).is_err());
        let big = g.constant(i64::MAX);
        assert!(g.mul(big, eight).is_err());
    }

    #[test]
    fn floor_and_ceil_division_round_as_python() {
        assert_eq!(BinOp::FloorDiv.apply(-7, 2), Ok(-4));
        assert_eq!(BinOp::FloorDiv.apply(7, -2), Ok(-4));
        assert_eq!(BinOp::FloorDiv.apply(7, 2), Ok(3));
        assert_eq!(BinOp::CeilDiv.apply(7, 2), Ok(4));
        assert_eq!(BinOp::CeilDiv.apply(-7, 2), Ok(-3));
        assert!(BinOp::FloorDiv.apply(1, 0).is_err());
    }
}
