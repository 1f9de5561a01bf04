#!/usr/bin/env python3
"""Computes the expected values that Kiln.Monitoring's statistics are tested against.

Run with a Python that has numpy, scipy and scikit-learn (Debian: /usr/bin/python3):

    /usr/bin/python3 tools/stats/make_fixtures.py

Writes JSON files into tests/Kiln.Monitoring.Tests/Fixtures. Seeds are fixed, so the output
is reproducible; the fixtures are committed and the tests never need Python.
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy import special, stats
from scipy.spatial import distance
from sklearn import metrics

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Kiln.Monitoring.Tests", "Fixtures")
EPS = 1e-15


def r(values, digits=4):
    return [round(float(v), digits) for v in values]


def write(name, payload):
    payload = {"generator": f"tools/stats/make_fixtures.py (numpy {np.__version__}, scipy {scipy.__version__}, sklearn {sklearn.__version__})", **payload}
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")


def binary_cases():
    rng = np.random.default_rng(20261124)
    cases = []
    specs = [("small", 30, 0.4, 2), ("ties", 400, 0.3, 1), ("large", 2000, 0.5, 4), ("imbalanced", 2000, 0.05, 3)]
    for name, n, prevalence, digits in specs:
        y = (rng.random(n) < prevalence).astype(int)
        score = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0.0, 1.0)
        score = np.round(score, digits)  # coarse rounding produces ties and exact 0/1 scores
        pred = (score >= 0.5).astype(int)
        cases.append(binary_case(name, y, pred, score))
    # Degenerate: one class only, nothing predicted positive.
    y = np.zeros(20, dtype=int)
    score = np.round(rng.random(20) * 0.4, 3)
    pred = np.zeros(20, dtype=int)
    case = binary_case("one_class_no_positive_predictions", y, pred, score)
    cases.append(case)
    return cases


def binary_case(name, y, pred, score):
    one_class = len(np.unique(y)) < 2
    return {
        "name": name,
        "actual": [int(v) for v in y],
        "predicted": [int(v) for v in pred],
        "score": [float(v) for v in score],
        "accuracy": metrics.accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred, zero_division=0),
        "recall": metrics.recall_score(y, pred, zero_division=0),
        "f1": metrics.f1_score(y, pred, zero_division=0),
        "auc": None if one_class else metrics.roc_auc_score(y, score),
        "logLoss": metrics.log_loss(y, score, eps=EPS, labels=[0, 1]),
        "positiveRate": float(np.mean(pred)),
    }


def multiclass_cases():
    rng = np.random.default_rng(7)
    cases = []
    for name, n, k in [("three", 300, 3), ("five", 600, 5)]:
        y = rng.integers(0, k, n)
        logits = rng.normal(0, 1, (n, k))
        logits[np.arange(n), y] += 1.2
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        p = np.round(p, 6)
        p[:, -1] = np.round(1.0 - p[:, :-1].sum(axis=1), 6)
        pred = np.argmax(p, axis=1)
        cases.append({
            "name": name,
            "classes": k,
            "actual": [int(v) for v in y],
            "predicted": [int(v) for v in pred],
            "probabilities": [float(v) for v in p.ravel()],
            "accuracy": metrics.accuracy_score(y, pred),
            "macroPrecision": metrics.precision_score(y, pred, average="macro", zero_division=0),
            "macroRecall": metrics.recall_score(y, pred, average="macro", zero_division=0),
            "macroF1": metrics.f1_score(y, pred, average="macro", zero_division=0),
            "logLoss": metrics.log_loss(y, p, eps=EPS, labels=list(range(k))),
            "macroAucOvr": metrics.roc_auc_score(y, p, multi_class="ovr", average="macro", labels=list(range(k))),
        })
    return cases


def regression_cases():
    rng = np.random.default_rng(11)
    cases = []
    for name, n in [("small", 25), ("large", 1500)]:
        y = np.round(rng.normal(10, 3, n), 3)
        pred = np.round(y + rng.normal(0.2, 1.5, n), 3)
        cases.append(regression_case(name, y, pred))
    y = np.full(10, 2.5)
    cases.append(regression_case("constant_actual", y, y + 1.0))
    return cases


def regression_case(name, y, pred):
    return {
        "name": name,
        "actual": [float(v) for v in y],
        "predicted": [float(v) for v in pred],
        "mae": metrics.mean_absolute_error(y, pred),
        "rmse": float(np.sqrt(metrics.mean_squared_error(y, pred))),
        "r2": metrics.r2_score(y, pred),
    }


def psi(ref, cur):
    """Kiln's PSI: 10 bins cut at the reference deciles (numpy 'linear' quantiles), right-closed,
    open-ended outer bins; proportions clipped below at 1e-4; sum of (cur - ref) * ln(cur / ref)."""
    edges = np.quantile(ref, np.arange(1, 10) / 10.0)
    ref_bins = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=10) / len(ref)
    cur_bins = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=10) / len(cur)
    ref_bins = np.clip(ref_bins, 1e-4, None)
    cur_bins = np.clip(cur_bins, 1e-4, None)
    return float(np.sum((cur_bins - ref_bins) * np.log(cur_bins / ref_bins)))


def numeric_cases():
    rng = np.random.default_rng(42)
    specs = [
        ("small_same", 50, 40, 0.0, 1.0, 3),
        ("small_shift", 60, 45, 0.8, 1.0, 3),
        ("ties", 500, 700, 0.1, 1.0, 1),
        ("medium_same", 900, 1100, 0.0, 1.0, 4),
        ("large_shift", 3000, 2500, 0.25, 1.2, 4),
    ]
    cases = []
    for name, n, m, shift, scale, digits in specs:
        ref = np.round(rng.normal(5.0, 2.0, n), digits)
        cur = np.round(rng.normal(5.0 + shift * 2.0, 2.0 * scale, m), digits)
        cases.append(numeric_case(name, ref, cur))
    ref = np.round(rng.lognormal(0.0, 0.8, 2000), 4)
    cur = np.round(rng.lognormal(0.15, 0.8, 1800), 4)
    cases.append(numeric_case("lognormal", ref, cur))
    return cases


def numeric_case(name, ref, cur):
    ks = stats.ks_2samp(ref, cur, method="asymp")
    n, m = len(ref), len(cur)
    en = n * m / (n + m)
    w = stats.wasserstein_distance(ref, cur)
    return {
        "name": name,
        "reference": [float(v) for v in ref],
        "current": [float(v) for v in cur],
        "ksStatistic": float(ks.statistic),
        # The limiting Kolmogorov distribution Kiln implements (kstwobign.sf(D * sqrt(en))).
        "ksPValue": float(special.kolmogorov(np.sqrt(en) * ks.statistic)),
        # scipy's own method='asymp' (kstwo.sf(D, round(en)), the finite-n distribution), for reference.
        "ksPValueScipyAsymp": float(ks.pvalue),
        "wasserstein": float(w),
        "wassersteinNormed": float(w / max(np.std(ref), 0.001)),
        "psi": psi(ref, cur),
    }


def categorical_cases():
    rng = np.random.default_rng(5)
    cases = []
    specs = [
        ("same", ["a", "b", "c", "d"], [0.4, 0.3, 0.2, 0.1], [0.4, 0.3, 0.2, 0.1], 800, 600),
        ("shifted", ["a", "b", "c", "d"], [0.4, 0.3, 0.2, 0.1], [0.25, 0.3, 0.25, 0.2], 1500, 1200),
        ("small", ["x", "y", "z"], [0.5, 0.3, 0.2], [0.45, 0.35, 0.2], 60, 50),
        ("new_in_reference_only", ["p", "q", "r", "s"], [0.5, 0.3, 0.15, 0.05], [0.55, 0.3, 0.15, 0.0], 400, 300),
    ]
    for name, cats, pref, pcur, n, m in specs:
        ref = list(rng.choice(cats, n, p=pref))
        cur = list(rng.choice(cats, m, p=pcur))
        keys = sorted(set(ref) | set(cur))
        ref_counts = np.array([ref.count(k) for k in keys], dtype=float)
        cur_counts = np.array([cur.count(k) for k in keys], dtype=float)
        # Evidently's chi-square test: observed current counts vs reference counts scaled to the current total.
        expected = ref_counts * (len(cur) / len(ref))
        chi = stats.chisquare(cur_counts, expected)
        js = distance.jensenshannon(ref_counts / len(ref), cur_counts / len(cur))
        p_ref = np.clip(ref_counts / len(ref), 1e-4, None)
        p_cur = np.clip(cur_counts / len(cur), 1e-4, None)
        cases.append({
            "name": name,
            "reference": [str(v) for v in ref],
            "current": [str(v) for v in cur],
            "chiSquareStatistic": float(chi.statistic),
            "chiSquarePValue": float(chi.pvalue),
            "jensenShannon": float(js),
            "psi": float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref))),
        })
    return cases


def special_cases():
    chi2 = []
    for x, df in [(0.5, 1), (3.84, 1), (10.0, 3), (25.0, 4), (100.0, 10), (0.01, 7), (50.0, 60), (300.0, 2), (7.5, 12)]:
        chi2.append({"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))})
    kolmogorov = []
    for z in [0.05, 0.3, 0.6, 0.8, 1.0, 1.2, 1.36, 2.0, 3.0, 5.0]:
        kolmogorov.append({"z": z, "sf": float(special.kolmogorov(z))})
    return {"chiSquareSf": chi2, "kolmogorovSf": kolmogorov}


def main():
    os.makedirs(OUT, exist_ok=True)
    write("classification.json", {"binary": binary_cases(), "multiclass": multiclass_cases()})
    write("regression.json", {"cases": regression_cases()})
    write("numeric_drift.json", {"cases": numeric_cases()})
    write("categorical_drift.json", {"cases": categorical_cases()})
    write("special_functions.json", special_cases())


if __name__ == "__main__":
    main()
