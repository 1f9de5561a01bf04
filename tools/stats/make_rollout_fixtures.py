#!/usr/bin/env python3
"""Computes the expected values that Kiln.Monitoring's rollout statistics are tested against.

Run with a Python that has numpy, scipy and scikit-learn (Debian: /usr/bin/python3):

    /usr/bin/python3 tools/stats/make_rollout_fixtures.py

Writes tests/Kiln.Monitoring.Tests/Fixtures/rollouts_champion_challenger.json. Everything is computed
here from first principles (scipy.stats.norm, numpy), independently of the C# code: Wilson intervals,
pooled two-proportion z-tests, the two-proportion sample-size formula, and DeLong's AUC variance by
Sun & Xu's (2014) fast midrank algorithm, checked against the O(m·n) pairwise definition and
scikit-learn's AUC. Seeds are fixed, so the output is reproducible.
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import stats
from sklearn import metrics

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Kiln.Monitoring.Tests", "Fixtures")
CONFIDENCE = 0.95
POWER = 0.8
ALPHA = 1 - CONFIDENCE
Z = stats.norm.ppf(1 - ALPHA / 2)


def midrank(x):
    """Sun & Xu's compute_midrank: 1-based average ranks."""
    order = np.argsort(x, kind="mergesort")
    sorted_x = x[order]
    n = len(x)
    t = np.zeros(n, dtype=float)
    i = 0
    while i < n:
        j = i
        while j < n and sorted_x[j] == sorted_x[i]:
            j += 1
        t[i:j] = 0.5 * (i + j - 1) + 1
        i = j
    out = np.empty(n, dtype=float)
    out[order] = t
    return out


def fast_delong(actual, scores):
    pos = scores[actual == 1]
    neg = scores[actual == 0]
    m, n = len(pos), len(neg)
    tx = midrank(pos)
    ty = midrank(neg)
    tz = midrank(np.concatenate([pos, neg]))
    auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (tz[:m] - tx) / n
    v01 = 1 - (tz[m:] - ty) / m
    var = np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n
    return float(auc), float(var)


def pairwise_delong(actual, scores):
    pos = scores[actual == 1]
    neg = scores[actual == 0]
    psi = (pos[:, None] > neg[None, :]).astype(float) + 0.5 * (pos[:, None] == neg[None, :])
    auc = psi.mean()
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    return auc, np.var(v10, ddof=1) / len(pos) + np.var(v01, ddof=1) / len(neg)


def wilson(k, n):
    p = k / n
    denom = 1 + Z * Z / n
    center = (p + Z * Z / (2 * n)) / denom
    half = Z / denom * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return center - half, center + half


def summary(actual, predicted, scores):
    n = len(actual)
    correct = int((actual == predicted).sum())
    lo, hi = wilson(correct, n)
    auc, var = fast_delong(actual, scores)
    pw_auc, pw_var = pairwise_delong(actual, scores)
    assert abs(auc - pw_auc) < 1e-12 and abs(var - pw_var) < 1e-12 * max(1.0, var), (auc, pw_auc, var, pw_var)
    assert abs(auc - metrics.roc_auc_score(actual, scores)) < 1e-12
    sd = math.sqrt(var)
    return {
        "labelled": n, "correct": correct, "accuracy": correct / n, "accuracyLower": lo, "accuracyUpper": hi,
        "auc": auc, "aucVariance": var, "aucLower": max(0.0, auc - Z * sd), "aucUpper": min(1.0, auc + Z * sd),
    }


