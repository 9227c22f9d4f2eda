"""What the drift benchmark measures, each run in a child process of its own: the engine, a plain
scipy loop computing the same statistics and applying the same rule, Evidently's drift preset,
and the engine streaming capture files. Each returns its flags, its numbers and what it cost.
"""

from __future__ import annotations

import gc
import importlib
import re
import time
from pathlib import Path

import numpy as np

NUMERIC = [f"n{i:02d}" for i in range(20)]
CATEGORICAL = [f"c{i}" for i in range(5)]


def run_engine(reference, current, workdir: Path) -> dict:
    from sagestack_pipelines.drift.baseline import build_baseline, load, save
    from sagestack_pipelines.drift.comparison import Thresholds
    from sagestack_pipelines.drift.monitor import measure
    from sagestack_pipelines.drift.tables import from_frame

    path = workdir / "baseline.json"
    save(build_baseline(reference, categorical=CATEGORICAL), path)
    del reference
    # Libraries imported before the clock starts, as the scipy loop's are (the engine imports
    # scipy only when it computes its first p-value: start-up is measured on its own).
    importlib.import_module("scipy.stats")

    gc.collect()
    with measured() as result:
        baseline = load(path)
        report = measure(baseline, from_frame(current, baseline), Thresholds())
    result["flagged"] = report.violating
    result["features"] = {
        item.name: [item.psi, item.distance, item.test.p_value, item.psi_test.p_value]
        for item in report.features
    }
    return result


def run_scipy_loop(reference, current, workdir: Path) -> dict:
    """What one would write by hand, feature by feature: ks_2samp, chi2_contingency, PSI and the
    total variation distance, then the engine's rule (comparison.Thresholds' defaults)."""
    import pandas as pd
    from scipy import stats

    from sagestack_pipelines.drift.comparison import Thresholds
    from sagestack_pipelines.drift.statistics import psi

    rule = Thresholds()
    with measured() as result:
        features, flagged = {}, []
        for name in NUMERIC:
            ref = reference[name].dropna().to_numpy()
            cur = current[name].dropna().to_numpy()
            test = stats.ks_2samp(ref, cur)
            edges = np.unique(np.quantile(ref, np.linspace(0, 1, 11)[1:-1]))
            ref_bins, cur_bins = (
                np.bincount(np.searchsorted(edges, values), minlength=len(edges) + 1)
                for values in (ref, cur)
            )
            psi_test = stats.chi2_contingency(np.vstack([ref_bins, cur_bins]))
            score = psi(ref_bins / ref_bins.sum(), cur_bins / cur_bins.sum())
            features[name] = [score, float(test.statistic), float(test.pvalue), psi_test.pvalue]
        for name in CATEGORICAL:
            table = pd.concat(
                [reference[name].value_counts(), current[name].value_counts()], axis=1
            ).fillna(0)
            ref_counts, cur_counts = table.to_numpy().T
            test = stats.chi2_contingency(np.vstack([ref_counts, cur_counts]))
            ref_shares, cur_shares = ref_counts / ref_counts.sum(), cur_counts / cur_counts.sum()
            distance = 0.5 * np.abs(ref_shares - cur_shares).sum()
            new_share = cur_shares[ref_counts == 0].sum()
            score = psi(ref_shares, cur_shares)
            features[name] = [score, distance, float(test.pvalue), float(test.pvalue), new_share]
        for name, (score, distance, p_value, psi_p_value, *new) in features.items():
            drifted = (distance > rule.distance and p_value < rule.p_value) or (
                score > rule.psi and psi_p_value < rule.p_value
            )
            if drifted or (new and new[0] > rule.new_category_share):
                flagged.append(name)
    result["flagged"] = flagged
    result["features"] = {name: values[:4] for name, values in features.items()}
    return result


def run_evidently(reference, current, workdir: Path) -> dict:
    _let_evidently_import_under_pandas_3()
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    definition = DataDefinition(numerical_columns=NUMERIC, categorical_columns=CATEGORICAL)
    with measured() as result:
        snapshot = Report([DataDriftPreset()]).run(
            Dataset.from_pandas(current, data_definition=definition),
            Dataset.from_pandas(reference, data_definition=definition),
        )
        metrics = snapshot.dict()["metrics"]
    result["flagged"] = _evidently_drifted(metrics)
    result["version"] = __import__("evidently").__version__
    return result


def _let_evidently_import_under_pandas_3() -> None:
    # evidently 0.7.23 imports pandas' infer_dtype_from_object, removed in pandas 3, in a data
    # integrity test the drift preset never runs; a stand-in lets the module import.
    import pandas.core.dtypes.common as common

    if not hasattr(common, "infer_dtype_from_object"):
        common.infer_dtype_from_object = lambda value: value


def _evidently_drifted(metrics: list[dict]) -> list[str]:
    drifted = []
    for metric in metrics:
        config = metric["config"]
        if not config.get("type", "").endswith("ValueDrift"):
            continue
        value, threshold = metric["value"], config["threshold"]
        # p-value tests drift below the threshold; distances (Wasserstein, Jensen-Shannon) drift
        # at or above it
        if ("p_value" in config["method"] and value < threshold) or (
            "p_value" not in config["method"] and value >= threshold
        ):
            drifted.append(config["column"])
    return drifted


def run_stream(files: list[Path], baseline_path: Path) -> dict:
    importlib.import_module("scipy.stats")  # before the clock, as in run_engine

    from sagestack_pipelines.drift.baseline import load
    from sagestack_pipelines.drift.comparison import Thresholds
    from sagestack_pipelines.drift.monitor import measure, read_inputs
    from sagestack_pipelines.drift.records import RecordTally

    tally = RecordTally()
    with measured() as result:
        baseline = load(baseline_path)
        report = measure(baseline, read_inputs(files, baseline, tally), Thresholds(), tally)
    result["rows"] = report.rows
    result["records"] = tally.records
    result["flagged"] = report.violating
    return result


class measured:
    """Wall time, CPU time (every thread's) and peak resident memory above the level at entry
    (Linux: the kernel's high-water mark, reset on entry through /proc/self/clear_refs). On a
    machine shared with other jobs wall time follows their load; CPU time much less."""

    def __enter__(self) -> dict:
        gc.collect()
        Path("/proc/self/clear_refs").write_text("5")
        self.result = {"rss_before_mb": _status_mb("VmRSS")}
        self.start, self.cpu = time.perf_counter(), time.process_time()
        return self.result

    def __exit__(self, *exc) -> None:
        self.result["cpu_seconds"] = time.process_time() - self.cpu
        self.result["seconds"] = time.perf_counter() - self.start
        self.result["extra_peak_mb"] = _status_mb("VmHWM") - self.result["rss_before_mb"]


def _status_mb(field: str) -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", text).group(1)) / 1024


CONTENDERS = {"engine": run_engine, "scipy": run_scipy_loop, "evidently": run_evidently}
