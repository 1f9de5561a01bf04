"""Shared building blocks for tree-ensemble classifiers in ONNX.

Both make_test_models.py and sklearn_gbt_to_onnx.py use this module, so the
node layout (the way skl2onnx lays out scikit-learn trees), the ZipMap wiring,
the model header and the numpy reference evaluator exist exactly once.

The reference evaluator reproduces what onnxruntime's CPU kernel does with the
attributes we emit (float32 compares, ORT's binary-classifier conventions), so
expected outputs can be computed without any ONNX runtime.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, TypeProto, helper

IR_VERSION = 8
ONNX_OPSET = 15
ML_OPSET = 3
ML_DOMAIN = "ai.onnx.ml"
PRODUCER_NAME = "kiln-tools"
PRODUCER_VERSION = "1.0"

# Names skl2onnx gives a classifier's outputs; Kiln tests rely on them.
INPUT_NAME = "float_input"
LABEL_OUTPUT = "output_label"
PROBABILITY_OUTPUT = "output_probability"
RAW_PROBABILITIES = "probabilities"  # [N, C] tensor between the trees and ZipMap

_SKLEARN_LEAF = -1  # sklearn.tree._tree.TREE_LEAF in children_left/right

_NODE_KEYS = (
    "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values",
    "nodes_modes", "nodes_truenodeids", "nodes_falsenodeids",
)
_CLASS_KEYS = ("class_treeids", "class_nodeids", "class_ids", "class_weights")


# --------------------------------------------------------------------------
# sklearn trees -> TreeEnsembleClassifier attributes
# --------------------------------------------------------------------------

def float32_floor(value: float) -> float:
    """Largest float32 that is <= value.

    sklearn compares float32 features with float64 thresholds, ORT compares
    them with float32 thresholds. Rounding to nearest can move a threshold
    above a float32 feature value that sklearn sends right; rounding down
    keeps `x <= t` identical for every float32 x.
    """
    t = np.float32(value)
    if float(t) > value:
        t = np.nextafter(t, np.float32(-np.inf))
    return float(t)


def tree_ensemble_attributes(trees, leaf_weights) -> dict:
    """Flatten sklearn trees into TreeEnsembleClassifier node/class attributes.

    trees: sklearn `Tree` objects (estimator.tree_), one per ONNX tree id.
    leaf_weights: per tree an array [n_nodes, n_columns]; row i is what each
        class column receives when a sample ends in leaf i (rows of internal
        nodes are ignored).
    """
    attrs = {key: [] for key in _NODE_KEYS + _CLASS_KEYS}
    for tree_id, (tree, weights) in enumerate(zip(trees, leaf_weights)):
        for node_id in range(tree.node_count):
            if tree.children_left[node_id] == _SKLEARN_LEAF:
                _append_leaf(attrs, tree_id, node_id, weights[node_id])
            else:
                _append_branch(attrs, tree, tree_id, node_id)
    return attrs


def _append_branch(attrs: dict, tree, tree_id: int, node_id: int) -> None:
    # sklearn sends a sample left when x <= threshold: left is the true branch.
    attrs["nodes_treeids"].append(tree_id)
    attrs["nodes_nodeids"].append(node_id)
    attrs["nodes_featureids"].append(int(tree.feature[node_id]))
    attrs["nodes_values"].append(float32_floor(float(tree.threshold[node_id])))
    attrs["nodes_modes"].append("BRANCH_LEQ")
    attrs["nodes_truenodeids"].append(int(tree.children_left[node_id]))
    attrs["nodes_falsenodeids"].append(int(tree.children_right[node_id]))


def _append_leaf(attrs: dict, tree_id: int, node_id: int, weights) -> None:
    attrs["nodes_treeids"].append(tree_id)
    attrs["nodes_nodeids"].append(node_id)
    attrs["nodes_featureids"].append(0)
    attrs["nodes_values"].append(0.0)
    attrs["nodes_modes"].append("LEAF")
    attrs["nodes_truenodeids"].append(0)
    attrs["nodes_falsenodeids"].append(0)
    for class_id, weight in enumerate(weights):
        attrs["class_treeids"].append(tree_id)
        attrs["class_nodeids"].append(node_id)
        attrs["class_ids"].append(class_id)
        # Stored as float32 by ONNX anyway; rounding here makes that explicit.
        attrs["class_weights"].append(float(np.float32(weight)))


# --------------------------------------------------------------------------
# Graph assembly
# --------------------------------------------------------------------------

def tree_classifier_node(attrs: dict, class_labels, post_transform: str, base_values=None):
    """TreeEnsembleClassifier reading INPUT_NAME, writing label + raw matrix."""
    return helper.make_node(
        "TreeEnsembleClassifier",
        [INPUT_NAME],
        [LABEL_OUTPUT, RAW_PROBABILITIES],
        name="TreeEnsembleClassifier",
        domain=ML_DOMAIN,
        classlabels_int64s=[int(c) for c in class_labels],
        post_transform=post_transform,
        base_values=None if base_values is None else [float(v) for v in base_values],
        **attrs,
    )


def zipmap_node(class_labels):
    """ZipMap turning the [N, C] matrix into a sequence of {label: p} maps."""
    return helper.make_node(
        "ZipMap", [RAW_PROBABILITIES], [PROBABILITY_OUTPUT],
        name="ZipMap", domain=ML_DOMAIN,
        classlabels_int64s=[int(c) for c in class_labels],
    )


def seq_map_int64_float(name: str):
    """ValueInfo for seq(map(int64, tensor(float))), the ZipMap output type."""
    # onnx 1.12 has no make_map_type_proto, so the map is built by hand.
    map_type = TypeProto()
    map_type.map_type.key_type = TensorProto.INT64
    map_type.map_type.value_type.CopyFrom(
        helper.make_tensor_type_proto(TensorProto.FLOAT, None))
    return helper.make_value_info(name, helper.make_sequence_type_proto(map_type))


def tree_classifier_model(graph_name: str, n_features: int, attrs: dict,
                          class_labels, post_transform: str,
                          base_values=None, metadata=None):
    """The full skl2onnx-shaped classifier: float_input -> trees -> ZipMap."""
    nodes = [
        tree_classifier_node(attrs, class_labels, post_transform, base_values),
        zipmap_node(class_labels),
    ]
    graph = helper.make_graph(
        nodes, graph_name,
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [None, n_features])],
        [helper.make_tensor_value_info(LABEL_OUTPUT, TensorProto.INT64, [None]),
         seq_map_int64_float(PROBABILITY_OUTPUT)],
    )
    return make_model(graph, metadata)


def check_model(model) -> None:
    """onnx.checker with full type/shape checking wherever onnx 1.12 allows.

    onnx 1.12's shape inference cannot merge map types at all, so a graph
    with ZipMap only gets the structural check; the same graph cut just
    before ZipMap (probabilities as the output) gets the full check.
    """
    zipmaps = [n for n in model.graph.node if n.op_type == "ZipMap"]
    if not zipmaps:
        onnx.checker.check_model(model, full_check=True)
        return
    onnx.checker.check_model(model)
    cut = onnx.ModelProto()
    cut.CopyFrom(model)
    del cut.graph.node[:]
    cut.graph.node.extend(n for n in model.graph.node if n.op_type != "ZipMap")
    del cut.graph.output[:]
    cut.graph.output.extend(o for o in model.graph.output if o.name not in
                            {z.output[0] for z in zipmaps})
    cut.graph.output.extend(
        helper.make_tensor_value_info(z.input[0], TensorProto.FLOAT, [None, None]) for z in zipmaps)
    onnx.checker.check_model(cut, full_check=True)


def make_model(graph, metadata=None, use_ml: bool = True):
    """Wrap a graph with the header every Kiln test model shares."""
    opsets = [helper.make_opsetid("", ONNX_OPSET)]
    if use_ml:
        opsets.append(helper.make_opsetid(ML_DOMAIN, ML_OPSET))
    model = helper.make_model(
        graph, opset_imports=opsets, ir_version=IR_VERSION,
        producer_name=PRODUCER_NAME, producer_version=PRODUCER_VERSION)
    if metadata:
        helper.set_model_props(model, metadata)
    return model


# --------------------------------------------------------------------------
# Reference evaluation (numpy, mirrors onnxruntime's CPU kernel)
# --------------------------------------------------------------------------

def read_tree_classifier(model) -> dict:
    """Attributes of the model's TreeEnsembleClassifier, strings decoded."""
    node = next(n for n in model.graph.node if n.op_type == "TreeEnsembleClassifier")
    attrs = {}
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        if isinstance(value, bytes):
            value = value.decode()
        elif isinstance(value, list) and value and isinstance(value[0], bytes):
            value = [v.decode() for v in value]
        attrs[attribute.name] = value
    return attrs


