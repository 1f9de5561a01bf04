#!/usr/bin/python3
"""Build Kiln's ONNX test models and their expected outputs.

    make_test_models.py OUT_DIR

Everything is seeded, so two runs write byte-identical files. Expected
outputs are computed here in numpy (own tree walk, linear algebra, logistic),
never by an ONNX runtime, and the sklearn-backed ones are cross-checked
against sklearn's predict_proba. See README.md for the file list.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import joblib
import numpy as np
import onnx
import pandas as pd
import yaml
from onnx import TensorProto, helper, numpy_helper
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

import onnx_trees
import sklearn_gbt_to_onnx

SKLEARN_TOLERANCE = 1e-6
# Top-two class scores closer than this could swap label under float32 noise.
MIN_LABEL_GAP = 1e-4


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------

def checked(model: onnx.ModelProto) -> onnx.ModelProto:
    onnx_trees.check_model(model)
    return model


def assert_unambiguous(scores, what: str) -> None:
    """Fail if any row's label would hinge on float rounding."""
    top = np.sort(np.asarray(scores), axis=1)
    gaps = top[:, -1] - top[:, -2]
    if np.any(gaps < MIN_LABEL_GAP):
        raise SystemExit(f"{what}: row(s) {np.flatnonzero(gaps < MIN_LABEL_GAP).tolist()} "
                         "have a near-tie between classes; pick other rows")


def assert_matches_sklearn(labels, proba, estimator, X, what: str) -> None:
    """Our numpy evaluation must reproduce sklearn's predict/predict_proba."""
    expected = sklearn_gbt_to_onnx.sklearn_proba(estimator, X)
    diff = float(np.max(np.abs(proba - expected)))
    if not diff <= SKLEARN_TOLERANCE:
        raise SystemExit(f"{what}: numpy result differs from sklearn by {diff:.3g}")
    if not np.array_equal(labels, estimator.classes_[np.argmax(expected, axis=1)]):
        raise SystemExit(f"{what}: numpy labels differ from sklearn's")


def zipmap_outputs(labels, proba, class_labels) -> dict:
    """Expected ZipMap outputs, both as maps and as a plain matrix."""
    proba = np.asarray(proba, dtype=np.float64)
    return {
        onnx_trees.LABEL_OUTPUT: [int(v) for v in labels],
        onnx_trees.PROBABILITY_OUTPUT: [
            {str(c): float(p) for c, p in zip(class_labels, row)} for row in proba],
        onnx_trees.PROBABILITY_OUTPUT + "_matrix": proba.tolist(),
    }


def batch_and_single(inputs: dict, outputs: dict) -> list:
    """A multi-row case plus the first row alone (batching must not matter)."""
    return [
        {"name": "batch", "inputs": inputs, "outputs": outputs},
        {"name": "single_row",
         "inputs": {k: v[:1] for k, v in inputs.items()},
         "outputs": {k: v[:1] for k, v in outputs.items()}},
    ]


# --------------------------------------------------------------------------
# tree_classifier: small random forest, 4 features, 3 int64 classes
# --------------------------------------------------------------------------

IRIS_CENTERS = np.array([[5.0, 3.4, 1.5, 0.25], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.5, 2.0]])
IRIS_SPREAD = np.array([0.5, 0.4, 0.7, 0.4])  # wide enough for impure leaves
TREE_ROWS = [
    [5.1, 3.5, 1.4, 0.2],
    [6.0, 2.9, 4.5, 1.5],
    [6.9, 3.1, 5.4, 2.1],
    [6.2, 2.9, 4.9, 1.6],
    [0.0, 0.0, 0.0, 0.0],
    [-1.5, -2.0, -0.5, -3.0],
    [100.0, 50.0, 80.0, 40.0],
]


def iris_like_data():
    """150 iris-shaped rows (values with one decimal) and labels 0, 1, 2."""
    rng = np.random.default_rng(4)
    y = np.repeat([0, 1, 2], 50)
    X = IRIS_CENTERS[y] + rng.normal(size=(150, 4)) * IRIS_SPREAD
    return np.round(X, 1), y


def build_tree_classifier():
    X, y = iris_like_data()
    forest = RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(X, y)
    trees = [estimator.tree_ for estimator in forest.estimators_]
    # Like skl2onnx: each leaf carries its class fractions / n_trees, so the
    # summed weights are already the averaged probabilities (post_transform NONE).
    leaf_weights = [_class_fractions(tree) / len(trees) for tree in trees]
    attrs = onnx_trees.tree_ensemble_attributes(trees, leaf_weights)
    model = onnx_trees.tree_classifier_model(
        "RandomForestClassifier", 4, attrs, class_labels=[0, 1, 2], post_transform="NONE")
    return checked(model), forest


