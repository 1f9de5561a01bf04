"""Model-quality yardstick: scikit-learn's GradientBoostingClassifier (100 trees, depth 3), as the peers
train it, on a CSV split 80/20 with a fixed seed. Writes train.csv / valid.csv for Kiln to use and prints
the validation AUC. Usage: sklearn_baseline.py DATA.csv OUT_DIR"""
import json, sys
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

data = pd.read_csv(sys.argv[1])
out = sys.argv[2]
train, valid = train_test_split(data, test_size=0.2, random_state=0, stratify=data["y"])
train.to_csv(f"{out}/train.csv", index=False)
valid.to_csv(f"{out}/valid.csv", index=False)

def features(frame):
    return frame.drop(columns=["y", "duration"])

X = features(train)
categorical = [c for c in X.columns if X[c].dtype == object]
model = Pipeline([
    ("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), categorical)], remainder="passthrough")),
    ("gbt", GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)),
])
model.fit(X, (train["y"] == "yes").astype(int))
auc = roc_auc_score((valid["y"] == "yes").astype(int), model.predict_proba(features(valid))[:, 1])
print(json.dumps({"rows": len(data), "train_rows": len(train), "valid_rows": len(valid), "positive_rate": float((data["y"] == "yes").mean()), "sklearn_auc": auc}))
