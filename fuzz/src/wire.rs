//! Schema-free protobuf mutation: a message is parsed into a tree of fields (length-delimited
//! fields that parse as messages become subtrees), fields are inserted, removed, duplicated,
//! reordered, renumbered or rewritten, and the tree is encoded again. Used on parts the typed
//! mutators do not model: layer parameters in plans, unknown fields, type confusion (a field
//! number reused with another wire type).

use crate::rng::Rng;

#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Varint(u64),
    I64(u64),
    I32(u32),
    Bytes(Vec<u8>),
    Msg(Vec<Field>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub num: u32,
    pub val: Val,
}

const MAX_DEPTH: usize = 12;

fn read_varint(b: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*pos)?;
        *pos += 1;
        v |= ((byte & 0x7f) as u64) << shift;
        if byte & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

pub fn write_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Parses a whole buffer as a message; None if it is not one (or is nested too deep).
pub fn parse(b: &[u8]) -> Option<Vec<Field>> {
    parse_at(b, 0)
}

fn parse_at(b: &[u8], depth: usize) -> Option<Vec<Field>> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut pos = 0;
    let mut fields = Vec::new();
    while pos < b.len() {
        let key = read_varint(b, &mut pos)?;
        let num = u32::try_from(key >> 3).ok().filter(|&n| n > 0 && n < (1 << 29))?;
        let val = match key & 7 {
            0 => Val::Varint(read_varint(b, &mut pos)?),
            1 => {
                let s = b.get(pos..pos + 8)?;
                pos += 8;
                Val::I64(u64::from_le_bytes(s.try_into().ok()?))
            }
            5 => {
                let s = b.get(pos..pos + 4)?;
                pos += 4;
                Val::I32(u32::from_le_bytes(s.try_into().ok()?))
            }
            2 => {
                let n = usize::try_from(read_varint(b, &mut pos)?).ok()?;
                let s = b.get(pos..pos.checked_add(n)?)?;
                pos += n;
                match parse_at(s, depth + 1) {
                    Some(sub) if !sub.is_empty() && looks_like_message(s) => Val::Msg(sub),
                    _ => Val::Bytes(s.to_vec()),
                }
            }
            _ => return None, // groups (3, 4) are not used by these formats
        };
        fields.push(Field { num, val });
    }
    Some(fields)
}

/// Short printable strings parse as messages surprisingly often; keep them as bytes.
fn looks_like_message(s: &[u8]) -> bool {
    !(s.len() < 64 && s.iter().all(|&c| c.is_ascii_graphic() || c == b' '))
}

pub fn encode(fields: &[Field]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(fields, &mut out);
    out
}

fn encode_into(fields: &[Field], out: &mut Vec<u8>) {
    for f in fields {
        let wt = match f.val {
            Val::Varint(_) => 0,
            Val::I64(_) => 1,
            Val::Bytes(_) | Val::Msg(_) => 2,
            Val::I32(_) => 5,
        };
        write_varint(((f.num as u64) << 3) | wt, out);
        match &f.val {
            Val::Varint(v) => write_varint(*v, out),
            Val::I64(v) => out.extend_from_slice(&v.to_le_bytes()),
            Val::I32(v) => out.extend_from_slice(&v.to_le_bytes()),
            Val::Bytes(b) => {
                write_varint(b.len() as u64, out);
                out.extend_from_slice(b);
            }
            Val::Msg(m) => {
                let sub = encode(m);
                write_varint(sub.len() as u64, out);
                out.extend_from_slice(&sub);
            }
        }
    }
}

/// Paths (field indices through `Val::Msg`) of every message in the tree, the root first.
fn containers(fields: &[Field], path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(path.clone());
    for (i, f) in fields.iter().enumerate() {
        if let Val::Msg(sub) = &f.val {
            path.push(i);
            containers(sub, path, out);
            path.pop();
        }
    }
}

fn container_mut<'a>(mut cur: &'a mut Vec<Field>, path: &[usize]) -> &'a mut Vec<Field> {
    for &i in path {
        cur = match &mut cur[i].val {
            Val::Msg(sub) => sub,
            _ => unreachable!("paths only go through messages"),
        };
    }
    cur
}