def _class_fractions(tree):
    counts = tree.value[:, 0, :]
    return counts / counts.sum(axis=1, keepdims=True)


def tree_classifier_cases(model, forest) -> list:
    attrs = onnx_trees.read_tree_classifier(model)
    rows = TREE_ROWS + _rows_around_root_threshold(attrs)
    labels, proba = onnx_trees.evaluate_tree_classifier(attrs, rows)
    assert_matches_sklearn(labels, proba, forest, np.asarray(rows, np.float32), "tree_classifier")
    assert_unambiguous(proba, "tree_classifier")
    inputs = {onnx_trees.INPUT_NAME: _json_rows(rows)}
    return batch_and_single(inputs, zipmap_outputs(labels, proba, [0, 1, 2]))


def _rows_around_root_threshold(attrs) -> list:
    """Two rows differing only in the first root split's feature: exactly on
    the float32 threshold, and one float32 step above it.

    They must produce different outputs, so a runtime that compares with '<'
    instead of '<=' (or rounds thresholds differently) fails the test.
    """
    feature, threshold = attrs["nodes_featureids"][0], np.float32(attrs["nodes_values"][0])
    for base in list(IRIS_CENTERS) + TREE_ROWS:
        on, above = list(map(float, base)), list(map(float, base))
        on[feature] = float(threshold)
        above[feature] = float(np.nextafter(threshold, np.float32(np.inf)))
        probabilities = onnx_trees.evaluate_tree_classifier(attrs, [on, above])[1]
        if not np.allclose(probabilities[0], probabilities[1]):
            return [on, above]
    raise SystemExit("tree_classifier: no row is sensitive to the root threshold")


def _json_rows(rows) -> list:
    """Rows as JSON numbers; the float32 nearest to each is what we evaluated.

    Hand-written values are short decimals, and threshold values are already
    exact float32 numbers, so parsing the text straight to float32 (or to
    double, then to float32) gives back exactly the evaluated input.
    """
    return [[float(v) for v in row] for row in rows]


# --------------------------------------------------------------------------
# gbt_sklearn: GradientBoostingClassifier on bank-marketing-like data
# --------------------------------------------------------------------------

BANK_FEATURES = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"]
GBT_ROWS = [
    [35.0, 1500.5, 15.0, 240.0, 2.0, -1.0, 0.0],
    [52.0, 3200.0, 7.0, 1150.0, 1.0, 95.0, 3.0],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [-5.0, -2500.75, -1.0, -10.0, -3.0, -1.0, -2.0],
    [95.0, 95000.0, 31.0, 4900.0, 50.0, 850.0, 25.0],
    [28.0, 120.25, 28.0, 410.0, 3.0, 180.0, 2.0],
]


def bank_training_frame():
    """2000 plausible bank-marketing rows and a 'subscribed' target."""
    rng = np.random.default_rng(7)
    n = 2000
    contacted = rng.random(n) < 0.2
    frame = pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "balance": np.round(rng.normal(1400.0, 3000.0, n), 2),
        "day": rng.integers(1, 32, n),
        "duration": np.round(rng.gamma(2.0, 130.0, n)),
        "campaign": rng.geometric(0.4, n),
        "pdays": np.where(contacted, rng.integers(1, 400, n), -1),
        "previous": np.where(contacted, rng.poisson(2.0, n) + 1, 0),
    }).astype(np.float64)
    logit = (-3.0 + 0.004 * frame["duration"] + 0.9 * contacted
             - 0.12 * frame["campaign"] + 0.00006 * frame["balance"])
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    return frame, y


def build_gbt():
    frame, y = bank_training_frame()
    gbt = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(frame, y)
    model = sklearn_gbt_to_onnx.convert(gbt, sklearn_gbt_to_onnx.resolve_feature_names(gbt, None))
    diff = sklearn_gbt_to_onnx.max_abs_diff(model, gbt, sklearn_gbt_to_onnx.verification_rows(gbt))
    if not diff <= SKLEARN_TOLERANCE:
        raise SystemExit(f"gbt_sklearn: converter verification failed ({diff:.3g})")
    return checked(model), gbt


def gbt_cases(model, gbt) -> list:
    attrs = onnx_trees.read_tree_classifier(model)
    labels, proba = onnx_trees.evaluate_tree_classifier(attrs, GBT_ROWS)
    assert_matches_sklearn(labels, proba, gbt, np.asarray(GBT_ROWS, np.float32), "gbt_sklearn")
    assert_unambiguous(proba, "gbt_sklearn")
    inputs = {onnx_trees.INPUT_NAME: _json_rows(GBT_ROWS)}
    return batch_and_single(inputs, zipmap_outputs(labels, proba, [0, 1]))


