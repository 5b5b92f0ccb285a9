//! Interval bounds of every shape expression over the ranges an optimization profile allows:
//! what the memory plan sizes tensors by, so no shape a profile accepts can outgrow its
//! memory. Arithmetic saturates; a bound that saturates is reported by the caller.

use super::{BinOp, Node, ShapeGraph, Symbol};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub lo: i64,
    pub hi: i64,
}

impl Interval {
    pub fn point(v: i64) -> Interval {
        Interval { lo: v, hi: v }
    }

    fn hull(values: impl IntoIterator<Item = i64>) -> Interval {
        let mut it = values.into_iter();
        let first = it.next().unwrap_or(0);
        let (lo, hi) = it.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v)));
        Interval { lo, hi }
    }
}

fn div_bound(op: BinOp, a: Interval, b: Interval) -> Interval {
    let div = |x: i64, y: i64| op.apply(x, y).unwrap_or(if (x < 0) == (y < 0) { i64::MAX } else { i64::MIN });
    if b.lo > 0 || b.hi < 0 {
        Interval::hull([div(a.lo, b.lo), div(a.lo, b.hi), div(a.hi, b.lo), div(a.hi, b.hi)])
    } else {
        // A divisor that may be zero fails when it is; any other divides by at least 1.
        let m = a.lo.saturating_abs().max(a.hi.saturating_abs());
        Interval { lo: -m, hi: m }
    }
}

fn bin_bound(op: BinOp, a: Interval, b: Interval) -> Interval {
    match op {
        BinOp::Sum => Interval { lo: a.lo.saturating_add(b.lo), hi: a.hi.saturating_add(b.hi) },
        BinOp::Sub => Interval { lo: a.lo.saturating_sub(b.hi), hi: a.hi.saturating_sub(b.lo) },
        BinOp::Prod => {
            Interval::hull([a.lo.saturating_mul(b.lo), a.lo.saturating_mul(b.hi), a.hi.saturating_mul(b.lo), a.hi.saturating_mul(b.hi)])
        }
        BinOp::Max => Interval { lo: a.lo.max(b.lo), hi: a.hi.max(b.hi) },
        BinOp::Min => Interval { lo: a.lo.min(b.lo), hi: a.hi.min(b.hi) },
        // Comparisons whose outcome the ranges decide are constants (so a select on them
        // keeps the bound of the branch it takes).
        BinOp::Equal if a.hi < b.lo || b.hi < a.lo => Interval::point(0),
        BinOp::Equal if a.lo == a.hi && b.lo == b.hi => Interval::point(1),
        BinOp::Less if a.hi < b.lo => Interval::point(1),
        BinOp::Less if a.lo >= b.hi => Interval::point(0),
        BinOp::Equal | BinOp::Less => Interval { lo: 0, hi: 1 },
        BinOp::FloorDiv | BinOp::CeilDiv => div_bound(op, a, b),
        BinOp::Broadcast => Interval { lo: a.lo.min(b.lo), hi: a.hi.max(b.hi) },
        BinOp::AtLeast => Interval { lo: a.lo.max(b.lo), hi: a.hi.max(b.lo) },
        BinOp::IsTrue => a,
        BinOp::AssertEq => {
            let (lo, hi) = (a.lo.max(b.lo), a.hi.min(b.hi));
            if lo <= hi {
                Interval { lo, hi }
            } else {
                a // can never succeed; evaluation reports it
            }
        }
    }
}

impl ShapeGraph {
    /// Bounds of every node. `symbol` gives the range of input dimensions and shape values
    /// (None: unbounded); a data-dependent count lies in [0, its bound].
    pub fn bounds(&self, symbol: impl Fn(Symbol) -> Option<Interval>) -> Vec<Interval> {
        let unbounded = Interval { lo: i64::MIN, hi: i64::MAX };
        let mut out: Vec<Interval> = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let v = match *node {
                Node::Const(c) => Interval::point(c),
                Node::Sym(Symbol::DataDependent { bound, .. }) => Interval { lo: 0, hi: out[bound as usize].hi.max(0) },
                Node::Sym(s) => symbol(s).unwrap_or(unbounded),
                Node::Bin(op, a, b) => bin_bound(op, out[a as usize], out[b as usize]),
                Node::Select(c, a, b) => {
                    let (c, a, b) = (out[c as usize], out[a as usize], out[b as usize]);
                    if c.lo == 0 && c.hi == 0 {
                        b
                    } else if c.lo > 0 || c.hi < 0 {
                        a
                    } else {
                        Interval { lo: a.lo.min(b.lo), hi: a.hi.max(b.hi) }
                    }
                }
            };
            out.push(v);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::*;

    #[test]
    fn bounds_follow_the_ranges() {
        let mut g = ShapeGraph::new();
        let n = g.symbol(Symbol::InputDim { input: 0, axis: 0 });
        let eight = g.constant(8);
        let v = g.mul(n, eight).unwrap();
        let two = g.constant(2);
        let h = g.floor_div(v, two).unwrap();
        let b = g.bounds(|_| Some(Interval { lo: 1, hi: 16 }));
        assert_eq!(b[v as usize], Interval { lo: 8, hi: 128 });
        assert_eq!(b[h as usize], Interval { lo: 4, hi: 64 });
    }

    #[test]
    fn comparisons_the_ranges_decide_are_constant() {
        let mut g = ShapeGraph::new();
        let n = g.symbol(Symbol::InputDim { input: 0, axis: 0 });
        let minus_one = g.constant(-1);
        let is_minus_one = g.op(BinOp::Equal, n, minus_one).unwrap();
        let below = g.op(BinOp::Less, minus_one, n).unwrap();
        let big = g.constant(1 << 40);
        let pick = g.select(is_minus_one, big, n);
        let b = g.bounds(|_| Some(Interval { lo: 0, hi: 16 }));
        assert_eq!(b[is_minus_one as usize], Interval::point(0));
        assert_eq!(b[below as usize], Interval::point(1));
        assert_eq!(b[pick as usize], Interval { lo: 0, hi: 16 });
        let b = g.bounds(|_| Some(Interval { lo: -1, hi: 16 }));
        assert_eq!(b[is_minus_one as usize], Interval { lo: 0, hi: 1 });
    }
}
