"""Preprocess: keep the features and the target, split into train and test.

Runs in a SageMaker processing container: raw data (CSV or the Parquet files of a feature group's
offline store) under /opt/ml/processing/input, the two tables written to
/opt/ml/processing/train and /opt/ml/processing/test.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from dataset import features_and_target, read_table, write_table

PROCESSING_DIR = Path("/opt/ml/processing")
# Columns SageMaker Feature Store adds to every offline-store record: bookkeeping, not features.
FEATURE_STORE_COLUMNS = ("write_time", "api_invocation_time", "is_deleted")
TEST_FRACTION = 0.2
SEED = 42


def select_columns(frame: pd.DataFrame, target: str, drop: Sequence[str] = ()) -> pd.DataFrame:
    """The target first, then every numeric feature; rows without a target are dropped."""
    unwanted = [name for name in (*FEATURE_STORE_COLUMNS, *drop) if name in frame.columns]
    features, labels = features_and_target(frame.drop(columns=unwanted), target)
    non_numeric = [name for name in features if not pd.api.types.is_numeric_dtype(features[name])]
    if non_numeric:
        raise ValueError(
            f"features {non_numeric} are not numeric: encode them upstream, drop them with "
            "--drop-columns, or extend preprocess.py"
        )
    table = pd.concat([labels, features], axis=1)
    return table.dropna(subset=[target]).reset_index(drop=True)


def split(table: pd.DataFrame, target: str, problem_type: str):
    stratify = table[target] if problem_type == "binary_classification" else None
    return train_test_split(
        table, test_size=TEST_FRACTION, random_state=SEED, stratify=stratify
    )


def preprocess(
    base_dir: Path, target: str, problem_type: str, drop: Sequence[str] = ()
) -> dict[str, Path]:
    table = select_columns(read_table(base_dir / "input"), target, drop)
    train, test = split(table, target, problem_type)
    return {
        "train": write_table(train, base_dir / "train", "train"),
        "test": write_table(test, base_dir / "test", "test"),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--problem-type", required=True)
    parser.add_argument("--drop-columns", default="", help="comma-separated columns to ignore")
    parser.add_argument("--base-dir", type=Path, default=PROCESSING_DIR)
    args = parser.parse_args(argv)
    drop = [name for name in args.drop_columns.split(",") if name]
    written = preprocess(args.base_dir, args.target_column, args.problem_type, drop)
    print({name: str(path) for name, path in written.items()})


if __name__ == "__main__":
    main()
