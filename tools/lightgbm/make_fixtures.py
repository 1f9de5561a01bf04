#!/usr/bin/python3
"""Make the LightGBM test fixtures with a real LightGBM build (Debian has no python3-lightgbm; the NuGet package
LightGBM 4.6.0, which Microsoft.ML.LightGbm restores, carries lib_lightgbm.so, driven here through its C API).

    make_fixtures.py OUTDIR [LIB_LIGHTGBM]      (Debian: python3-numpy)

For each case: CASE.txt (the model in LightGBM's text format, LGBM_BoosterSaveModel) and CASE.expected.json
({"inputs": [[...]], "raw": [[...]], "predictions": [[...]]}), where inputs hold NaN as null, raw is the raw score
(C_API_PREDICT_RAW_SCORE) and predictions the normal prediction (probabilities for classifiers, values for
regressors), both as LightGBM computes them in double, predicted from the saved file reloaded. Deterministic (fixed
seeds, one thread), so re-running reproduces the committed files.

Also: zero_as_missing.txt and categorical.txt (models Kiln refuses by name), and mlflow_lightgbm/, an MLflow model
directory as mlflow.lightgbm.save_model lays it out: model.lgb and an MLmodel file with the lightgbm and
python_function flavors and a column signature (MLflow is not packaged in Debian, so the MLmodel file is written
here, field for field as MLflow 2.x writes it).

    make_fixtures.py --bench OUTDIR/gbt500.txt TRAIN.csv      the 500-tree binary model of bench/trees
"""
import ctypes
import glob
import json
import os
import sys

import numpy as np

FLOAT32, FLOAT64 = 0, 1
PREDICT_NORMAL, PREDICT_RAW = 0, 1


def load_library(path=None):
    if path is None:
        found = sorted(glob.glob(os.path.expanduser("~/.nuget/packages/lightgbm/*/runtimes/linux-x64/native/lib_lightgbm.so")))
        if not found:
            sys.exit("lib_lightgbm.so not found: run `dotnet restore` (Microsoft.ML.LightGbm brings the LightGBM package) or pass its path")
        path = found[-1]
    lib = ctypes.cdll.LoadLibrary(path)
    lib.LGBM_GetLastError.restype = ctypes.c_char_p
    return lib


LIB = None


def check(code):
    if code != 0:
        raise RuntimeError(LIB.LGBM_GetLastError().decode())


def dataset(x, y, params):
    handle = ctypes.c_void_p()
    x = np.ascontiguousarray(x, dtype=np.float64)
    check(LIB.LGBM_DatasetCreateFromMat(x.ctypes.data_as(ctypes.c_void_p), FLOAT64, ctypes.c_int32(x.shape[0]), ctypes.c_int32(x.shape[1]),
                                        1, ctypes.c_char_p(params.encode()), None, ctypes.byref(handle)))
    label = np.ascontiguousarray(y, dtype=np.float32)
    check(LIB.LGBM_DatasetSetField(handle, ctypes.c_char_p(b"label"), label.ctypes.data_as(ctypes.c_void_p), ctypes.c_int(len(label)), FLOAT32))
    return handle


def train(x, y, params, rounds):
    params = " ".join(f"{k}={v}" for k, v in {"num_threads": 1, "seed": 0, "deterministic": "true", "verbose": -1, **params}.items())
    data = dataset(x, y, params)
    booster = ctypes.c_void_p()
    check(LIB.LGBM_BoosterCreate(data, ctypes.c_char_p(params.encode()), ctypes.byref(booster)))
    finished = ctypes.c_int(0)
    for _ in range(rounds):
        check(LIB.LGBM_BoosterUpdateOneIter(booster, ctypes.byref(finished)))
        if finished.value:
            break
    return booster, data


def save(booster, path):
    check(LIB.LGBM_BoosterSaveModel(booster, 0, -1, 0, ctypes.c_char_p(path.encode())))


def reload(path):
    booster = ctypes.c_void_p()
    iterations = ctypes.c_int(0)
    check(LIB.LGBM_BoosterCreateFromModelfile(ctypes.c_char_p(path.encode()), ctypes.byref(iterations), ctypes.byref(booster)))
    return booster


def predict(booster, x, kind, width):
    x = np.ascontiguousarray(x, dtype=np.float64)
    out = np.zeros(x.shape[0] * width, dtype=np.float64)
    length = ctypes.c_int64(0)
    check(LIB.LGBM_BoosterPredictForMat(booster, x.ctypes.data_as(ctypes.c_void_p), FLOAT64, ctypes.c_int32(x.shape[0]), ctypes.c_int32(x.shape[1]),
                                        1, kind, 0, -1, ctypes.c_char_p(b""), ctypes.byref(length), out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))))
    return out[: length.value].reshape(x.shape[0], -1)


