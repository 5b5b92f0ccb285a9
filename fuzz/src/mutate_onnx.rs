//! Structure-aware mutation of ONNX models: the model is decoded with the parser's own prost
//! messages, nodes, attributes, initializers, inputs, outputs and opsets are inserted,
//! removed and rewritten (names are drawn from the names the graph already has, so edges
//! stay connected), and the model is encoded again. Schema-free protobuf edits
//! (`wire`) and libFuzzer's byte mutations are mixed in for what the typed view drops.

use crate::rng::Rng;
use crate::wire;
use nvinfer::onnx::proto::{
    AttributeProto, Dimension, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    TypeProtoTensor, ValueInfoProto,
};
use prost::Message;

/// Op types the parser imports, and a few it does not.
pub const OPS: &[&str] = &[
    "Add",
    "AveragePool",
    "Constant",
    "Conv",
    "Div",
    "Elu",
    "Flatten",
    "Gemm",
    "HardSigmoid",
    "Identity",
    "LeakyRelu",
    "MatMul",
    "Max",
    "MaxPool",
    "Min",
    "Mul",
    "Pow",
    "Relu",
    "Reshape",
    "Selu",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Softsign",
    "Sub",
    "Tanh",
    "Transpose",
    "Gather",
    "Concat",
    "",
];

/// Attribute names the importers read.
pub const ATTRS: &[&str] = &[
    "kernel_shape",
    "strides",
    "pads",
    "dilations",
    "group",
    "auto_pad",
    "axis",
    "perm",
    "alpha",
    "beta",
    "gamma",
    "transA",
    "transB",
    "allowzero",
    "value",
    "value_float",
    "value_int",
    "value_ints",
    "ceil_mode",
    "count_include_pad",
    "storage_order",
    // read by the other importers
    "axes",
    "keepdims",
    "noop_with_empty_axes",
    "to",
    "mode",
    "direction",
    "hidden_size",
    "layout",
    "exclusive",
    "reverse",
    "largest",
    "sorted",
    "k",
    "epsilon",
    "momentum",
    "reduction",
    "batch_dims",
    "coordinate_transformation_mode",
    "num_scan_inputs",
    "block_size",
    "upper",
    "equation",
    "blocksize",
    "select_last_index",
    "fmod",
    "linear_before_reset",
    "center_point_box",
    "output_padding",
    "output_shape",
];

/// Values of the string attributes above (modes, directions, equations), valid and not.
const STRINGS: &[&str] = &[
    "constant", "reflect", "edge", "wrap", "nearest", "linear", "cubic", "forward", "reverse", "bidirectional", "half_pixel",
    "align_corners", "asymmetric", "add", "mul", "max", "min", "none", "ij,jk->ik", "...ii->...i", "i,i", "", "??",
];

const AUTO_PAD: &[&str] = &["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", "same_upper", ""];

/// ONNX element types: those supported and some that are not.
const ELEM_TYPES: &[i32] = &[1, 2, 3, 6, 7, 9, 10, 11, 0, 4, 5, 8, 12, 13, 16, 17, 100, -1];

fn value_names(g: &GraphProto) -> Vec<String> {
    let mut v: Vec<String> = g.input.iter().map(|i| i.name.clone()).collect();
    v.extend(g.initializer.iter().map(|t| t.name.clone()));
    v.extend(g.node.iter().flat_map(|n| n.output.iter().cloned()));
    v.extend(g.output.iter().map(|o| o.name.clone()));
    v
}

fn small_ints(rng: &mut Rng) -> Vec<i64> {
    (0..rng.below(5)).map(|_| if rng.chance(3, 4) { rng.below(4) as i64 } else { rng.int(1) }).collect()
}

