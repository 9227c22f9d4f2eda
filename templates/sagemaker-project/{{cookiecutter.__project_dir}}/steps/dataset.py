"""Reading and writing the tables the steps pass to each other (CSV, target column first)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_table(folder: str | Path) -> pd.DataFrame:
    """Every ``.csv`` and ``.parquet`` file under ``folder``, as one table."""
    folder = Path(folder)
    csvs = sorted(folder.rglob("*.csv"))
    parquets = sorted(folder.rglob("*.parquet"))
    frames = [pd.read_csv(path) for path in csvs] + [pd.read_parquet(path) for path in parquets]
    if not frames:
        raise FileNotFoundError(f"no .csv or .parquet file under {folder}")
    return pd.concat(frames, ignore_index=True)


def write_table(frame: pd.DataFrame, folder: str | Path, name: str) -> Path:
    path = Path(folder) / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def features_and_target(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series]:
    if target not in frame.columns:
        raise ValueError(f"target column '{target}' is not in the data (columns: {list(frame)})")
    return frame.drop(columns=[target]), frame[target]
