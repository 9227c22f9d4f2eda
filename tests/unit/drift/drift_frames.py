"""Generated requests and a shortcut from DataFrames to a drift report, shared by the drift tests.

Not in conftest.py: with tests/program collected in the same run, ``import conftest`` finds
whichever conftest module pytest loaded first.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.comparison import DriftReport, Thresholds
from sagestack_pipelines.drift.monitor import measure
from sagestack_pipelines.drift.tables import from_frame

COLOURS = ["red", "green", "blue", "black"]
COLOUR_WEIGHTS = [0.4, 0.3, 0.2, 0.1]


def requests(rng: np.random.Generator, rows: int, **changes) -> pd.DataFrame:
    """Rows of three numeric features and one categorical one; ``changes`` alter one each."""
    colours = changes.get("colours", COLOURS)
    weights = changes.get("colour_weights", COLOUR_WEIGHTS)
    return pd.DataFrame(
        {
            "age": rng.normal(40 + changes.get("age_shift", 0.0), 10, rows),
            "income": rng.normal(50, 5 * changes.get("income_widen", 1.0), rows),
            "visits": rng.poisson(3, rows).astype(float),
            "colour": rng.choice(colours, rows, p=weights),
        }
    )


def report_of(training: pd.DataFrame, window: pd.DataFrame, **thresholds) -> DriftReport:
    baseline = build_baseline(training, categorical=["colour"])
    return measure(baseline, from_frame(window, baseline), Thresholds(**thresholds))


def drifted_report(rng: np.random.Generator, colour_weights=(0.35, 0.3, 0.2, 0.05, 0.1), **limits):
    """4,000 requests against 20,000 training rows: age moved by 6 (0.6 standard deviations),
    colour's shares as ``colour_weights`` over the training colours and a new one, 'pink'."""
    window = requests(
        rng,
        4_000,
        age_shift=6.0,
        colours=[*COLOURS, "pink"],
        colour_weights=list(colour_weights),
    )
    return report_of(requests(rng, 20_000), window, **limits)


def capture_record(data: str, encoding: str, content_type: str) -> str:
    """One SageMaker data capture line whose request is ``data``."""
    return json.dumps(
        {
            "captureData": {
                "endpointInput": {
                    "observedContentType": content_type,
                    "mode": "INPUT",
                    "data": data,
                    "encoding": encoding,
                },
                "endpointOutput": {
                    "observedContentType": "text/csv; charset=utf-8",
                    "mode": "OUTPUT",
                    "data": "0.5",
                    "encoding": "CSV",
                },
            },
            "eventMetadata": {"eventId": "e1", "inferenceTime": "2026-11-26T10:00:00Z"},
            "eventVersion": "0",
        }
    )
