"""The bundled sample dataset, for a first run before real data exists.

scikit-learn ships it: load_breast_cancer for binary classification, load_diabetes for
regression. Column names have their spaces turned into underscores; the target is last.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from . import settings

LOADERS = {"binary_classification": "load_breast_cancer", "regression": "load_diabetes"}


def sample_frame(problem_type: str = settings.PROBLEM_TYPE,
                 target: str = settings.TARGET_COLUMN) -> pd.DataFrame:
    from sklearn import datasets

    bunch = getattr(datasets, LOADERS[problem_type])(as_frame=True)
    frame = bunch.data.rename(columns=lambda name: name.replace(" ", "_"))
    frame[target] = bunch.target
    return frame


def write_sample(folder: str | Path) -> Path:
    """The sample as CSV, named by its content so that the same data gets the same S3 key."""
    body = sample_frame().to_csv(index=False).encode()
    path = Path(folder) / f"sample-{hashlib.sha256(body).hexdigest()[:12]}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path
