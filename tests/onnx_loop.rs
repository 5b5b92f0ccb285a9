//! ONNX Loop on ILoop, run on the CPU: a counted loop with a scan output, and a loop that runs
//! while its body's condition holds (the trip count only bounds it). Expected values are
//! worked out here from the ONNX definition; doubling is exact in f32.

mod common;

use common::onnx::*;
use nvinfer::onnx::proto::{data_type, AttributeProto, GraphProto, TensorProto};

fn int64_scalar(name: &str, v: i64) -> TensorProto {
    TensorProto { name: name.into(), dims: vec![], data_type: data_type::INT64, int64_data: vec![v], ..Default::default() }
}

fn bool_scalar(name: &str, v: bool) -> TensorProto {
    TensorProto { name: name.into(), dims: vec![], data_type: data_type::BOOL, int32_data: vec![v as i32], ..Default::default() }
}

/// Body (i, cond_in, y_in) -> (cond_out, y_out = 2 * y_in, scan = y_out), cond_out being
/// max(y_out) < 100 when `stop_at_100`, else cond_in passed on.
fn doubling_body(stop_at_100: bool) -> GraphProto {
    let mut nodes =
        vec![node("Mul", "double", &["y_in", "two"], &["y_out"], vec![]), node("Identity", "scan", &["y_out"], &["scan"], vec![])];
    if stop_at_100 {
        nodes.push(node("ReduceMax", "max", &["y_out"], &["biggest"], vec![int_attr("keepdims", 0)]));
        nodes.push(node("Less", "below", &["biggest", "hundred"], &["cond_out"], vec![]));
    } else {
        nodes.push(node("Identity", "same", &["cond_in"], &["cond_out"], vec![]));
    }
    GraphProto {
        name: "body".into(),
        node: nodes,
        initializer: vec![float_tensor("two", &[], &[2.0]), float_tensor("hundred", &[], &[100.0])],
        input: vec![value_info("i", &[]), value_info("cond_in", &[]), value_info("y_in", &[2])],
        output: vec![value_info("cond_out", &[]), value_info("y_out", &[2]), value_info("scan", &[2])],
    }
}

fn loop_node(body: GraphProto, outputs: &[&str]) -> nvinfer::onnx::proto::NodeProto {
    let g = AttributeProto { name: "body".into(), g: Some(body), r#type: 5, ..Default::default() };
    node("Loop", "loop", &["M", "cond", "Y"], outputs, vec![g])
}

fn run(m: i64, stop_at_100: bool, outputs: &[(&str, &[i64])], y: &[f32]) -> Vec<Vec<f32>> {
    let names: Vec<&str> = outputs.iter().map(|(n, _)| *n).collect();
    let g = graph(
        vec![loop_node(doubling_body(stop_at_100), &names)],
        vec![int64_scalar("M", m), bool_scalar("cond", true)],
        &[("Y", &[2])],
        outputs,
    );
    let net = parse_ok(&model(13, g));
    let engine = std::sync::Arc::new(nvinfer::runtime::Engine::deserialize(&common::cpu_plan(&net).unwrap()).unwrap());
    let mut ctx = nvinfer::runtime::ExecutionContext::new(engine).unwrap();
    let mut results: Vec<Vec<f32>> = outputs.iter().map(|(_, d)| vec![0f32; d.iter().product::<i64>() as usize]).collect();
    let mut outs: Vec<(&str, &mut Vec<f32>)> = names.iter().copied().zip(results.iter_mut()).collect();
    common::run_cpu_context(&mut ctx, &[("Y", y)], &mut outs);
    results
}

#[test]
fn a_counted_loop_gives_final_values_and_scan_outputs() {
    let r = run(4, false, &[("final", &[2]), ("scans", &[4, 2])], &[1.0, 2.0]);
    assert_eq!(r[0], vec![16.0, 32.0]);
    assert_eq!(r[1], vec![2.0, 4.0, 4.0, 8.0, 8.0, 16.0, 16.0, 32.0]);
}

#[test]
fn a_loop_runs_while_its_condition_holds_within_the_count() {
    // 1,3 doubles to 64,192 after six iterations (192 >= 100 stops it), well within 1000.
    let r = run(1000, true, &[("final", &[2])], &[1.0, 3.0]);
    assert_eq!(r[0], vec![64.0, 192.0]);
    // A count of 2 stops it first.
    let r = run(2, true, &[("final", &[2])], &[1.0, 3.0]);
    assert_eq!(r[0], vec![4.0, 12.0]);
}

#[test]
fn a_loop_of_zero_iterations_keeps_the_initial_values() {
    let r = run(0, false, &[("final", &[2])], &[5.0, 7.0]);
    assert_eq!(r[0], vec![5.0, 7.0]);
}

#[test]
fn scan_runs_over_reversed_rows_and_stacks_along_the_asked_axis() {
    // State s [2] from 0; each step adds a row of X [3, 2], read last row first
    // (scan_input_directions = 1); the running sums stack along axis 1 -> [2, 3].
    let body = GraphProto {
        name: "body".into(),
        node: vec![node("Add", "add", &["s_in", "row"], &["s_out"], vec![]), node("Identity", "id", &["s_out"], &["sums"], vec![])],
        initializer: vec![],
        input: vec![value_info("s_in", &[2]), value_info("row", &[2])],
        output: vec![value_info("s_out", &[2]), value_info("sums", &[2])],
    };
    let g = AttributeProto { name: "body".into(), g: Some(body), r#type: 5, ..Default::default() };
    let attrs = vec![g, int_attr("num_scan_inputs", 1), ints_attr("scan_input_directions", &[1]), ints_attr("scan_output_axes", &[1])];
    let graph = graph(
        vec![node("Scan", "scan", &["S", "X"], &["final", "stacked"], attrs)],
        vec![float_tensor("S", &[2], &[0.0, 0.0])],
        &[("X", &[3, 2])],
        &[("final", &[2]), ("stacked", &[2, 3])],
    );
    let net = parse_ok(&model(11, graph));
    let engine = std::sync::Arc::new(nvinfer::runtime::Engine::deserialize(&common::cpu_plan(&net).unwrap()).unwrap());
    let mut ctx = nvinfer::runtime::ExecutionContext::new(engine).unwrap();
    let (mut last, mut stacked) = (vec![0f32; 2], vec![0f32; 6]);
    let x = [1.0, 2.0, 10.0, 20.0, 100.0, 200.0];
    common::run_cpu_context(&mut ctx, &[("X", &x)], &mut [("final", &mut last), ("stacked", &mut stacked)]);
    assert_eq!(last, vec![111.0, 222.0]);
    // Column j is step j: 100, 110, 111 and 200, 220, 222.
    assert_eq!(stacked, vec![100.0, 110.0, 111.0, 200.0, 220.0, 222.0]);
}
