"""A drift report of a generated window, opened in Debian's Chromium at desktop and phone widths.

Shared by the browser test and by the screenshots in docs/ (``python tests/browser/report_pages.py``
writes them), so what docs/drift.md shows is what the test checked.

Playwright drives the browser (its own browser download is never used: Debian's chromium, which
``make`` installs, is), and every request other than the report's own file is refused and
recorded: the browser never leaves the machine, and the test sees any external resource.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from sagestack_pipelines.drift.baseline import build_baseline
from sagestack_pipelines.drift.comparison import Thresholds
from sagestack_pipelines.drift.monitor import measure
from sagestack_pipelines.drift.report import Header, write
from sagestack_pipelines.drift.tables import from_frame

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no name resolves: nothing can leave the machine
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 400, "height": 860}
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCREENSHOTS = {
    "desktop": DOCS / "drift-report-desktop.png",
    "phone": DOCS / "drift-report-phone.png",
}
WINDOW = (datetime(2026, 11, 26, 21, tzinfo=UTC), datetime(2026, 11, 26, 22, tzinfo=UTC))
BASELINE_URI = "s3://sagestack-dev-platform-123456789012/projects/churn/drift/baseline.json"
PLANS = ["basic", "standard", "premium", "family"]
REGIONS = [
    f"{area}-{n:02d}" for area in ("eu-central-frankfurt", "us-east-virginia") for n in range(18)
]


def customers(rng: np.random.Generator, rows: int, drifted: bool) -> pd.DataFrame:
    """Churn-model requests; ``drifted`` moves four features in four different ways."""
    plan_weights = [0.45, 0.3, 0.15, 0.1]
    plans = rng.choice(PLANS, rows, p=plan_weights)
    calls = rng.poisson(2, rows).astype(float)
    if drifted:
        plans = rng.choice([*PLANS, "enterprise-annual"], rows, p=[0.2, 0.3, 0.31, 0.1, 0.09])
        calls[rng.random(rows) < 0.12] = np.nan
    region_weights = np.linspace(3, 1, len(REGIONS))
    return pd.DataFrame(
        {
            "tenure_months": np.round(rng.gamma(4, 6 * (1.35 if drifted else 1), rows)),
            "discount": rng.normal(0.25, 0.06 * (1.6 if drifted else 1), rows).round(4),
            "support_calls": calls,
            "plan": plans,
            "age": rng.normal(44, 12, rows).round(),
            "total_spend": rng.lognormal(9.5, 0.6, rows).round(2),
            "region": rng.choice(REGIONS, rows, p=region_weights / region_weights.sum()),
            "contract": rng.choice(["monthly", "yearly"], rows, p=[0.7, 0.3]),
        }
    )


def drifted_report(folder: Path, rows: int = 6_000) -> Path:
    """The report of a drifted hour of ``rows`` requests against 40,000 training rows."""
    rng = np.random.default_rng(20261126)
    training = customers(rng, 40_000, drifted=False)
    baseline = build_baseline(training, categorical=["plan", "region", "contract"])
    baseline = dataclasses.replace(baseline, created_at="2026-11-20T09:14:00+00:00")
    thresholds = Thresholds()
    report = measure(baseline, from_frame(customers(rng, rows, drifted=True), baseline), thresholds)
    header = Header(
        endpoint_name="churn-prod",
        thresholds=thresholds,
        baseline_uri=BASELINE_URI,
        baseline_created_at=baseline.created_at,
        baseline_rows=baseline.row_count,
        window_start=WINDOW[0],
        window_end=WINDOW[1],
    )
    folder.mkdir(parents=True, exist_ok=True)
    return write(report, header, folder)


@dataclass
class Visit:
    """One page opened: what it asked for besides itself, and what the console complained of."""

    page: object
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@contextmanager
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def visit(chromium, path: Path, viewport: dict[str, int]) -> Iterator[Visit]:
    """``path`` opened at ``viewport``; any request but the page's own is refused and recorded."""
    context = chromium.new_context(viewport=viewport, is_mobile=viewport == PHONE)
    page = context.new_page()
    seen = Visit(page)
    own = path.resolve().as_uri()

    def refuse_others(route) -> None:
        if route.request.url == own:
            route.continue_()
        else:
            seen.refused.append(route.request.url)
            route.abort()

    page.route("**/*", refuse_others)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            seen.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    try:
        page.goto(own, wait_until="load")
        yield seen
    finally:
        context.close()


def screenshots(report: Path) -> list[Path]:
    """The report at desktop and phone width, whole pages, written to docs/."""
    with browser() as chromium:
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            with visit(chromium, report, viewport) as seen:
                seen.page.screenshot(path=str(SCREENSHOTS[name]), full_page=True)
    return list(SCREENSHOTS.values())


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for written in screenshots(drifted_report(Path(folder))):
            print(written, file=sys.stderr)
