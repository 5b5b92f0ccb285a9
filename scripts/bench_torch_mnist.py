"""PyTorch baseline for benchmark_mnist: the same MNIST model (weights read from the ONNX
file) at batch 1 on the GPU, timed with CUDA events, eager and as a replayed CUDA graph.
Prints median milliseconds in the same format as benchmark_mnist."""
import sys

import onnx
import torch
from onnx import numpy_helper


def main(path: str, iterations: int) -> None:
    init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in onnx.load(path).graph.initializer}
    w = {k: v.cuda() for k, v in init.items() if v.dtype == torch.float32}
    convs = [n for n in w if w[n].dim() == 4]
    mats = [n for n in w if w[n].dim() == 2 and w[n].shape[1] == 10]
    biases = [n for n in w if w[n].dim() == 3]
    w1, w2 = sorted(convs, key=lambda n: w[n].shape[0])
    b1, b2 = sorted(biases, key=lambda n: w[n].shape[0])
    fc = mats[0]
    fcb = [n for n in w if w[n].shape == (1, 10)][0]

    def forward(x):
        x = torch.relu(torch.nn.functional.conv2d(x, w[w1], padding=2) + w[b1])
        x = torch.nn.functional.max_pool2d(x, 2, 2)
        x = torch.relu(torch.nn.functional.conv2d(x, w[w2], padding=2) + w[b2])
        x = torch.nn.functional.max_pool2d(x, 3, 3)
        return x.reshape(1, 256) @ w[fc] + w[fcb]

    torch.backends.cudnn.benchmark = True
    x = torch.rand(1, 1, 28, 28, device="cuda")
    with torch.inference_mode():
        for _ in range(50):
            forward(x)
        torch.cuda.synchronize()

        def median(fn):
            times = []
            start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            for _ in range(iterations):
                start.record()
                fn()
                stop.record()
                stop.synchronize()
                times.append(start.elapsed_time(stop))
            return sorted(times)[len(times) // 2]

        eager = median(lambda: forward(x))
        graph = torch.cuda.CUDAGraph()
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            forward(x)
        torch.cuda.current_stream().wait_stream(s)
        with torch.cuda.graph(graph):
            y = forward(x)
        replay = median(graph.replay)
    print(f"BENCH pytorch mnist batch1 enqueueV3_ms={eager:.4f} graph_replay_ms={replay:.4f} iterations={iterations}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