# --------------------------------------------------------------------------
# bank_columns: one input per column, OneHotEncoder + LinearClassifier
# --------------------------------------------------------------------------

JOBS = ["admin.", "blue-collar", "technician", "services", "management"]
HOUSING = ["yes", "no"]
NUMERIC_COLUMNS = [("age", TensorProto.FLOAT), ("balance", TensorProto.DOUBLE),
                   ("campaign", TensorProto.INT64)]
STRING_COLUMNS = [("job", JOBS), ("housing", HOUSING)]
# Margin of class "yes", in concatenation order: age, balance, campaign,
# one-hot job (JOBS order), one-hot housing (HOUSING order).
YES_WEIGHTS = [0.02, 0.0001, -0.15, 0.1, -0.4, 0.05, -0.2, 0.3, -0.6, 0.2]
YES_INTERCEPT = -0.4
BANK_CLASSES = ["no", "yes"]
BANK_ROWS = {
    "age": [35.0, 58.0, 0.0, 42.5, 23.0, 67.0],
    "balance": [1500.5, -320.75, 0.0, 15000.25, 45.0, 250.0],
    "campaign": [2, 1, 0, 7, 3, 1],
    "job": ["management", "blue-collar", "admin.", "student", "technician", "services"],
    "housing": ["yes", "no", "no", "yes", "unknown", "no"],
}


def build_bank_columns():
    nodes, features, initializers, value_info = [], [], [], []
    for name, _ in NUMERIC_COLUMNS:
        nodes.append(helper.make_node("Cast", [name], [f"{name}_float"], name=f"Cast_{name}",
                                      to=TensorProto.FLOAT))
        features.append(f"{name}_float")
    for name, categories in STRING_COLUMNS:
        nodes += _one_hot(name, categories, initializers)
        features.append(f"{name}_onehot")
        # onnx 1.12 infers no type for OneHotEncoder; declaring it lets the
        # strict checker verify the Reshape/Concat chain behind it.
        value_info.append(helper.make_tensor_value_info(
            f"{name}_encoded", TensorProto.FLOAT, [None, 1, len(categories)]))
    nodes.append(helper.make_node("Concat", features, ["features"], name="Concat", axis=1))
    nodes.append(_linear_classifier())
    inputs = [helper.make_tensor_value_info(name, dtype, [None, 1])
              for name, dtype in NUMERIC_COLUMNS]
    inputs += [helper.make_tensor_value_info(name, TensorProto.STRING, [None, 1])
               for name, _ in STRING_COLUMNS]
    outputs = [helper.make_tensor_value_info("label", TensorProto.STRING, [None]),
               helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])]
    graph = helper.make_graph(nodes, "bank_columns", inputs, outputs,
                              initializer=initializers, value_info=value_info)
    return checked(onnx_trees.make_model(graph))


def _one_hot(name: str, categories, initializers: list) -> list:
    # OneHotEncoder maps [N, 1] strings to [N, 1, C]; Reshape drops the middle axis.
    shape = f"{name}_shape"
    initializers.append(numpy_helper.from_array(np.array([-1, len(categories)], np.int64), shape))
    return [
        helper.make_node("OneHotEncoder", [name], [f"{name}_encoded"],
                         name=f"OneHotEncoder_{name}", domain=onnx_trees.ML_DOMAIN,
                         cats_strings=categories, zeros=1),
        helper.make_node("Reshape", [f"{name}_encoded", shape], [f"{name}_onehot"],
                         name=f"Reshape_{name}"),
    ]


def _linear_classifier():
    # Two mirrored rows, as skl2onnx emits for binary logistic regression:
    # scores are [-s, s], the label is their argmax and the element-wise
    # logistic gives [1 - p, p] without relying on ORT's one-row special case.
    weights = np.array(YES_WEIGHTS, dtype=np.float32)
    return helper.make_node(
        "LinearClassifier", ["features"], ["label", "probabilities"], name="LinearClassifier",
        domain=onnx_trees.ML_DOMAIN,
        coefficients=[float(w) for w in np.concatenate([-weights, weights])],
        intercepts=[-YES_INTERCEPT, YES_INTERCEPT],
        classlabels_strings=BANK_CLASSES, post_transform="LOGISTIC", multi_class=0)


