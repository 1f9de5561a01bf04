#!/usr/bin/python3
"""Make the XGBoost test fixtures (Debian: python3-xgboost 1.7, python3-numpy).

    make_fixtures.py OUTDIR

For each case: CASE.json (the model, XGBoost's own JSON format, saved by save_model) and
CASE.expected.json ({"inputs": [[...]], "margins": [[...]], "predictions": [[...]]}), where inputs
hold NaN as null, margins are Booster.predict(output_margin=True) and predictions
Booster.predict() (probabilities for classifiers, values for regressors), both float32 as XGBoost
computes them. Deterministic (fixed seeds), so re-running reproduces the committed files.

Also: binary_logistic.ubj and multiclass_softprob.ubj (the same boosters in XGBoost's UBJSON format);
binary_logistic.legacy.xgb (XGBoost's older binary format, which Kiln refuses by name); and mlflow_xgboost/, an
MLflow model directory as mlflow.xgboost.save_model(model_format="ubj") lays it out: model.ubj and an MLmodel file
with the xgboost and python_function flavors and a column signature (MLflow itself is not packaged in Debian, so the
MLmodel file is written here, field for field as MLflow 2.x writes it).
"""
import json
import os
import sys

import numpy as np
import xgboost as xgb

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)


def data(rows, features, seed, missing=0.1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features)).astype(np.float32)
    x[:, 1] = np.round(x[:, 1] * 2) / 2  # ties with thresholds happen on a grid
    x[rng.random(x.shape) < missing] = np.nan
    return x


def write(name, booster, x):
    booster.save_model(os.path.join(OUT, f"{name}.json"))
    d = xgb.DMatrix(x, missing=np.nan)
    margins = booster.predict(d, output_margin=True)
    predictions = booster.predict(d)
    shape = lambda a: a.reshape(len(x), -1).astype(np.float32)
    expected = {
        "inputs": [[None if np.isnan(v) else float(v) for v in row] for row in x],
        "margins": shape(margins).tolist(),
        "predictions": shape(predictions).tolist(),
    }
    with open(os.path.join(OUT, f"{name}.expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))


def train(params, x, y, rounds):
    return xgb.train({"seed": 0, "nthread": 1, **params}, xgb.DMatrix(x, label=y, missing=np.nan), num_boost_round=rounds)


x = data(400, 6, 1)
signal = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 1]) - 0.3 * np.nan_to_num(x[:, 2])
test = data(150, 6, 2)

write("binary_logistic", train({"objective": "binary:logistic", "max_depth": 4}, x, (signal > 0).astype(int), 30), test)
write("binary_logitraw", train({"objective": "binary:logitraw", "max_depth": 3, "base_score": 0.3}, x, (signal > 0.2).astype(int), 20), test)
write("regression", train({"objective": "reg:squarederror", "max_depth": 6, "base_score": 1.5}, x, signal * 3 + 1, 40), test)
write("multiclass_softprob", train({"objective": "multi:softprob", "num_class": 3, "max_depth": 3}, x, np.digitize(signal, [-0.5, 0.5]), 15), test)
write("reg_logistic", train({"objective": "reg:logistic", "max_depth": 3}, x, 1 / (1 + np.exp(-signal)), 25), test)


def save(name, booster, suffix):
    booster.save_model(os.path.join(OUT, f"{name}{suffix}"))


binary = train({"objective": "binary:logistic", "max_depth": 4}, x, (signal > 0).astype(int), 30)
save("binary_logistic", binary, ".ubj")
save("binary_logistic", binary, ".legacy.xgb")
save("multiclass_softprob", train({"objective": "multi:softprob", "num_class": 3, "max_depth": 3}, x, np.digitize(signal, [-0.5, 0.5]), 15), ".ubj")

mlflow_dir = os.path.join(OUT, "mlflow_xgboost")
os.makedirs(mlflow_dir, exist_ok=True)
binary.save_model(os.path.join(mlflow_dir, "model.ubj"))
columns = ", ".join('{"type": "float", "name": "x%d", "required": true}' % i for i in range(6))
with open(os.path.join(mlflow_dir, "MLmodel"), "w") as f:
    f.write(f"""artifact_path: model
flavors:
  python_function:
    data: model.ubj
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.xgboost
    python_version: 3.11.2
  xgboost:
    code: null
    data: model.ubj
    model_class: xgboost.core.Booster
    model_format: ubj
    xgb_version: {xgb.__version__}
mlflow_version: 2.9.2
model_uuid: 5f0c2d2e8b7a4c1f9e3d6a0b1c2d3e4f
run_id: 0f1e2d3c4b5a69788796a5b4c3d2e1f0
signature:
  inputs: '[{columns}]'
  outputs: '[{{"type": "tensor", "tensor-spec": {{"dtype": "float32", "shape": [-1]}}}}]'
  params: null
utc_time_created: '2026-12-07 12:00:00.000000'
""")