/// A small tensor value (for initializers and Constant's `value`).
pub fn small_tensor(rng: &mut Rng, name: String) -> TensorProto {
    let dims: Vec<i64> = (0..rng.below(4)).map(|_| 1 + rng.below(3) as i64).collect();
    let n: i64 = dims.iter().product();
    let mut t = TensorProto { name, dims, ..Default::default() };
    match rng.below(4) {
        0 => {
            t.data_type = 7;
            t.int64_data = (0..n).map(|_| rng.int(1)).collect();
        }
        1 => {
            t.data_type = 6;
            t.int32_data = (0..n).map(|_| rng.int(1) as i32).collect();
        }
        2 => {
            t.data_type = 1;
            t.raw_data = (0..n).flat_map(|_| rng.float(1.0).to_le_bytes()).collect::<Vec<u8>>().into();
        }
        _ => {
            t.data_type = 1;
            t.float_data = (0..n).map(|_| rng.float(0.5)).collect();
        }
    }
    t
}

fn new_attribute(rng: &mut Rng) -> AttributeProto {
    let name = rng.pick(ATTRS).unwrap().to_string();
    let mut a = AttributeProto { name: name.clone(), ..Default::default() };
    match name.as_str() {
        "auto_pad" => {
            a.s = rng.pick(AUTO_PAD).unwrap().as_bytes().to_vec();
            a.r#type = 3;
        }
        "mode" | "direction" | "coordinate_transformation_mode" | "equation" | "reduction" => {
            a.s = rng.pick(STRINGS).unwrap().as_bytes().to_vec();
            a.r#type = 3;
        }
        "alpha" | "beta" | "gamma" | "value_float" | "epsilon" | "momentum" => {
            a.f = rng.float(1.0);
            a.r#type = 1;
        }
        "value" => {
            a.t = Some(small_tensor(rng, String::new()));
            a.r#type = 4;
        }
        "kernel_shape" | "strides" | "pads" | "dilations" | "perm" | "value_ints" => {
            a.ints = small_ints(rng);
            a.r#type = 7;
        }
        _ => {
            a.i = if rng.chance(3, 4) { rng.below(4) as i64 - 1 } else { rng.int(1) };
            a.r#type = 2;
        }
    }
    a
}

fn mutate_attribute(a: &mut AttributeProto, rng: &mut Rng) {
    match rng.below(8) {
        0 => a.name = rng.pick(ATTRS).unwrap().to_string(),
        1 => a.i = rng.int(a.i),
        2 => a.f = rng.float(a.f),
        3 => a.s = rng.pick(AUTO_PAD).unwrap().as_bytes().to_vec(),
        4 => match a.t.as_mut() {
            Some(t) => mutate_tensor(t, rng, &[]),
            None => a.t = Some(small_tensor(rng, String::new())),
        },
        5 => a.ints = small_ints(rng),
        _ => {
            if a.ints.is_empty() {
                a.ints.push(rng.int(1));
            } else {
                let i = rng.below(a.ints.len());
                match rng.below(4) {
                    0 => {
                        a.ints.remove(i);
                    }
                    1 => a.ints.push(a.ints[i]),
                    _ => a.ints[i] = rng.int(a.ints[i]),
                }
            }
        }
    }
}

fn mutate_tensor(t: &mut TensorProto, rng: &mut Rng, names: &[String]) {
    match rng.below(10) {
        0 => t.data_type = *rng.pick(ELEM_TYPES).unwrap(),
        1 => {
            if t.dims.is_empty() || rng.chance(1, 3) {
                t.dims.push(rng.int(1));
            } else {
                let i = rng.below(t.dims.len());
                if rng.chance(1, 2) {
                    t.dims.remove(i);
                } else {
                    t.dims[i] = rng.int(t.dims[i]);
                }
            }
        }
        2 => {
            let mut raw = t.raw_data.to_vec();
            match rng.below(3) {
                0 => raw.truncate(rng.below(raw.len() + 1)),
                1 => raw.extend((0..1 + rng.below(8)).map(|_| rng.next_u64() as u8)),
                _ => raw.clear(),
            }
            t.raw_data = raw.into();
        }
        3 if !t.raw_data.is_empty() => {
            // Rewrite one element of raw data with an odd value (NaN, infinity, huge ints).
            let mut raw = t.raw_data.to_vec();
            let i = rng.below(raw.len() / 4 + 1) * 4;
            let v = if rng.chance(1, 2) { rng.float(1.0).to_bits() } else { rng.int(0) as u32 };
            for (k, b) in v.to_le_bytes().iter().enumerate() {
                if let Some(x) = raw.get_mut(i + k) {
                    *x = *b;
                }
            }
            t.raw_data = raw.into();
        }
        4 => t.float_data.push(rng.float(1.0)),
        5 => t.int64_data.push(rng.int(1)),
        6 => t.int32_data.push(rng.int(1) as i32),
        7 => t.name = rng.name(names),
        8 => t.data_location = if t.data_location == 1 { 0 } else { 1 },
        _ => {
            t.float_data.clear();
            t.int32_data.clear();
            t.int64_data.clear();
            t.double_data = (0..rng.below(4)).map(|_| rng.float(1.0) as f64).collect();
        }
    }
}

