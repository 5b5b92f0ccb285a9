//! ONNX TfIdfVectorizer on integer token ids, as a composite of exact layers: for each
//! n-gram length n and skip distance d (tokens taken d apart), every n-gram of the pool is
//! compared with the n strided windows of each row at once (Equal, And), and the matches
//! along the row are summed into a count per n-gram. Counts go to their output columns by
//! gathers (no matrix product: it would round large counts under TF32), then TF, IDF or
//! TFIDF weighting. Unigrams are counted once, whatever the skip count (as the reference
//! does).

use super::slicing::{arith, input_dim, sized_slice, slice_size, Dim};
use super::util::*;
use super::ImportFn;
use crate::error::{Error, Result};
use crate::ir::TensorId;
use crate::layers::generated::{Concatenation, ElementWise, Gather, Reduce, Select};
use crate::layers::{elementwise, reduce, slice};
use crate::onnx::importer::{Attrs, Importer, Value};
use crate::onnx::proto::NodeProto;
use crate::onnx::weights::ConstValue;
use crate::types::DataType;
use std::collections::{BTreeMap, HashMap};

pub const OPS: &[(&str, ImportFn)] = &[("TfIdfVectorizer", tfidf_vectorizer)];

/// Bounds on the composite: (n-gram length, distance) groups, each a handful of layers per
/// token position, and comparisons, (pool n-grams) x (their lengths) x (distances), each an
/// Equal over the input.
const GROUP_LIMIT: usize = 4096;
const COMPARISON_LIMIT: u64 = 1 << 16;

/// The n-grams that are counted, grouped by length: their tokens and output column.
#[derive(Debug, PartialEq)]
pub struct CountedGrams {
    pub by_length: BTreeMap<usize, Vec<(Vec<i32>, usize)>>,
    pub output_size: usize,
}

/// Reads the pool: ngram_counts[k] is where the n-grams of length k + 1 start in
/// pool_int64s; the i-th n-gram of the whole pool (in order, all lengths) writes to column
/// ngram_indexes[i]. Only lengths in [min, max] are counted; an n-gram listed twice counts
/// at its last listing only (the reference's lookup keeps the last id).
pub fn counted_grams(pool: &[i64], ngram_counts: &[i64], ngram_indexes: &[i64], min_len: i64, max_len: i64) -> Result<CountedGrams> {
    let invalid = |what: String| Error::invalid_argument(format!("TfIdfVectorizer: {what}"));
    let output_size = match ngram_indexes.iter().max() {
        Some(&m) if ngram_indexes.iter().all(|&i| i >= 0) => usize::try_from(m).ok().and_then(|m| m.checked_add(1)).unwrap_or(usize::MAX),
        Some(_) => return Err(invalid("ngram_indexes holds a negative index".into())),
        None => return Err(invalid("ngram_indexes is empty".into())),
    };
    made_constant_count(&[output_size as i64], "the TfIdfVectorizer output row")?;
    let mut by_length: BTreeMap<usize, Vec<(Vec<i32>, usize)>> = BTreeMap::new();
    let mut gram_id = 0usize;
    for (k, &start) in ngram_counts.iter().enumerate() {
        let end = ngram_counts.get(k + 1).copied().unwrap_or(pool.len() as i64);
        if start < 0 || start > end || end > pool.len() as i64 {
            return Err(invalid(format!("ngram_counts {ngram_counts:?} are not increasing offsets into a pool of {}", pool.len())));
        }
        let len = k + 1;
        let grams = (end - start) as usize / len;
        let counted = (min_len..=max_len).contains(&(len as i64));
        // Last listing wins: index of each distinct n-gram among this length's entries.
        let mut last: HashMap<Vec<i32>, usize> = HashMap::new();
        let mut entries = Vec::new();
        for g in 0..grams {
            let id = gram_id + g;
            if !counted {
                continue;
            }
            let from = start as usize + g * len;
            let tokens =
                pool[from..from + len].iter().map(|&t| i32::try_from(t)).collect::<std::result::Result<Vec<i32>, _>>().map_err(|_| {
                    Error::unsupported("TfIdfVectorizer: a pool_int64s token outside the INT32 range (INT64 ids are carried as INT32)")
                })?;
            let column = ngram_indexes.get(id).ok_or_else(|| invalid(format!("n-gram {id} has no entry in ngram_indexes")))?;
            last.insert(tokens.clone(), entries.len());
            entries.push((tokens, *column as usize));
        }
        gram_id += grams;
        let kept: Vec<_> = entries.into_iter().enumerate().filter(|(i, (t, _))| last.get(t) == Some(i)).map(|(_, e)| e).collect();
        if !kept.is_empty() {
            by_length.insert(len, kept);
        }
    }
    Ok(CountedGrams { by_length, output_size })
}

