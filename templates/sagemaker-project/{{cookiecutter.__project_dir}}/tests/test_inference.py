"""SageMaker's serving contract: a request in, predictions out, through all four handlers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import inference
import train
from {{ cookiecutter.__package }} import sample_data, settings


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The model as the serving container sees it: model_fn on the model directory."""
    folder = tmp_path_factory.mktemp("train")
    frame = sample_data.sample_frame()
    frame.to_csv(folder / "train.csv", index=False)
    estimator = train.make_estimator(settings.MODEL, settings.PROBLEM_TYPE, 20, 3, 0.3)
    model_dir = train.train(folder, folder / "model", settings.TARGET_COLUMN,
                            settings.PROBLEM_TYPE, estimator)
    return inference.model_fn(str(model_dir)), frame.drop(columns=[settings.TARGET_COLUMN])


def serve(model, body, content_type, accept):
    return inference.output_fn(
        inference.predict_fn(inference.input_fn(body, content_type), model), accept
    )


def test_csv_request_round_trips_to_json_predictions(served):
    model, features = served
    rows = features.head(3)
    body = rows.to_csv(header=False, index=False)
    predictions = json.loads(serve(model, body, "text/csv", "application/json"))["predictions"]
    assert predictions == pytest.approx(list(inference.predict_fn(rows, model)))
    if settings.PROBLEM_TYPE == "binary_classification":
        assert all(0 <= p <= 1 for p in predictions)


def test_json_objects_in_any_column_order_give_the_same_predictions_as_csv(served):
    model, features = served
    rows = features.head(2)
    shuffled = rows[list(reversed(rows.columns))].to_dict(orient="records")
    as_json = serve(model, json.dumps({"instances": shuffled}), "application/json", "text/csv")
    as_csv = serve(model, rows.to_csv(header=False, index=False).encode(), "text/csv", "text/csv")
    assert as_json == as_csv
    assert len(as_csv.splitlines()) == 2


def test_a_row_of_the_wrong_width_is_refused_with_the_expected_count(served):
    model, features = served
    with pytest.raises(ValueError, match=f"each row needs {features.shape[1]} values"):
        inference.predict_fn(inference.input_fn("1,2\n", "text/csv"), model)


def test_unsupported_content_and_accept_types_are_refused():
    with pytest.raises(ValueError, match="content type 'text/plain' is not supported"):
        inference.input_fn("1,2", "text/plain")
    with pytest.raises(ValueError, match="accept type 'image/png' is not supported"):
        inference.output_fn(pd.Series([1.0]).to_numpy(), "image/png")
