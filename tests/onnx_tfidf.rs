//! ONNX TfIdfVectorizer on paths the ONNX node tests do not reach: skip-grams (distances 1
//! to 3) of lengths 1 to 3 on a batch of rows, a dynamic row length, an n-gram listed twice,
//! two n-grams sharing an output column, IDF and TFIDF weights, and the refusal of string
//! pools. Expected values are counted here directly from the operator's definition.

mod common;

use common::onnx::*;
use nvinfer::builder::config::{BuilderConfig, OptimizationProfile};
use nvinfer::onnx::proto::{data_type, AttributeProto, NodeProto};
use nvinfer::runtime::{Engine, ExecutionContext};
use nvinfer::types::ProfileSelector;
use std::sync::Arc;

/// Parses a TfIdfVectorizer over an INT32 input declared with `decl` dims (-1: dynamic),
/// runs it on the CPU on `x` of shape `shape` and returns the output's shape and values.
fn run(n: NodeProto, decl: &[i64], shape: &[i64], x: &[i32]) -> (Vec<i64>, Vec<f32>) {
    let mut g = graph(vec![n], vec![], &[("X", decl)], &[("Y", &vec![-1; decl.len()])]);
    if let Some(t) = g.input[0].r#type.as_mut().and_then(|t| t.tensor_type.as_mut()) {
        t.elem_type = data_type::INT32;
    }
    let net = parse_ok(&model(18, g));
    let mut config = BuilderConfig::default();
    if decl.contains(&-1) {
        let mut p = OptimizationProfile::new();
        for s in [ProfileSelector::Min, ProfileSelector::Opt, ProfileSelector::Max] {
            p.set_dimensions("X", s, shape).unwrap();
        }
        config.add_profile(&p).unwrap();
    }
    let plan = nvinfer::builder::build_for(&net, &config, &common::quiet(), nvinfer::backend::Target::Cpu)
        .unwrap_or_else(|e| panic!("build: {}", e.message));
    let mut ctx = ExecutionContext::new(Arc::new(Engine::deserialize(&plan).unwrap())).unwrap();
    ctx.set_input_shape("X", shape).unwrap();
    let dims = ctx.tensor_shape("Y").unwrap();
    let mut y = vec![0f32; dims.iter().product::<i64>() as usize];
    // The harness binds f32 buffers; the INT32 ids travel as their bit patterns.
    let bits: Vec<f32> = x.iter().map(|&v| f32::from_bits(v as u32)).collect();
    common::run_cpu_context(&mut ctx, &[("X", &bits)], &mut [("Y", &mut y)]);
    (dims, y)
}