fn tfidf_vectorizer(imp: &mut Importer, node: &NodeProto) -> Result<Vec<Value>> {
    let at = Attrs(node);
    if at.ints("pool_int64s").unwrap_or_default().is_empty() && at.has("pool_strings") {
        return Err(Error::unsupported("TfIdfVectorizer over strings (pool_strings): string tensors are not representable"));
    }
    let mode = at.string("mode").unwrap_or_default();
    if !["TF", "IDF", "TFIDF"].contains(&mode.as_str()) {
        return Err(Error::invalid_argument(format!("TfIdfVectorizer mode '{mode}' is not TF, IDF or TFIDF")));
    }
    let (min_len, max_len) = (at.int("min_gram_length", 1), at.int("max_gram_length", 1));
    let max_skip = at.int("max_skip_count", 0);
    if min_len < 1 || max_skip < 0 {
        return Err(Error::invalid_argument(format!(
            "TfIdfVectorizer: min_gram_length {min_len} or max_skip_count {max_skip} out of range"
        )));
    }
    let grams = counted_grams(
        &at.ints("pool_int64s").unwrap_or_default(),
        &at.ints("ngram_counts").unwrap_or_default(),
        &at.ints("ngram_indexes").unwrap_or_default(),
        min_len,
        max_len,
    )?;
    let weights = at.floats("weights").unwrap_or_default();
    if !weights.is_empty() && weights.len() < grams.output_size {
        return Err(Error::invalid_argument(format!(
            "TfIdfVectorizer: {} weights for an output row of {}",
            weights.len(),
            grams.output_size
        )));
    }

    let x = imp.tensor(input(node, 0)?)?;
    if imp.net.tensors[x].dtype != DataType::Int32 {
        return Err(Error::unsupported(format!("TfIdfVectorizer of {:?} input (token ids must be integers)", imp.net.tensors[x].dtype)));
    }
    let rank = imp.dims(x).len();
    let rows = match rank {
        1 => reshape_tensor(imp, x, vec![1, -1])?,
        2 => x,
        _ => return Err(Error::invalid_argument(format!("TfIdfVectorizer input of rank {rank} (must be [C] or [N, C])"))),
    };
    let counts = term_counts(imp, rows, &grams, max_skip)?;
    let y = weighted(imp, counts, &mode, &weights[..weights.len().min(grams.output_size)])?;
    out(if rank == 1 { reshape_tensor(imp, y, vec![-1])? } else { y })
}

/// The count of each output column's n-grams in each row of `rows` [N, C]: FLOAT [N, out].
fn term_counts(imp: &mut Importer, rows: TensorId, grams: &CountedGrams, max_skip: i64) -> Result<TensorId> {
    let c = input_dim(imp, rows, 1)?;
    let x = unsqueeze(imp, rows, &[1])?; // [N, 1, C]: windows broadcast against [1, G, 1] tokens
    let mut parts = Vec::new();
    let mut columns = Vec::new();
    for (len, d, list) in window_groups(grams, max_skip, c)? {
        parts.push(window_matches(imp, x, c, list, len, d)?);
        columns.extend(list.iter().map(|(_, col)| *col));
    }
    // A zero column [N, 1] (sum over the row of x * 0) for output columns with no n-gram.
    let xf = cast(imp, rows, DataType::Float)?;
    let zero = scalar_like(imp, xf, 0.0)?;
    let zeros = layer(imp, ElementWise::of(elementwise::PROD), &[xf, zero])?;
    let zero_column = layer(imp, Reduce::of(reduce::SUM, 1 << 1, true), &[zeros])?;
    let none = parts.iter().map(|&p| imp.dims(p)[1]).sum::<i64>();
    parts.push(zero_column);
    let all = layer(imp, Concatenation::on_axis(1), &parts)?;
    // Output column j sums the k-th n-gram writing to j over k (several may share a column).
    let mut writers: Vec<Vec<i64>> = vec![Vec::new(); grams.output_size];
    for (i, &col) in columns.iter().enumerate() {
        writers[col].push(i as i64);
    }
    let depth = writers.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut total: Option<TensorId> = None;
    for k in 0..depth {
        let picks: Vec<i64> = writers.iter().map(|w| w.get(k).copied().unwrap_or(none)).collect();
        let picks = ints_tensor(imp, &picks)?;
        let picked = layer(imp, Gather::on_axis(1), &[all, picks])?;
        total = Some(match total {
            None => picked,
            Some(t) => layer(imp, ElementWise::of(elementwise::SUM), &[t, picked])?,
        });
    }
    total.ok_or_else(|| Error::internal("TfIdfVectorizer: no output columns"))
}

