"""Abalone preprocessing, written to the contract of AWS's abalone pipeline example: the raw
CSV (no header) in /opt/ml/processing/input, the label ``rings`` first in each output, 70/15/15
train / validation / test splits in /opt/ml/processing/{train,validation,test}."""

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

BASE = "/opt/ml/processing"
NUMERIC = [
    "length",
    "diameter",
    "height",
    "whole_weight",
    "shucked_weight",
    "viscera_weight",
    "shell_weight",
]
COLUMNS = ["sex", *NUMERIC, "rings"]

if __name__ == "__main__":
    frame = pd.read_csv(f"{BASE}/input/abalone-dataset.csv", header=None, names=COLUMNS)
    print(f"read {len(frame)} rows")
    labels = frame.pop("rings").to_numpy().reshape(-1, 1)
    preprocess = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                ["sex"],
            ),
        ]
    )
    rows = np.concatenate([labels, preprocess.fit_transform(frame)], axis=1)
    np.random.seed(7)
    np.random.shuffle(rows)
    train, validation, test = np.split(rows, [int(0.7 * len(rows)), int(0.85 * len(rows))])
    for name, part in (("train", train), ("validation", validation), ("test", test)):
        pd.DataFrame(part).to_csv(f"{BASE}/{name}/{name}.csv", header=False, index=False)
    print(f"wrote {len(train)} / {len(validation)} / {len(test)} rows")