/// Every string-like leaf (for names to reuse) and every subtree (for splicing).
fn collect(fields: &[Field], strings: &mut Vec<Vec<u8>>, subtrees: &mut Vec<Field>) {
    for f in fields {
        match &f.val {
            Val::Bytes(b) if b.len() < 64 => strings.push(b.clone()),
            Val::Msg(sub) => {
                if subtrees.len() < 64 {
                    subtrees.push(f.clone());
                }
                collect(sub, strings, subtrees);
            }
            _ => {}
        }
    }
}

fn packed_varints(b: &[u8]) -> Option<Vec<u64>> {
    let mut pos = 0;
    let mut v = Vec::new();
    while pos < b.len() {
        v.push(read_varint(b, &mut pos)?);
    }
    Some(v)
}

/// Rewrites a bytes value: as a packed list of integers when it is one, else as bytes.
fn mutate_bytes(b: &mut Vec<u8>, rng: &mut Rng, strings: &[Vec<u8>]) {
    if let Some(mut ints) = packed_varints(b).filter(|v| !v.is_empty() && rng.chance(1, 2)) {
        let i = rng.below(ints.len());
        match rng.below(4) {
            0 => {
                ints.remove(i);
            }
            1 => ints.insert(i, ints[i]),
            _ => ints[i] = rng.int(ints[i] as i64) as u64,
        }
        b.clear();
        for v in ints {
            write_varint(v, b);
        }
        return;
    }
    match rng.below(7) {
        0 if !strings.is_empty() => *b = strings[rng.below(strings.len())].clone(),
        1 => b.clear(),
        2 if !b.is_empty() => b.truncate(rng.below(b.len())),
        3 if !b.is_empty() => {
            let i = rng.below(b.len());
            b[i] ^= 1 << rng.below(8);
        }
        4 => {
            let n = 1 + rng.below(8);
            for _ in 0..n {
                b.push(rng.next_u64() as u8);
            }
        }
        5 if !b.is_empty() => {
            // Repeat a chunk (grows weights, repeated packed values).
            let start = rng.below(b.len());
            let end = (start + 1 + rng.below(16)).min(b.len());
            let chunk = b[start..end].to_vec();
            b.splice(start..start, chunk);
        }
        _ => {
            if !b.is_empty() {
                let i = rng.below(b.len());
                b[i] = rng.next_u64() as u8;
            }
        }
    }
}

fn default_like(val: &Val) -> Val {
    match val {
        Val::Varint(_) => Val::Varint(0),
        Val::I64(_) => Val::I64(0),
        Val::I32(_) => Val::I32(0),
        Val::Bytes(_) => Val::Bytes(Vec::new()),
        Val::Msg(_) => Val::Msg(Vec::new()),
    }
}