def compare(name, a, b):
    sa, sb = summary(*a), summary(*b)
    p1, p2, n1, n2 = sa["accuracy"], sb["accuracy"], sa["labelled"], sb["labelled"]
    diff = p2 - p1
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    pooled = (sa["correct"] + sb["correct"]) / (n1 + n2)
    z = diff / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    p = 2 * stats.norm.sf(abs(z))
    auc_diff = sb["auc"] - sa["auc"]
    auc_se = math.sqrt(sa["aucVariance"] + sb["aucVariance"])
    auc_z = auc_diff / auc_se
    if diff == 0:
        required = additional = None
    else:
        pbar = (p1 + p2) / 2
        root = stats.norm.ppf(1 - ALPHA / 2) * math.sqrt(2 * pbar * (1 - pbar)) + stats.norm.ppf(POWER) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
        required = math.ceil(root * root / (diff * diff))
        additional = 0 if p < ALPHA else max(0, required - min(n1, n2))
    return {
        "name": name,
        "champion": {"actual": [int(v) for v in a[0]], "predicted": [int(v) for v in a[1]], "scores": [float(v) for v in a[2]], "expected": sa},
        "challenger": {"actual": [int(v) for v in b[0]], "predicted": [int(v) for v in b[1]], "scores": [float(v) for v in b[2]], "expected": sb},
        "accuracyDifference": {"estimate": diff, "standardError": se, "lower": diff - Z * se, "upper": diff + Z * se, "z": z, "pValue": p},
        "aucDifference": {"estimate": auc_diff, "standardError": auc_se, "lower": auc_diff - Z * auc_se, "upper": auc_diff + Z * auc_se, "z": auc_z, "pValue": 2 * stats.norm.sf(abs(auc_z))},
        "requiredLabelsPerVariant": required,
        "additionalLabelsPerVariant": additional,
    }


def variant(rng, n, prevalence, separation, threshold=0.5, digits=None):
    y = (rng.random(n) < prevalence).astype(int)
    score = 1 / (1 + np.exp(-rng.normal(separation * (y - 0.5) * 2, 1.0)))
    if digits is not None:
        score = np.round(score, digits)  # coarse scores: ties across and within classes
    return y, (score >= threshold).astype(int), score


def main():
    rng = np.random.default_rng(20261207)
    cases = [
        compare("clear_difference", variant(rng, 2000, 0.4, 0.8), variant(rng, 2000, 0.4, 1.4)),
        compare("small_undecided", variant(rng, 300, 0.5, 1.0), variant(rng, 300, 0.5, 1.1)),
        compare("ties_imbalanced", variant(rng, 800, 0.1, 1.0, digits=1), variant(rng, 1200, 0.1, 1.2, digits=1)),
        compare("unequal_sizes", variant(rng, 150, 0.3, 1.2, digits=2), variant(rng, 1500, 0.3, 1.0, digits=2)),
    ]
    # Equal accuracy: the challenger flips one right and one wrong prediction of the same rows.
    y, pred, score = variant(rng, 400, 0.5, 1.0)
    right = int(np.flatnonzero(pred == y)[0])
    wrong = int(np.flatnonzero(pred != y)[0])
    pred2 = pred.copy()
    pred2[right] = 1 - pred2[right]
    pred2[wrong] = 1 - pred2[wrong]
    cases.append(compare("equal_accuracy", (y, pred, score), (y, pred2, np.round(score, 2))))
    assert cases[-1]["requiredLabelsPerVariant"] is None

    quantiles = [{"p": p, "x": float(stats.norm.ppf(p))} for p in [1e-12, 1e-6, 0.001, 0.01, 0.02425, 0.025, 0.2, 0.5, 0.8, 0.95, 0.975, 0.999, 1 - 1e-9]]
    sfs = [{"x": x, "sf": float(stats.norm.sf(x))} for x in [-6.0, -2.5, -1.0, -0.1, 0.0, 0.3, 1.0, 1.6448536269514722, 1.959963984540054, 3.0, 5.0, 8.0, 12.0]]
    payload = {
        "generator": f"tools/stats/make_rollout_fixtures.py (numpy {np.__version__}, scipy {scipy.__version__})",
        "confidence": CONFIDENCE, "power": POWER,
        "normalQuantile": quantiles, "normalSf": sfs,
        "cases": cases,
    }
    with open(os.path.join(OUT, "rollouts_champion_challenger.json"), "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")
    for case in cases:
        print(case["name"], case["accuracyDifference"]["pValue"], case["aucDifference"]["pValue"], case["requiredLabelsPerVariant"], case["additionalLabelsPerVariant"])


if __name__ == "__main__":
    main()
