"""The step code on the bundled sample data: real preprocessing, training and scoring."""

from __future__ import annotations

import json
import tarfile

import pandas as pd
import pytest

import evaluate
import preprocess
import train
from {{ cookiecutter.__package }} import sample_data, settings

TARGET = settings.TARGET_COLUMN
HYPERPARAMETERS = {key.replace("-", "_"): value for key, value in settings.HYPERPARAMETERS.items()}


@pytest.fixture(scope="module")
def processing(tmp_path_factory):
    base = tmp_path_factory.mktemp("processing")
    sample_data.write_sample(base / "input")
    preprocess.preprocess(base, TARGET, settings.PROBLEM_TYPE)
    return base


@pytest.fixture(scope="module")
def model_dir(processing):
    estimator = train.make_estimator(settings.MODEL, settings.PROBLEM_TYPE, **HYPERPARAMETERS)
    return train.train(processing / "train", processing / "model", TARGET,
                       settings.PROBLEM_TYPE, estimator)


def test_preprocess_splits_every_sample_row_into_train_or_test_target_first(processing):
    train_table = pd.read_csv(processing / "train" / "train.csv")
    test_table = pd.read_csv(processing / "test" / "test.csv")
    assert len(train_table) + len(test_table) == len(sample_data.sample_frame())
    assert len(test_table) == pytest.approx(0.2 * (len(train_table) + len(test_table)), abs=1)
    assert list(train_table.columns)[0] == TARGET == list(test_table.columns)[0]


def test_preprocess_drops_feature_store_bookkeeping_and_named_columns(tmp_path):
    frame = pd.DataFrame({"record_id": ["a", "b"], "event_time": ["t1", "t2"], "x": [1.0, 2.0],
                          TARGET: [0, 1], "write_time": ["w", "w"], "is_deleted": [False, False]})
    selected = preprocess.select_columns(frame, TARGET, drop=["record_id", "event_time"])
    assert list(selected.columns) == [TARGET, "x"]


def test_preprocess_names_non_numeric_features_it_cannot_train_on():
    frame = pd.DataFrame({"colour": ["red", "blue"], TARGET: [0, 1]})
    with pytest.raises(ValueError, match=r"\['colour'\] are not numeric"):
        preprocess.select_columns(frame, TARGET)


def test_preprocess_names_a_missing_target_column():
    with pytest.raises(ValueError, match=f"target column '{TARGET}' is not in the data"):
        preprocess.select_columns(pd.DataFrame({"x": [1.0]}), TARGET)


def test_train_saves_the_model_next_to_the_serving_code(model_dir):
    assert (model_dir / "model.joblib").is_file()
    assert (model_dir / "code" / "inference.py").read_text() == train.INFERENCE_SCRIPT.read_text()


def test_evaluation_report_has_the_registry_format_and_a_metric_that_clears_the_threshold(
    processing, model_dir
):
    report = evaluate.evaluate(model_dir, processing / "test", processing / "evaluation", TARGET)
    section = evaluate.SECTIONS[settings.PROBLEM_TYPE]
    assert set(report) == {section}
    assert set(report[section]) == set(settings.METRICS[settings.PROBLEM_TYPE])
    value = report[section][settings.METRIC]["value"]
    if settings.METRIC in settings.LOWER_IS_BETTER:
        assert 0 < value <= settings.METRIC_THRESHOLD
    else:
        assert settings.METRIC_THRESHOLD <= value <= 1
    written = json.loads((processing / "evaluation" / "evaluation.json").read_text())
    assert written == report


def test_evaluate_command_reads_the_training_jobs_model_archive(processing, model_dir, tmp_path):
    base = tmp_path / "processing"
    (base / "model").mkdir(parents=True)
    with tarfile.open(base / "model" / "model.tar.gz", "w:gz") as archive:
        for path in model_dir.rglob("*"):
            archive.add(path, arcname=str(path.relative_to(model_dir)))
    (base / "test").symlink_to(processing / "test")
    evaluate.main(["--target-column", TARGET, "--base-dir", str(base)])
    report = json.loads((base / "evaluation" / "evaluation.json").read_text())
    assert settings.METRIC in report[evaluate.SECTIONS[settings.PROBLEM_TYPE]]