/// The (n-gram length, skip distance, n-grams) groups to count, refused past the limits
/// before any layer is made. Distances whose windows cannot fit a known row are left out.
fn window_groups(grams: &CountedGrams, max_skip: i64, c: Dim) -> Result<Vec<(usize, i64, &[(Vec<i32>, usize)])>> {
    let too_much = || {
        Error::unsupported(format!(
            "TfIdfVectorizer needing more than {GROUP_LIMIT} (gram length, skip distance) pairs or {COMPARISON_LIMIT} n-gram comparisons (pool size x gram length x skip distances)"
        ))
    };
    let mut groups = Vec::new();
    let mut comparisons: u64 = 0;
    for (&len, list) in &grams.by_length {
        // A unigram does not depend on the skip distance: counted once.
        let distances = if len == 1 { 1 } else { max_skip.saturating_add(1) };
        for d in 1..=distances {
            if let Dim::Num(c) = c {
                if d.saturating_mul(len as i64 - 1) >= c {
                    break; // no window fits; longer distances fit even less
                }
            }
            comparisons = comparisons.saturating_add((list.len() * len) as u64);
            if comparisons > COMPARISON_LIMIT || groups.len() >= GROUP_LIMIT {
                return Err(too_much());
            }
            groups.push((len, d, &list[..]));
        }
    }
    Ok(groups)
}

/// Occurrences in each row of `x` [N, 1, C] of each n-gram of `list` (all of length `len`)
/// with tokens `d` apart: FLOAT [N, list.len()].
fn window_matches(imp: &mut Importer, x: TensorId, c: Dim, list: &[(Vec<i32>, usize)], len: usize, d: i64) -> Result<TensorId> {
    let g = list.len() as i64;
    // Window starts: 0 ..= C - 1 - d * (len - 1); an empty slice where none fits.
    let span = Dim::Num(d * (len as i64 - 1));
    let starts = arith(imp, elementwise::SUB, c, span)?;
    let starts = arith(imp, elementwise::MAX, starts, Dim::Num(0))?;
    let size = slice_size(imp, x, &[None, None, Some(starts)])?;
    let mut all_match: Option<TensorId> = None;
    for k in 0..len {
        // Offset k * d, clamped to C so an empty window stays in bounds.
        let offset = arith(imp, elementwise::MIN, Dim::Num(k as i64 * d), c)?;
        let window = sized_slice(imp, x, &[Dim::Num(0), Dim::Num(0), offset], &size, &[Dim::Num(1); 3], slice::STRICT_BOUNDS, None)?;
        let tokens: Vec<i32> = list.iter().map(|(t, _)| t[k]).collect();
        let tokens = imp.constant_tensor(&ConstValue::i32(vec![1, g, 1], &tokens))?;
        let equal = layer(imp, ElementWise::of(elementwise::EQUAL), &[window, tokens])?;
        all_match = Some(match all_match {
            None => equal,
            Some(m) => layer(imp, ElementWise::of(elementwise::AND), &[m, equal])?,
        });
    }
    let all_match = all_match.ok_or_else(|| Error::internal("TfIdfVectorizer: an n-gram of length 0"))?;
    let ones = cast(imp, all_match, DataType::Float)?;
    layer(imp, Reduce::of(reduce::SUM, 1 << 2, false), &[ones])
}

/// TF: the counts; IDF: weight where the count is positive; TFIDF: count x weight (weights
/// per output column, 1 when none are given).
fn weighted(imp: &mut Importer, counts: TensorId, mode: &str, weights: &[f32]) -> Result<TensorId> {
    let weights: &[f32] = if mode == "TF" { &[] } else { weights };
    let w = match weights {
        [] => None,
        w => Some(imp.constant_tensor(&ConstValue::f32(vec![1, w.len() as i64], w))?),
    };
    if mode != "IDF" {
        return match w {
            None => Ok(counts),
            Some(w) => layer(imp, ElementWise::of(elementwise::PROD), &[counts, w]),
        };
    }
    // Select, not a product: an unseen n-gram is 0 even where its weight is infinite.
    let zero = scalar_like(imp, counts, 0.0)?;
    let seen = layer(imp, ElementWise::of(elementwise::GREATER), &[counts, zero])?;
    match w {
        None => cast(imp, seen, DataType::Float),
        Some(w) => layer(imp, Select::new(), &[seen, w, zero]),
    }
}