def bank_expected(rows: dict):
    """(labels, probabilities) computed column by column as the graph does."""
    # Cast nodes turn every numeric column (even the double one) into float32.
    numeric = [np.asarray(rows[name], dtype=np.float64).astype(np.float32)
               for name, _ in NUMERIC_COLUMNS]
    # Unknown categories match nothing and stay all-zero (zeros=1).
    one_hot = [np.array([[value == c for c in categories] for value in rows[name]], np.float32)
               for name, categories in STRING_COLUMNS]
    features = np.column_stack(numeric + one_hot).astype(np.float64)
    # Coefficients and intercepts are float32 attributes in the model.
    yes = features @ np.float32(YES_WEIGHTS).astype(np.float64) + float(np.float32(YES_INTERCEPT))
    scores = np.column_stack([-yes, yes])
    labels = [BANK_CLASSES[i] for i in np.argmax(scores, axis=1)]
    return labels, 1.0 / (1.0 + np.exp(-scores))


def bank_cases() -> list:
    labels, proba = bank_expected(BANK_ROWS)
    assert_unambiguous(proba, "bank_columns")
    # Every column is an [N, 1] tensor; all values are exact in their dtype.
    inputs = {name: [[value] for value in values] for name, values in BANK_ROWS.items()}
    return batch_and_single(inputs, {"label": labels, "probabilities": proba.tolist()})


# --------------------------------------------------------------------------
# regressor: plain MatMul + Add
# --------------------------------------------------------------------------

REGRESSOR_WEIGHTS = np.array([[0.5], [-1.25], [2.0]], dtype=np.float32)
REGRESSOR_BIAS = np.array([0.75], dtype=np.float32)
REGRESSOR_ROWS = [
    [1.0, 2.0, 3.0],
    [0.0, 0.0, 0.0],
    [-1.5, 0.25, 4.0],
    [100.0, -100.0, 0.5],
    [0.1, 0.2, 0.3],
    [-3.0, -3.0, -3.0],
]


def build_regressor():
    nodes = [helper.make_node("MatMul", ["X", "coefficients"], ["multiplied"], name="MatMul"),
             helper.make_node("Add", ["multiplied", "intercept"], ["variable"], name="Add")]
    graph = helper.make_graph(
        nodes, "linear_regressor",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 3])],
        [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])],
        initializer=[numpy_helper.from_array(REGRESSOR_WEIGHTS, "coefficients"),
                     numpy_helper.from_array(REGRESSOR_BIAS, "intercept")])
    return checked(onnx_trees.make_model(graph, use_ml=False))


def regressor_cases() -> list:
    X = np.asarray(REGRESSOR_ROWS, dtype=np.float32).astype(np.float64)
    y = X @ REGRESSOR_WEIGHTS.astype(np.float64) + REGRESSOR_BIAS.astype(np.float64)
    return batch_and_single({"X": _json_rows(REGRESSOR_ROWS)}, {"variable": y.tolist()})


# --------------------------------------------------------------------------
# MLflow model directories (as mlflow.onnx.log_model writes them, MLflow 2.11)
# --------------------------------------------------------------------------

MLFLOW_VERSION = "2.11.3"
PYTHON_VERSION = "3.10.13"
ONNX_VERSION = "1.15.0"
REQUIREMENTS = [f"mlflow=={MLFLOW_VERSION}", f"onnx=={ONNX_VERSION}", "onnxruntime==1.17.1"]


def tensor_spec(name: str, dtype: str, shape) -> dict:
    return {"name": name, "type": "tensor", "tensor-spec": {"dtype": dtype, "shape": list(shape)}}


def col_spec(name: str, dtype: str) -> dict:
    return {"type": dtype, "name": name, "required": True}


def write_mlflow_model(directory: Path, onnx_bytes: bytes, inputs: list, outputs: list,
                       example: dict, example_info: dict) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.onnx").write_bytes(onnx_bytes)
    with open(directory / "input_example.json", "w") as f:
        json.dump(example, f)
    # MLflow sums the files present before it writes MLmodel and the env files.
    size = sum((directory / n).stat().st_size for n in ("model.onnx", "input_example.json"))
    mlmodel = _mlmodel(directory.name, inputs, outputs, example_info, size)
    # MLflow's own serialization: safe_dump, block style, keys sorted.
    (directory / "MLmodel").write_text(yaml.safe_dump(mlmodel, default_flow_style=False))
    _write_environment(directory)


