"""Bench helper (run with /usr/bin/python3: Debian's sklearn/pandas).

  prepare.py train  DATA.csv OUT.joblib     7-feature GradientBoosting, the peer's same-model comparison
  prepare.py bodies MODEL.joblib ROWS.csv OUTDIR
        writes v2_1.json, v2_1000.json (Open Inference Protocol v2, FP32 [N,7], flat data),
        records_1.json, records_1000.json ({"instances":[{...}]}: KServe v1 and the peer's /predict)
        and expected.json (sklearn predict_proba of the single row)
  prepare.py check  EXPECTED.json RESPONSE.json v2|peer|any
        v2: output_probability of the V2 response equals sklearn's to 1e-5; peer: predictions[0] does;
        any: the expected P(class 1) appears among the response's numbers (exit 3 if not)
"""
import json, os, sys

FEATURES = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"]
TOL = 1e-5


def train(data, out):
    import joblib, pandas as pd
    from sklearn.ensemble import GradientBoostingClassifier
    d = pd.read_csv(data)
    m = GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)
    m.fit(d[FEATURES], (d["y"] == "yes").astype(int))
    joblib.dump(m, out)


def bodies(model, rows, outdir):
    import joblib, pandas as pd
    x = pd.read_csv(rows)[FEATURES].iloc[:1000]
    assert len(x) == 1000, "need 1000 rows"
    for n in (1, 1000):
        part = x.iloc[:n]
        flat = [float(v) for v in part.to_numpy(dtype="float32").ravel()]
        v2 = {"inputs": [{"name": "float_input", "shape": [n, len(FEATURES)], "datatype": "FP32", "data": flat}]}
        records = {"instances": [{k: int(v) for k, v in r.items()} for r in part.to_dict("records")]}
        for name, body in ((f"v2_{n}.json", v2), (f"records_{n}.json", records)):
            with open(os.path.join(outdir, name), "w") as f:
                json.dump(body, f, separators=(",", ":"))
    p = joblib.load(model).predict_proba(x.iloc[:1])[0]
    with open(os.path.join(outdir, "expected.json"), "w") as f:
        json.dump({"row": x.iloc[0].astype(int).to_dict(), "proba": [float(v) for v in p]}, f)


def numbers(o):
    if isinstance(o, dict):
        for v in o.values(): yield from numbers(v)
    elif isinstance(o, list):
        for v in o: yield from numbers(v)
    elif isinstance(o, (int, float)) and not isinstance(o, bool):
        yield float(o)


def check(expected, response, kind):
    want = json.load(open(expected))["proba"]
    got = json.load(open(response))
    if kind == "v2":
        out = next(o for o in got["outputs"] if o["name"] == "output_probability")
        ok = all(abs(a - b) <= TOL for a, b in zip(out["data"], want)) and len(out["data"]) == len(want)
        have = out["data"]
    elif kind == "peer":
        have = got["predictions"][:1]
        ok = abs(have[0] - want[1]) <= TOL
    else:
        have = [v for v in numbers(got) if abs(v - want[1]) <= TOL][:1]
        ok = bool(have)
    print(f"  sklearn predict_proba {want} vs response {have}: {'match' if ok else 'MISMATCH'} (tol {TOL})")
    sys.exit(0 if ok else 3)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"train": train, "bodies": bodies, "check": check}[cmd](*args)
