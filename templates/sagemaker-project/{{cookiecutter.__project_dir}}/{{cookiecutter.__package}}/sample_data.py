"""The bundled sample dataset, for a first run before real data exists.

Binary classification: customers of a subscription service, made here from a fixed seed so that
every build trains on the same rows (tenure in months, monthly and total charges, support calls,
senior citizen, contract length in months; the target is 1 for a customer who left). Regression:
scikit-learn's load_diabetes, spaces in column names turned into underscores. The target is last.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from . import settings

CUSTOMERS = 3000
SEED = 7


def sample_frame(problem_type: str = settings.PROBLEM_TYPE,
                 target: str = settings.TARGET_COLUMN) -> pd.DataFrame:
    if problem_type == "binary_classification":
        return customers(target=target)
    from sklearn import datasets

    bunch = datasets.load_diabetes(as_frame=True)
    frame = bunch.data.rename(columns=lambda name: name.replace(" ", "_"))
    frame[target] = bunch.target
    return frame


def customers(rows: int = CUSTOMERS, seed: int = SEED,
              target: str = settings.TARGET_COLUMN) -> pd.DataFrame:
    """``rows`` customers; who leaves depends on all six features, most on tenure and contract."""
    generator = np.random.default_rng(seed)
    tenure = generator.integers(1, 73, rows)
    contract_months = generator.choice([1, 12, 24], rows, p=[0.55, 0.25, 0.20])
    monthly_charges = np.round(generator.uniform(18.0, 118.0, rows), 2)
    total_charges = np.round(tenure * monthly_charges * generator.uniform(0.9, 1.1, rows), 2)
    support_calls = generator.poisson(1.5, rows)
    senior_citizen = (generator.random(rows) < 0.16).astype(int)
    log_odds = (1.5 - 0.12 * tenure + 0.05 * (monthly_charges - 68) + 0.9 * support_calls
                + 0.8 * senior_citizen - 3.0 * (contract_months > 1))
    left = generator.random(rows) < 1 / (1 + np.exp(-log_odds))
    return pd.DataFrame({
        "tenure": tenure,
        "monthly_charges": monthly_charges,
        "total_charges": total_charges,
        "support_calls": support_calls,
        "senior_citizen": senior_citizen,
        "contract_months": contract_months,
        target: left.astype(int),
    })


def write_sample(folder: str | Path) -> Path:
    """The sample as CSV, named by its content so that the same data gets the same S3 key."""
    body = sample_frame().to_csv(index=False).encode()
    path = Path(folder) / f"sample-{hashlib.sha256(body).hexdigest()[:12]}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path