/// One random structural or value mutation somewhere in the tree.
pub fn mutate_once(root: &mut Vec<Field>, rng: &mut Rng) {
    let mut paths = Vec::new();
    containers(root, &mut Vec::new(), &mut paths);
    let (mut strings, mut subtrees) = (Vec::new(), Vec::new());
    collect(root, &mut strings, &mut subtrees);
    let path = paths[rng.below(paths.len())].clone();
    let c = container_mut(root, &path);
    let numbers: Vec<u32> = c.iter().map(|f| f.num).collect();
    let n = c.len();
    match rng.below(12) {
        // Remove a field.
        0 if n > 0 => {
            c.remove(rng.below(n));
        }
        // Duplicate a field (a repeated entry, or a scalar given twice: the last one wins).
        1 if n > 0 => {
            let f = c[rng.below(n)].clone();
            c.insert(rng.below(n + 1), f);
        }
        // Insert a default-valued field: of a number seen here, or a new one.
        2 => {
            let f = if n > 0 && rng.chance(3, 4) {
                let like = &c[rng.below(n)];
                Field { num: like.num, val: default_like(&like.val) }
            } else {
                let num = 1 + rng.below(24) as u32;
                let val = match rng.below(4) {
                    0 => Val::Varint(0),
                    1 => Val::Bytes(Vec::new()),
                    2 => Val::I32(0),
                    _ => Val::I64(0),
                };
                Field { num, val }
            };
            c.insert(rng.below(n + 1), f);
        }
        // Splice in a subtree from elsewhere in the message.
        3 if !subtrees.is_empty() => {
            let mut f = subtrees[rng.below(subtrees.len())].clone();
            if n > 0 && rng.chance(1, 2) {
                f.num = numbers[rng.below(n)];
            }
            c.insert(rng.below(n + 1), f);
        }
        // Swap two fields (order matters for repeated fields and last-one-wins scalars).
        4 if n > 1 => {
            let (i, j) = (rng.below(n), rng.below(n));
            c.swap(i, j);
        }
        // Renumber a field (type confusion when the number is used with another wire type).
        5 if n > 0 => {
            let i = rng.below(n);
            c[i].num = if rng.chance(1, 2) { numbers[rng.below(n)] } else { (c[i].num as i64 + rng.below(3) as i64 - 1).max(1) as u32 };
        }
        // Change a field's wire type, keeping its number.
        6 if n > 0 => {
            let i = rng.below(n);
            c[i].val = match rng.below(4) {
                0 => Val::Varint(rng.int(1) as u64),
                1 => Val::I64(rng.next_u64()),
                2 => Val::I32(rng.next_u64() as u32),
                _ => Val::Bytes(vec![rng.next_u64() as u8; rng.below(4)]),
            };
        }
        // Rewrite a value (the most common case).
        _ if n > 0 => {
            let i = rng.below(n);
            match &mut c[i].val {
                Val::Varint(v) => *v = rng.int(*v as i64) as u64,
                Val::I64(v) => {
                    *v = if rng.chance(1, 2) { (rng.float(f64::from_bits(*v) as f32) as f64).to_bits() } else { rng.int(*v as i64) as u64 }
                }
                Val::I32(v) => {
                    *v = if rng.chance(1, 2) { rng.float(f32::from_bits(*v)).to_bits() } else { rng.int(*v as i32 as i64) as u32 }
                }
                Val::Bytes(b) => mutate_bytes(b, rng, &strings),
                Val::Msg(sub) => {
                    if rng.chance(1, 4) {
                        sub.clear();
                    } else {
                        // Flatten: the message's bytes become an opaque string to mutate.
                        let mut b = encode(sub);
                        mutate_bytes(&mut b, rng, &strings);
                        c[i].val = match parse(&b) {
                            Some(m) if !m.is_empty() => Val::Msg(m),
                            _ => Val::Bytes(b),
                        };
                    }
                }
            }
        }
        _ => {
            // Nothing fit this (empty) container: give it a field.
            c.push(Field { num: 1 + rng.below(8) as u32, val: Val::Varint(rng.int(0) as u64) });
        }
    }
}

/// Parses `bytes` as a message, applies 1..=max_ops mutations and encodes it again. Bytes that
/// are not a message are mutated as bytes.
pub fn mutate_bytes_as_message(bytes: &[u8], rng: &mut Rng, max_ops: usize) -> Vec<u8> {
    match parse(bytes) {
        Some(mut fields) => {
            for _ in 0..1 + rng.below(max_ops.max(1)) {
                mutate_once(&mut fields, rng);
            }
            encode(&fields)
        }
        None => {
            let mut b = bytes.to_vec();
            mutate_bytes(&mut b, rng, &[]);
            b
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut b = Vec::new();
        write_varint((1 << 3) | 0, &mut b);
        write_varint(300, &mut b);
        write_varint((2 << 3) | 2, &mut b);
        write_varint(3, &mut b);
        b.extend_from_slice(b"abc");
        let f = parse(&b).unwrap();
        assert_eq!(encode(&f), b);
        let mut rng = Rng::new(7);
        for _ in 0..1000 {
            let out = mutate_bytes_as_message(&b, &mut rng, 4);
            let _ = parse(&out);
        }
    }
}
