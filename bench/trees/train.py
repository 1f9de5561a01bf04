"""Bench helper (Debian's /usr/bin/python3 with python3-sklearn, python3-pandas):

  train.py DATA.csv OUT.joblib TREES LEAVES|depth:D

A binary scikit-learn GradientBoostingClassifier on the 7 numeric bank columns: either
max_depth D (the serving benchmark's 100 x depth 3) or at most LEAVES leaves per tree
(LightGBM's default shape: 31 leaves).
"""
import sys

import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier

FEATURES = ["age", "balance", "day", "duration", "campaign", "pdays", "previous"]

data, out, trees, shape = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
d = pd.read_csv(data)
if shape.startswith("depth:"):
    model = GradientBoostingClassifier(n_estimators=trees, max_depth=int(shape[6:]), random_state=0)
else:
    model = GradientBoostingClassifier(n_estimators=trees, max_depth=None, max_leaf_nodes=int(shape), random_state=0)
model.fit(d[FEATURES], (d["y"] == "yes").astype(int))
joblib.dump(model, out)