/// An op type: half the time one of the common ones above, else any operator the parser
/// has an importer for (so every importer meets hostile attributes and inputs).
fn op_name(rng: &mut Rng) -> String {
    if rng.chance(1, 2) {
        return rng.pick(OPS).unwrap().to_string();
    }
    let all = nvinfer::onnx::ops::operators();
    rng.pick(&all).copied().unwrap_or("Relu").to_string()
}

fn new_node(rng: &mut Rng, names: &[String], fresh: String) -> NodeProto {
    let op = op_name(rng);
    let n_in = match op.as_str() {
        "Constant" => 0,
        "Conv" | "Gemm" => 2 + rng.below(2),
        "Add" | "Sub" | "Mul" | "Div" | "Pow" | "Max" | "Min" | "MatMul" | "Reshape" => 2,
        _ if !OPS.contains(&op.as_str()) => 1 + rng.below(4),
        _ => 1,
    };
    let input = (0..n_in).map(|_| rng.name(names)).collect();
    let mut n = NodeProto { input, output: vec![fresh], name: String::new(), op_type: op, attribute: vec![], domain: String::new() };
    if n.op_type == "Constant" || rng.chance(1, 3) {
        n.attribute.push(new_attribute(rng));
    }
    n
}

fn new_value_info(rng: &mut Rng, name: String) -> ValueInfoProto {
    let dim = (0..rng.below(5))
        .map(|_| match rng.below(5) {
            0 => Dimension { dim_value: None, dim_param: Some("N".into()) },
            1 => Dimension { dim_value: None, dim_param: None },
            _ => Dimension { dim_value: Some(1 + rng.below(4) as i64), dim_param: None },
        })
        .collect();
    ValueInfoProto {
        name,
        r#type: Some(TypeProto {
            tensor_type: Some(TypeProtoTensor {
                elem_type: *rng.pick(&[1, 1, 1, 7, 6, 10, 9]).unwrap(),
                shape: Some(TensorShapeProto { dim }),
            }),
        }),
    }
}

fn mutate_value_info(v: &mut ValueInfoProto, rng: &mut Rng, names: &[String]) {
    match rng.below(6) {
        0 => v.name = rng.name(names),
        1 => v.r#type = None,
        _ => {
            let tt = v.r#type.get_or_insert_with(TypeProto::default).tensor_type.get_or_insert_with(TypeProtoTensor::default);
            match rng.below(4) {
                0 => tt.elem_type = *rng.pick(ELEM_TYPES).unwrap(),
                1 => tt.shape = None,
                _ => {
                    let dims = &mut tt.shape.get_or_insert_with(TensorShapeProto::default).dim;
                    match rng.below(5) {
                        0 => dims.push(Dimension { dim_value: Some(rng.int(1)), dim_param: None }),
                        1 if !dims.is_empty() => {
                            dims.remove(rng.below(dims.len()));
                        }
                        _ if !dims.is_empty() => {
                            let i = rng.below(dims.len());
                            dims[i] = match rng.below(4) {
                                0 => Dimension { dim_value: None, dim_param: Some("batch".into()) },
                                1 => Dimension { dim_value: None, dim_param: None },
                                _ => Dimension { dim_value: Some(rng.int(dims[i].dim_value.unwrap_or(1))), dim_param: None },
                            };
                        }
                        _ => dims.push(Dimension { dim_value: Some(1), dim_param: None }),
                    }
                }
            }
        }
    }
}

