"""Scores valid.csv through a Kiln deployment (MLflow CSV scoring) and prints the validation AUC.
Usage: kiln_auc.py URL DEPLOYMENT valid.csv"""
import json, sys, urllib.request
import pandas as pd
from sklearn.metrics import roc_auc_score

url, deployment, path = sys.argv[1], sys.argv[2], sys.argv[3]
valid = pd.read_csv(path)
body = valid.drop(columns=["y", "duration"]).to_csv(index=False).encode()
request = urllib.request.Request(f"{url}/deployments/{deployment}/invocations", data=body, headers={"Content-Type": "text/csv"})
predictions = json.load(urllib.request.urlopen(request))["predictions"]
scores = [p["probabilities"]["yes"] for p in predictions]
print(json.dumps({"kiln_auc": roc_auc_score((valid["y"] == "yes").astype(int), scores)}))