fn floats_attr(name: &str, v: &[f32]) -> AttributeProto {
    AttributeProto { name: name.into(), floats: v.to_vec(), r#type: 6, ..Default::default() }
}

/// A pool by length: unigrams, bigrams, trigrams.
struct Pool {
    grams: Vec<Vec<i64>>,
    counts: Vec<i64>,
    flat: Vec<i64>,
}

fn pool(by_length: &[&[&[i64]]]) -> Pool {
    let (mut grams, mut counts, mut flat) = (Vec::new(), Vec::new(), Vec::new());
    for list in by_length {
        counts.push(flat.len() as i64);
        for g in *list {
            grams.push(g.to_vec());
            flat.extend_from_slice(g);
        }
    }
    Pool { grams, counts, flat }
}

fn tfidf_node(p: &Pool, indexes: &[i64], (min, max, skip): (i64, i64, i64), mode: &str, weights: Option<&[f32]>) -> NodeProto {
    let mut attrs = vec![
        int_attr("min_gram_length", min),
        int_attr("max_gram_length", max),
        int_attr("max_skip_count", skip),
        string_attr("mode", mode),
        ints_attr("ngram_counts", &p.counts),
        ints_attr("ngram_indexes", indexes),
        ints_attr("pool_int64s", &p.flat),
    ];
    if let Some(w) = weights {
        attrs.push(floats_attr("weights", w));
    }
    node("TfIdfVectorizer", "tfidf", &["X"], &["Y"], attrs)
}

/// Occurrences of `gram` in `row` with its tokens `d` apart.
fn occurrences(row: &[i32], gram: &[i64], d: usize) -> usize {
    let span = d * (gram.len() - 1);
    (0..row.len()).filter(|&i| i + span < row.len() && gram.iter().enumerate().all(|(k, &t)| row[i + k * d] as i64 == t)).count()
}

/// The definition: each n-gram of a counted length, at every skip distance 1..=skip+1
/// (unigrams once), adds its occurrences to its output column; where an n-gram is listed
/// twice only its last listing counts. Then TF / IDF / TFIDF with per-column weights.
fn expected(
    x: &[i32],
    c: usize,
    p: &Pool,
    indexes: &[i64],
    (min, max, skip): (i64, i64, i64),
    mode: &str,
    weights: Option<&[f32]>,
) -> Vec<f32> {
    let out = *indexes.iter().max().unwrap() as usize + 1;
    let mut y = Vec::new();
    for row in x.chunks(c) {
        let mut tf = vec![0usize; out];
        for (i, gram) in p.grams.iter().enumerate() {
            let n = gram.len() as i64;
            let listed_later = p.grams[i + 1..].contains(gram);
            if n < min || n > max || listed_later {
                continue;
            }
            let distances = if n == 1 { 1 } else { skip as usize + 1 };
            for d in 1..=distances {
                tf[indexes[i] as usize] += occurrences(row, gram, d);
            }
        }
        for (j, &f) in tf.iter().enumerate() {
            let w = weights.map_or(1.0, |w| w[j]);
            y.push(match mode {
                "TF" => f as f32,
                "IDF" => (f > 0) as u8 as f32 * w,
                _ => f as f32 * w,
            });
        }
    }
    y
}

fn tokens(n: usize, seed: u64) -> Vec<i32> {
    // Few distinct ids so that skip-grams repeat.
    common::random(n, seed).iter().map(|v| ((v.abs() * 1000.0) as i32) % 4).collect()
}

#[test]
fn skip_grams_of_lengths_one_to_three_count_as_defined() {
    let p = pool(&[&[&[0], &[3], &[2]], &[&[0, 1], &[1, 1], &[3, 0], &[2, 2], &[0, 1]], &[&[0, 1, 2], &[1, 1, 1], &[3, 3, 0]]]);
    // 11 n-grams; column 2 is shared by a unigram and a bigram, column 5 by nothing.
    let indexes = [0, 1, 2, 3, 4, 2, 6, 7, 8, 9, 10];
    let weights: Vec<f32> = (0..11).map(|j| 0.5 + j as f32 * 0.25).collect();
    let (n, c) = (3usize, 13usize);
    let x = tokens(n * c, 7);
    for (lengths, mode, w) in [
        ((1, 3, 2), "TF", None),
        ((2, 3, 2), "TFIDF", Some(&weights[..])),
        ((1, 2, 3), "IDF", Some(&weights[..])),
        ((1, 3, 1), "IDF", None),
    ] {
        let node = tfidf_node(&p, &indexes, lengths, mode, w);
        let (dims, y) = run(node, &[n as i64, c as i64], &[n as i64, c as i64], &x);
        assert_eq!(dims, vec![3, 11]);
        assert_eq!(y, expected(&x, c, &p, &indexes, lengths, mode, w), "{lengths:?} {mode}");
    }
}

#[test]
fn a_dynamic_row_length_shorter_than_some_skip_grams() {
    // Row length 5 (unknown when parsed): trigrams at distance 3 need 7 tokens, so none fit.
    let p = pool(&[&[&[1]], &[&[1, 2], &[2, 1]], &[&[1, 1, 2], &[1, 2, 1]]]);
    let indexes = [0, 1, 2, 3, 4];
    let lengths = (1, 3, 2);
    let x = [1, 2, 1, 1, 2];
    let (dims, y) = run(tfidf_node(&p, &indexes, lengths, "TF", None), &[-1], &[5], &x);
    assert_eq!(dims, vec![5]);
    assert_eq!(y, expected(&x, 5, &p, &indexes, lengths, "TF", None));
    let (dims, y) = run(tfidf_node(&p, &indexes, lengths, "TF", None), &[-1, -1], &[2, 2], &[1, 2, 2, 1]);
    assert_eq!(dims, vec![2, 5]);
    assert_eq!(y, expected(&[1, 2, 2, 1], 2, &p, &indexes, lengths, "TF", None));
}

#[test]
fn string_pools_are_refused_with_the_reason() {
    let mut n = node(
        "TfIdfVectorizer",
        "tfidf",
        &["X"],
        &["Y"],
        vec![
            int_attr("min_gram_length", 1),
            int_attr("max_gram_length", 1),
            string_attr("mode", "TF"),
            ints_attr("ngram_counts", &[0]),
            ints_attr("ngram_indexes", &[0]),
        ],
    );
    n.attribute.push(AttributeProto { name: "pool_strings".into(), strings: vec![b"a".to_vec()], r#type: 8, ..Default::default() });
    let (_, errors) = parse_bytes(&model(18, graph(vec![n], vec![], &[("X", &[4])], &[("Y", &[1])])));
    let message = errors.iter().map(|e| e.desc.clone()).collect::<Vec<_>>().join("; ");
    assert!(message.contains("pool_strings"), "{message}");
}

#[test]
fn unbounded_skip_counts_on_a_dynamic_row_are_refused() {
    // With the row length unknown, every distance up to 10^9 might fit: refused, not built.
    let p = pool(&[&[], &[&[1, 2]]]);
    let n = tfidf_node(&p, &[0], (2, 2, 1_000_000_000), "TF", None);
    let mut g = graph(vec![n], vec![], &[("X", &[-1])], &[("Y", &[-1])]);
    if let Some(t) = g.input[0].r#type.as_mut().and_then(|t| t.tensor_type.as_mut()) {
        t.elem_type = data_type::INT32;
    }
    let (_, errors) = parse_bytes(&model(18, g));
    let message = errors.iter().map(|e| e.desc.clone()).collect::<Vec<_>>().join("; ");
    assert!(message.contains("skip distance"), "{message}");
    // A known row length bounds the distances that matter: the same node builds.
    let (dims, y) = run(tfidf_node(&p, &[0], (2, 2, 1_000_000_000), "TF", None), &[6], &[6], &[1, 2, 1, 1, 0, 2]);
    assert_eq!((dims, y), (vec![1], vec![4.0]));
}