def evaluate_tree_classifier(attrs: dict, X):
    """(labels int64 [N], probabilities float64 [N, C]) as ORT computes them.

    Features and thresholds are compared in float32 like ORT does; leaf
    weights (already float32 in the model) are summed in float64, which keeps
    the result within ~1e-7 of both ORT's float32 sums and sklearn.
    """
    X = np.asarray(X, dtype=np.float32)
    trees = _index_trees(attrs)
    n_columns = max(attrs["class_ids"]) + 1
    scores = np.zeros((X.shape[0], n_columns))
    for row, x in enumerate(X):
        for root, nodes in trees:
            for class_id, weight in nodes[_walk(nodes, root, x)]["weights"]:
                scores[row, class_id] += weight
    return _finalize(attrs, scores)


def _index_trees(attrs: dict):
    """[(root_id, {node_id: node})] per tree, in tree-id order."""
    trees: dict = {}
    for i, tree_id in enumerate(attrs["nodes_treeids"]):
        trees.setdefault(tree_id, {})[attrs["nodes_nodeids"][i]] = {
            "mode": attrs["nodes_modes"][i],
            "feature": attrs["nodes_featureids"][i],
            "value": np.float32(attrs["nodes_values"][i]),
            "true": attrs["nodes_truenodeids"][i],
            "false": attrs["nodes_falsenodeids"][i],
            "weights": [],
        }
    for i, tree_id in enumerate(attrs["class_treeids"]):
        trees[tree_id][attrs["class_nodeids"][i]]["weights"].append(
            (attrs["class_ids"][i], float(np.float32(attrs["class_weights"][i]))))
    indexed = []
    for tree_id in sorted(trees):
        nodes = trees[tree_id]
        children = {n[k] for n in nodes.values() if n["mode"] != "LEAF" for k in ("true", "false")}
        (root,) = set(nodes) - children  # exactly one node nobody points to
        indexed.append((root, nodes))
    return indexed


