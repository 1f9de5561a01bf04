#!/usr/bin/python3
"""Write a dense network as ONNX, for measuring dynamic batching on a model whose call dominates the request.

    mlp_onnx.py OUT.onnx [--hidden 1024] [--layers 2] [--seed 0]

float_input FLOAT [N, 7] -> (Gemm + Relu) x layers -> Gemm -> Softmax -> probabilities FLOAT [N, 2].
The weights are random (scaled to keep activations small): the point is the arithmetic, not the answers.
One row costs a matrix-vector product per layer, so every row reads all the weights again; a batch of rows
reads them once, which is where batching pays.
"""

from __future__ import annotations

import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    widths = [7] + [args.hidden] * args.layers + [2]
    nodes, initializers = [], []
    current = "float_input"
    for i, (fan_in, fan_out) in enumerate(zip(widths, widths[1:])):
        w = (rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)).astype(np.float32)
        b = np.zeros(fan_out, dtype=np.float32)
        initializers += [numpy_helper.from_array(w, f"w{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("Gemm", [current, f"w{i}", f"b{i}"], [f"g{i}"]))
        current = f"g{i}"
        if i < len(widths) - 2:
            nodes.append(helper.make_node("Relu", [current], [f"r{i}"]))
            current = f"r{i}"
    nodes.append(helper.make_node("Softmax", [current], ["probabilities"], axis=1))
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("float_input", TensorProto.FLOAT, ["N", 7])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="kiln-bench")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, args.out)


if __name__ == "__main__":
    main()
