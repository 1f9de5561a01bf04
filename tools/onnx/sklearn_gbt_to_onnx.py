#!/usr/bin/python3
"""Convert a fitted binary scikit-learn GradientBoostingClassifier to ONNX.

    sklearn_gbt_to_onnx.py MODEL.joblib OUT.onnx [--feature-names a,b,c]

The graph matches what skl2onnx emits for this model (no skl2onnx here):
float_input FLOAT [N, F] -> ai.onnx.ml TreeEnsembleClassifier -> ZipMap, with
outputs output_label INT64 [N] and output_probability seq(map(int64, float)).

GBT specifics: one weight column (class id 0) holding the positive-class
margin, leaf values scaled by learning_rate, base_values = the init
estimator's log-odds, post_transform LOGISTIC. onnxruntime turns that single
column s into probabilities [sigmoid(-s), sigmoid(s)].

Before writing, the produced tree arrays are evaluated in numpy on 1000 rows
and compared with sklearn's predict_proba (must agree to 1e-6).
Exit codes: 0 written, 1 verification failed, 2 unsupported input.
"""

from __future__ import annotations

import argparse
import sys

import joblib
import numpy as np
import onnx
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline

import onnx_trees

TOLERANCE = 1e-6
VERIFY_ROWS = 1000
VERIFY_SEED = 0


class UnsupportedModel(Exception):
    """The input is not something this converter can translate faithfully."""


# --------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------

def unwrap_estimator(obj):
    """The GBT itself, accepting a Pipeline only when it is the sole step."""
    if isinstance(obj, Pipeline):
        if len(obj.steps) != 1:
            names = ", ".join(name for name, _ in obj.steps)
            raise UnsupportedModel(
                f"pipeline has {len(obj.steps)} steps ({names}); only a pipeline whose single "
                "step is the GradientBoostingClassifier can be converted, because the other "
                "steps' transformations would be silently dropped")
        obj = obj.steps[0][1]
    return obj


def check_supported(gbt) -> None:
    if not isinstance(gbt, GradientBoostingClassifier):
        raise UnsupportedModel(f"expected GradientBoostingClassifier, got {type(gbt).__name__}")
    if not hasattr(gbt, "estimators_"):
        raise UnsupportedModel("the GradientBoostingClassifier is not fitted")
    if len(gbt.classes_) != 2:
        raise UnsupportedModel(
            f"only binary models are supported, this one has {len(gbt.classes_)} classes")
    if gbt.loss not in ("log_loss", "deviance"):
        raise UnsupportedModel(f"loss {gbt.loss!r} is not supported (log_loss only)")
    if not all(_is_integer_label(c) for c in gbt.classes_):
        # ZipMap keys and output_label are int64, as skl2onnx emits for int labels.
        raise UnsupportedModel(f"class labels must be integers, got {list(gbt.classes_)}")


def _is_integer_label(label) -> bool:
    try:
        return float(label).is_integer()
    except (TypeError, ValueError):
        return False


def base_log_odds(gbt) -> float:
    """The constant raw score sklearn starts from (its init estimator's log-odds)."""
    if isinstance(gbt.init_, str) and gbt.init_ == "zero":
        return 0.0
    if not isinstance(gbt.init_, DummyClassifier) or gbt.init_.strategy == "stratified":
        # Any other init estimator depends on X (or is random), which a single
        # base value cannot express.
        raise UnsupportedModel(f"init estimator {gbt.init_!r} is not a constant prior")
    # Same formula as sklearn's BinomialDeviance.get_init_raw_predictions.
    p = gbt.init_.predict_proba(np.zeros((1, gbt.n_features_in_)))[0, 1]
    eps = np.finfo(np.float32).eps
    p = np.clip(p, eps, 1 - eps)
    return float(np.log(p / (1 - p)))


def resolve_feature_names(gbt, flag: str | None):
    """Names from --feature-names or feature_names_in_; None when neither exists."""
    fitted = getattr(gbt, "feature_names_in_", None)
    fitted = None if fitted is None else [str(n) for n in fitted]
    if flag is None:
        names = fitted
    else:
        names = [n.strip() for n in flag.split(",")]
        if fitted is not None and names != fitted:
            raise UnsupportedModel(
                f"--feature-names {names} contradicts the model's feature_names_in_ {fitted}")
    if names is None:
        return None
    if len(names) != gbt.n_features_in_:
        raise UnsupportedModel(f"{len(names)} feature names for {gbt.n_features_in_} features")
    if any("," in n or not n for n in names):
        raise UnsupportedModel("feature names must be non-empty and contain no commas")
    return names


# --------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------