def data(rows, features, seed, missing=0.1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, features)).astype(np.float32).astype(np.float64)
    x[:, 1] = np.round(x[:, 1] * 2) / 2  # ties with thresholds happen on a grid
    x[:, 4] = np.maximum(x[:, 4], 0)      # many exact zeros
    x[rng.random(x.shape) < missing] = np.nan
    x[:, 5] = np.where(np.isnan(x[:, 5]), 0.25, x[:, 5])  # no missing value in training: LightGBM's missing type None
    return x


def write(name, booster, x, width):
    path = os.path.join(OUT, f"{name}.txt")
    save(booster, path)
    loaded = reload(path)
    expected = {
        "inputs": [[None if np.isnan(v) else float(v) for v in row] for row in x],
        "raw": predict(loaded, x, PREDICT_RAW, width).tolist(),
        "predictions": predict(loaded, x, PREDICT_NORMAL, width).tolist(),
    }
    with open(os.path.join(OUT, f"{name}.expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    LIB.LGBM_BoosterFree(loaded)


def test_inputs(seed):
    x = data(200, 6, seed, missing=0.15)
    x[:3, 5] = np.nan  # NaN where training had none: LightGBM scores it as 0
    x[3:6, 4] = 0.0
    return x


def fixtures():
    os.makedirs(OUT, exist_ok=True)
    x = data(600, 6, 1)
    signal = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 1]) - 0.3 * np.nan_to_num(x[:, 2]) + 0.4 * x[:, 5]
    test = test_inputs(2)

    binary, _ = train(x, (signal > 0).astype(np.float32), {"objective": "binary", "num_leaves": 15, "min_data_in_leaf": 5}, 40)
    write("binary", binary, test, 1)
    regression, _ = train(x, signal * 3 + 1, {"objective": "regression", "num_leaves": 31, "min_data_in_leaf": 3, "learning_rate": 0.2}, 60)
    write("regression", regression, test, 1)
    multiclass, _ = train(x, np.digitize(signal, [-0.5, 0.5]).astype(np.float32), {"objective": "multiclass", "num_class": 3, "num_leaves": 7}, 20)
    write("multiclass", multiclass, test, 3)
    xentropy, _ = train(x, 1 / (1 + np.exp(-signal)), {"objective": "cross_entropy", "num_leaves": 7}, 25)
    write("cross_entropy", xentropy, test, 1)

    zero, _ = train(x, (signal > 0).astype(np.float32), {"objective": "binary", "num_leaves": 7, "zero_as_missing": "true"}, 5)
    save(zero, os.path.join(OUT, "zero_as_missing.txt"))
    categories = x.copy()
    categories[:, 3] = np.abs(np.nan_to_num(np.round(categories[:, 3] * 3))) % 6
    categorical, _ = train(categories, ((signal + (categories[:, 3] == 2)) > 0).astype(np.float32),
                           {"objective": "binary", "num_leaves": 7, "categorical_feature": 3, "min_data_per_group": 5, "cat_smooth": 1}, 10)
    save(categorical, os.path.join(OUT, "categorical.txt"))

    mlflow_dir = os.path.join(OUT, "mlflow_lightgbm")
    os.makedirs(mlflow_dir, exist_ok=True)
    save(binary, os.path.join(mlflow_dir, "model.lgb"))
    columns = ", ".join('{"type": "double", "name": "x%d", "required": true}' % i for i in range(6))
    with open(os.path.join(mlflow_dir, "MLmodel"), "w") as f:
        f.write(f"""artifact_path: model
flavors:
  lightgbm:
    code: null
    data: model.lgb
    lgb_version: 4.6.0
    model_class: lightgbm.basic.Booster
  python_function:
    data: model.lgb
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.lightgbm
    python_version: 3.11.2
mlflow_version: 2.9.2
model_uuid: 6a1d3e2f9c8b4d0e8f7a6b5c4d3e2f1a
run_id: 1e2d3c4b5a69788796a5b4c3d2e1f0a9
signature:
  inputs: '[{columns}]'
  outputs: '[{{"type": "tensor", "tensor-spec": {{"dtype": "float64", "shape": [-1]}}}}]'
  params: null
utc_time_created: '2026-12-08 12:00:00.000000'
""")


def bench(target, train_csv):
    """The 500-tree binary model of bench/trees: LightGBM's default shape (31 leaves) on the 7 numeric bank columns."""
    import csv
    names = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"]
    with open(train_csv) as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[n]) for n in names] for r in rows])
    y = np.array([1.0 if r["y"] == "yes" else 0.0 for r in rows], dtype=np.float32)
    booster, _ = train(x, y, {"objective": "binary", "num_leaves": 31, "learning_rate": 0.05}, 500)
    save(booster, target)


if __name__ == "__main__":
    if sys.argv[1] == "--bench":
        LIB = load_library(sys.argv[4] if len(sys.argv) > 4 else None)
        bench(sys.argv[2], sys.argv[3])
    else:
        OUT = sys.argv[1]
        LIB = load_library(sys.argv[2] if len(sys.argv) > 2 else None)
        fixtures()
