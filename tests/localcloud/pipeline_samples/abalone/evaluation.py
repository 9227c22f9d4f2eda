"""Abalone evaluation, written to the contract of AWS's abalone pipeline example: untar the
training job's model.tar.gz, unpickle ``xgboost-model`` (the built-in algorithm's format on the
1.0-1 image), score the test split, write the model quality report that the condition reads."""

import json
import pathlib
import pickle
import tarfile

import numpy as np
import pandas as pd
import xgboost
from sklearn.metrics import mean_squared_error

if __name__ == "__main__":
    with tarfile.open("/opt/ml/processing/model/model.tar.gz") as archive:
        archive.extractall(path=".")
    model = pickle.load(open("xgboost-model", "rb"))  # noqa: SIM115 - the example's own line
    test = pd.read_csv("/opt/ml/processing/test/test.csv", header=None)
    truth = test.iloc[:, 0].to_numpy()
    test.drop(test.columns[0], axis=1, inplace=True)
    predictions = model.predict(xgboost.DMatrix(test.values))
    mse = mean_squared_error(truth, predictions)
    report = {
        "regression_metrics": {
            "mse": {"value": mse, "standard_deviation": float(np.std(truth - predictions))}
        }
    }
    output = pathlib.Path("/opt/ml/processing/evaluation")
    output.mkdir(parents=True, exist_ok=True)
    (output / "evaluation.json").write_text(json.dumps(report))
    print(json.dumps(report))