def convert(gbt, feature_names=None) -> onnx.ModelProto:
    """ONNX model for a fitted, supported binary GradientBoostingClassifier."""
    trees = [stage[0].tree_ for stage in gbt.estimators_]
    # One weight column: each leaf adds learning_rate * value to the margin.
    leaf_weights = [tree.value[:, 0, :1] * gbt.learning_rate for tree in trees]
    attrs = onnx_trees.tree_ensemble_attributes(trees, leaf_weights)
    if min(attrs["class_weights"]) >= 0:
        # With no negative weight ORT's binary path picks output_label by
        # margin > 0.5 instead of > 0, disagreeing with its own probabilities.
        raise UnsupportedModel("every leaf weight is non-negative; onnxruntime would derive "
                               "output_label from margin > 0.5 for such a binary ensemble")
    metadata = {"producer_name": onnx_trees.PRODUCER_NAME}
    if feature_names is not None:
        metadata["feature_names"] = ",".join(feature_names)
    return onnx_trees.tree_classifier_model(
        "GradientBoostingClassifier", gbt.n_features_in_, attrs,
        class_labels=[int(c) for c in gbt.classes_], post_transform="LOGISTIC",
        base_values=[base_log_odds(gbt)], metadata=metadata)


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

def verification_rows(gbt, n_rows: int = VERIFY_ROWS, seed: int = VERIFY_SEED):
    """Random float32 rows spanning every split, ~10% of cells exactly on one.

    Values are drawn around each feature's thresholds so every branch is
    taken; cells placed exactly on a (float32-rounded) threshold exercise
    the `<=` boundary where float32/float64 mistakes would show.
    """
    rng = np.random.default_rng(seed)
    n_features = gbt.n_features_in_
    thresholds = _thresholds_by_feature(gbt, n_features)
    X = np.empty((n_rows, n_features), dtype=np.float32)
    for f in range(n_features):
        t = thresholds[f] if thresholds[f].size else np.array([0.0], dtype=np.float32)
        span = float(t.max() - t.min()) + 1.0
        X[:, f] = rng.uniform(t.min() - 0.2 * span, t.max() + 0.2 * span, n_rows)
        on_split = rng.random(n_rows) < 0.1
        X[on_split, f] = rng.choice(t, on_split.sum())
    return X


def _thresholds_by_feature(gbt, n_features: int):
    found = [[] for _ in range(n_features)]
    for stage in gbt.estimators_:
        tree = stage[0].tree_
        for node in np.flatnonzero(tree.children_left != -1):  # -1 marks a leaf
            found[tree.feature[node]].append(onnx_trees.float32_floor(float(tree.threshold[node])))
    return [np.asarray(values, dtype=np.float32) for values in found]


def sklearn_proba(gbt, X):
    """predict_proba, fed a DataFrame when the model was fitted on one."""
    names = getattr(gbt, "feature_names_in_", None)
    if names is not None:
        import pandas as pd  # only needed (and present) for DataFrame-fitted models
        X = pd.DataFrame(X.astype(np.float64), columns=names)
    return gbt.predict_proba(X)


def max_abs_diff(model: onnx.ModelProto, gbt, X) -> float:
    """Largest |numpy evaluation of the ONNX trees - sklearn predict_proba|.

    The model is serialized and parsed back first so the check sees exactly
    the float32 values that land in the file.
    """
    stored = onnx.load_from_string(model.SerializeToString())
    labels, proba = onnx_trees.evaluate_tree_classifier(onnx_trees.read_tree_classifier(stored), X)
    expected = sklearn_proba(gbt, X)
    if not np.array_equal(labels, gbt.classes_[np.argmax(expected, axis=1)].astype(np.int64)):
        # Only a margin of exactly 0 could legitimately differ; treat as failure.
        return float("inf")
    return float(np.max(np.abs(proba - expected)))


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------

def load_pickle(path: str):
    try:
        return joblib.load(path)
    except Exception as error:  # unpickling can fail in many ways; all mean bad input
        raise UnsupportedModel(f"cannot load {path}: {error}") from error


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="joblib file with a fitted GradientBoostingClassifier")
    parser.add_argument("output", help="ONNX file to write")
    parser.add_argument("--feature-names", help="comma-separated names stored in metadata")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        gbt = unwrap_estimator(load_pickle(args.model))
        check_supported(gbt)
        names = resolve_feature_names(gbt, args.feature_names)
        model = convert(gbt, names)
    except UnsupportedModel as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    onnx_trees.check_model(model)
    diff = max_abs_diff(model, gbt, verification_rows(gbt))
    print(f"max abs diff vs sklearn predict_proba on {VERIFY_ROWS} rows: {diff:.3g}")
    if not diff <= TOLERANCE:
        print(f"error: verification failed (tolerance {TOLERANCE})", file=sys.stderr)
        return 1
    onnx.save_model(model, args.output)
    if names is None:
        print("note: no feature names known; metadata has no feature_names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