fn mutate_node(n: &mut NodeProto, rng: &mut Rng, names: &[String]) {
    match rng.below(12) {
        0 => n.op_type = op_name(rng),
        1 | 2 => {
            // Rewire an input to another value (or to nothing: an optional input left out).
            if n.input.is_empty() || rng.chance(1, 4) {
                n.input.push(rng.name(names));
            } else {
                let i = rng.below(n.input.len());
                match rng.below(4) {
                    0 => {
                        n.input.remove(i);
                    }
                    1 => n.input[i] = String::new(),
                    _ => n.input[i] = rng.name(names),
                }
            }
        }
        3 => {
            if n.output.is_empty() || rng.chance(1, 3) {
                n.output.push(format!("fz{}", rng.below(1000)));
            } else {
                let i = rng.below(n.output.len());
                // Reusing a name shadows a value; an empty output is an unused one.
                n.output[i] = if rng.chance(1, 2) { rng.name(names) } else { String::new() };
            }
        }
        4 => n.attribute.push(new_attribute(rng)),
        5 if !n.attribute.is_empty() => {
            n.attribute.remove(rng.below(n.attribute.len()));
        }
        6 => n.domain = rng.name(&["ai.onnx".into(), "com.microsoft".into()]),
        7 => n.name = rng.name(names),
        _ if !n.attribute.is_empty() => {
            let i = rng.below(n.attribute.len());
            mutate_attribute(&mut n.attribute[i], rng);
        }
        _ => n.attribute.push(new_attribute(rng)),
    }
}