def _mlmodel(name: str, inputs: list, outputs: list, example_info: dict, size: int) -> dict:
    # Fixed ids and time keep the output reproducible.
    return {
        "artifact_path": "model",
        "flavors": {
            "onnx": {"code": None, "data": "model.onnx", "onnx_session_options": None,
                     "onnx_version": ONNX_VERSION,
                     "providers": ["CUDAExecutionProvider", "CPUExecutionProvider"]},
            "python_function": {"data": "model.onnx",
                                "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
                                "loader_module": "mlflow.onnx", "python_version": PYTHON_VERSION},
        },
        "metadata": {"team": "kiln-tests"},
        "mlflow_version": MLFLOW_VERSION,
        "model_size_bytes": size,
        "model_uuid": uuid.uuid5(uuid.NAMESPACE_URL, f"kiln-tests/model/{name}").hex,
        "run_id": uuid.uuid5(uuid.NAMESPACE_URL, f"kiln-tests/run/{name}").hex,
        "saved_input_example_info": {"artifact_path": "input_example.json", **example_info},
        "signature": {"inputs": json.dumps(inputs), "outputs": json.dumps(outputs), "params": None},
        "utc_time_created": "2024-03-21 09:15:42.123456",
    }


def _write_environment(directory: Path) -> None:
    conda = {"channels": ["conda-forge"],
             "dependencies": [f"python={PYTHON_VERSION}", "pip<=23.3.1", {"pip": REQUIREMENTS}],
             "name": "mlflow-env"}
    (directory / "conda.yaml").write_text(yaml.safe_dump(conda, default_flow_style=False))
    python_env = {"python": PYTHON_VERSION,
                  "build_dependencies": ["pip==23.3.1", "setuptools==68.2.2", "wheel==0.41.2"],
                  "dependencies": ["-r requirements.txt"]}
    (directory / "python_env.yaml").write_text(
        yaml.safe_dump(python_env, sort_keys=False, default_flow_style=False))
    (directory / "requirements.txt").write_text("\n".join(REQUIREMENTS))


def write_mlflow_tensorspec(out: Path, onnx_bytes: bytes) -> None:
    # A dict-of-ndarrays input example is written in TF-serving "inputs" form.
    example = {"inputs": {onnx_trees.INPUT_NAME: [TREE_ROWS[0], TREE_ROWS[2]]}}
    write_mlflow_model(
        out / "mlflow_tensorspec", onnx_bytes,
        [tensor_spec(onnx_trees.INPUT_NAME, "float32", [-1, 4])],
        [tensor_spec(onnx_trees.LABEL_OUTPUT, "int64", [-1])],
        example, {"type": "ndarray", "format": "tf-serving"})


def write_mlflow_colspec(out: Path, onnx_bytes: bytes) -> None:
    # A DataFrame input example is written in pandas "split" orient, index dropped.
    example = {"columns": BANK_FEATURES, "data": [GBT_ROWS[0], GBT_ROWS[1]]}
    write_mlflow_model(
        out / "mlflow_colspec", onnx_bytes,
        [col_spec(name, "double") for name in BANK_FEATURES],
        [col_spec(onnx_trees.LABEL_OUTPUT, "long")],
        example, {"type": "dataframe", "pandas_orient": "split"})


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def corrupt_bytes() -> bytes:
    """64 seeded random bytes, confirmed not to parse as an ONNX model."""
    data = np.random.default_rng(1234).bytes(64)
    try:
        onnx.load_from_string(data)
    except Exception:  # protobuf's DecodeError; any parse failure is what we want
        return data
    raise SystemExit("corrupt.onnx bytes happen to parse as ONNX; change the seed")


def save(model: onnx.ModelProto, path: Path) -> bytes:
    data = model.SerializeToString()
    path.write_bytes(data)
    onnx_trees.check_model(onnx.load(str(path)))
    return data


def main(argv) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)

    tree_model, forest = build_tree_classifier()
    gbt_model, gbt = build_gbt()
    bank_model = build_bank_columns()
    regressor_model = build_regressor()

    tree_bytes = save(tree_model, out / "tree_classifier.onnx")
    gbt_bytes = save(gbt_model, out / "gbt_sklearn.onnx")
    joblib.dump(gbt, out / "gbt_sklearn.joblib")
    save(bank_model, out / "bank_columns.onnx")
    save(regressor_model, out / "regressor.onnx")
    (out / "corrupt.onnx").write_bytes(corrupt_bytes())
    write_mlflow_tensorspec(out, tree_bytes)
    write_mlflow_colspec(out, gbt_bytes)

    expected = {
        "tree_classifier": tree_classifier_cases(tree_model, forest),
        "gbt_sklearn": gbt_cases(gbt_model, gbt),
        "bank_columns": bank_cases(),
        "regressor": regressor_cases(),
    }
    with open(out / "expected.json", "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(f"wrote test models to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