def _walk(nodes: dict, node_id: int, x) -> int:
    while nodes[node_id]["mode"] != "LEAF":
        node = nodes[node_id]
        if node["mode"] != "BRANCH_LEQ":
            raise NotImplementedError(f"node mode {node['mode']} is not emulated")
        node_id = node["true"] if x[node["feature"]] <= node["value"] else node["false"]
    return node_id


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _finalize(attrs: dict, scores):
    """ORT's TreeAggregatorClassifier::FinalizeScores for what we emit."""
    labels = np.asarray(attrs["classlabels_int64s"], dtype=np.int64)
    transform = attrs.get("post_transform", "NONE")
    base = np.asarray(attrs.get("base_values", []), dtype=np.float64)
    if len(labels) > 2:
        if transform != "NONE":
            raise NotImplementedError(f"multiclass post_transform {transform} is not emulated")
        if base.size:
            scores = scores + base
        # np.argmax keeps the first maximum, as ORT's strict '>' scan does.
        return labels[np.argmax(scores, axis=1)], scores
    return _finalize_binary(attrs, labels, transform, base, scores)


def _finalize_binary(attrs, labels, transform, base, scores):
    # Only ORT's "one weight column + LOGISTIC" binary path is emulated: the
    # column is the positive-class margin s, output is [sigmoid(-s), sigmoid(s)].
    if scores.shape[1] != 1 or base.size > 1 or transform != "LOGISTIC":
        raise NotImplementedError("only single-column LOGISTIC binary trees are emulated")
    if min(attrs["class_weights"]) >= 0:
        # ORT then labels by margin > 0.5 instead of > 0 (checked on ORT 1.31).
        raise NotImplementedError("all-non-negative binary weights are not emulated")
    margin = scores[:, 0] + (base[0] if base.size else 0.0)
    predicted = np.where(margin > 0, labels[1], labels[0])
    return predicted, np.stack([_sigmoid(-margin), _sigmoid(margin)], axis=1)