/// One typed mutation of a model.
pub fn mutate_model(m: &mut ModelProto, rng: &mut Rng) {
    if m.graph.is_none() || rng.chance(1, 50) {
        m.graph = Some(GraphProto::default());
    }
    match rng.below(24) {
        0 => {
            if m.opset_import.is_empty() || rng.chance(1, 4) {
                m.opset_import.push(OperatorSetIdProto { domain: String::new(), version: 13 });
            } else {
                let i = rng.below(m.opset_import.len());
                let o = &mut m.opset_import[i];
                match rng.below(3) {
                    0 => o.domain = rng.name(&["ai.onnx".into(), "com.microsoft".into()]),
                    1 => o.version = rng.int(o.version),
                    _ => o.version = 7 + rng.below(17) as i64,
                }
            }
        }
        1 => m.ir_version = rng.int(m.ir_version),
        _ => {}
    }
    let g = m.graph.as_mut().expect("set above");
    let names = value_names(g);
    let fresh = format!("fz{}", rng.next_u64() % 100_000);
    match rng.below(24) {
        0..=9 if !g.node.is_empty() => {
            let i = rng.below(g.node.len());
            mutate_node(&mut g.node[i], rng, &names);
        }
        10 => {
            // A new node reading existing values; sometimes its output becomes a graph output.
            let at = rng.below(g.node.len() + 1);
            g.node.insert(at, new_node(rng, &names, fresh.clone()));
            if rng.chance(1, 2) {
                g.output.push(ValueInfoProto { name: fresh, r#type: None });
            }
        }
        11 if !g.node.is_empty() => {
            g.node.remove(rng.below(g.node.len()));
        }
        12 if !g.node.is_empty() => {
            // Duplicate or move a node (nodes must come after their inputs' producers).
            let i = rng.below(g.node.len());
            if rng.chance(1, 2) {
                let n = g.node[i].clone();
                g.node.insert(rng.below(g.node.len() + 1), n);
            } else {
                let n = g.node.remove(i);
                g.node.insert(rng.below(g.node.len() + 1), n);
            }
        }
        13 | 14 if !g.initializer.is_empty() => {
            let i = rng.below(g.initializer.len());
            mutate_tensor(&mut g.initializer[i], rng, &names);
        }
        15 => {
            if rng.chance(1, 3) && !g.initializer.is_empty() {
                g.initializer.remove(rng.below(g.initializer.len()));
            } else {
                g.initializer.push(small_tensor(rng, fresh));
            }
        }
        16 | 17 if !g.input.is_empty() => {
            let i = rng.below(g.input.len());
            mutate_value_info(&mut g.input[i], rng, &names);
        }
        18 => {
            if rng.chance(1, 3) && !g.input.is_empty() {
                g.input.remove(rng.below(g.input.len()));
            } else {
                g.input.push(new_value_info(rng, fresh));
            }
        }
        19 | 20 => {
            let n = g.output.len();
            match rng.below(4) {
                0 if n > 0 => {
                    g.output.remove(rng.below(n));
                }
                1 if n > 0 => {
                    let i = rng.below(n);
                    g.output[i].name = rng.name(&names);
                }
                _ => g.output.push(ValueInfoProto { name: rng.name(&names), r#type: None }),
            }
        }
        21 => g.name = rng.name(&names),
        _ => {
            // Feed a node's output somewhere new: graph output, or an input of a later node.
            if let Some(out) = g.node.get(rng.below(g.node.len().max(1))).and_then(|n| n.output.first()).cloned() {
                if rng.chance(1, 2) || g.node.is_empty() {
                    g.output.push(ValueInfoProto { name: out, r#type: None });
                } else {
                    let j = rng.below(g.node.len());
                    g.node[j].input.push(out);
                }
            } else {
                g.node.push(new_node(rng, &names, fresh));
            }
        }
    }
}

/// Mutates an ONNX model structurally. None when the input does not decode as a model: the
/// caller then mutates it as bytes.
pub fn mutate(data: &[u8], rng: &mut Rng, bytes_mutate: &mut dyn FnMut(&mut Vec<u8>)) -> Option<Vec<u8>> {
    let choice = rng.below(100);
    if choice < 70 {
        let mut m = ModelProto::decode(data).ok()?;
        // Mostly one edit: most edits already leave a model the parser refuses.
        for _ in 0..if rng.chance(3, 4) { 1 } else { 2 + rng.below(3) } {
            mutate_model(&mut m, rng);
        }
        Some(m.encode_to_vec())
    } else if choice < 90 {
        // Schema-free: fields the parser's messages drop, wrong wire types, repeated scalars.
        wire::parse(data)?;
        Some(wire::mutate_bytes_as_message(data, rng, 4))
    } else {
        // libFuzzer's byte mutations, of one initializer's raw data or of the whole model.
        let mut m = ModelProto::decode(data).ok()?;
        let g = m.graph.as_mut()?;
        let with_raw: Vec<usize> = (0..g.initializer.len()).filter(|&i| !g.initializer[i].raw_data.is_empty()).collect();
        let &i = rng.pick(&with_raw)?;
        let mut raw = g.initializer[i].raw_data.to_vec();
        bytes_mutate(&mut raw);
        g.initializer[i].raw_data = raw.into();
        Some(m.encode_to_vec())
    }
}

/// Structured crossover: nodes, initializers and inputs of `b` spliced into `a`.
pub fn crossover(a: &[u8], b: &[u8], rng: &mut Rng) -> Option<Vec<u8>> {
    let mut ma = ModelProto::decode(a).ok()?;
    let mb = ModelProto::decode(b).ok()?;
    let (ga, gb) = (ma.graph.as_mut()?, mb.graph?);
    match rng.below(3) {
        0 => {
            let k = rng.below(gb.node.len() + 1);
            let start = rng.below(gb.node.len() + 1 - k);
            let at = rng.below(ga.node.len() + 1);
            ga.node.splice(at..at, gb.node[start..start + k].iter().cloned());
        }
        1 => ga.initializer.extend(gb.initializer.into_iter().take(1 + rng.below(4))),
        _ => ga.input.extend(gb.input.into_iter().take(2)),
    }
    Some(ma.encode_to_vec())
}
