"""The demo's reports: JSON for machines (``--report``), one HTML page for people (the stages'
timeline, the tails of the build and job logs, the page as received, the drift report beside it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jinja2

from sagestack.demo.stages import PASSED, StageResult
from sagestack.scenarios.loop import Evidence

DRIFT_REPORT_FILE = "drift-report.html"
PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sagestack demo: {{ "passed" if ok else "FAILED" }}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       padding: 0 1rem; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.bar { background: #2b6cb0; height: .9rem; border-radius: 2px; }
.failed .bar { background: #c53030; } .not-run { color: #888; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: .25rem .5rem; text-align: left; }
td.seconds { text-align: right; white-space: nowrap; } td.timeline { width: 40%; }
pre { background: #f6f8fa; padding: .75rem; overflow-x: auto; font-size: 12px; }
</style></head><body>
<h1>The loop, {{ "passed" if ok else "FAILED" }}:
stages build to retraining took {{ "%.1f"|format(loop_seconds) }} s</h1>
<table>
<tr><th>stage</th><th>status</th><th class="seconds">seconds</th><th>timeline</th>
<th>what happened</th></tr>
{% for stage in stages %}
<tr class="{{ stage.status.replace(' ', '-') }}"><td>{{ stage.name }}</td>
<td>{{ stage.status }}</td><td class="seconds">{{ "%.1f"|format(stage.seconds) }}</td>
<td class="timeline"><div class="bar"
 style="margin-left: {{ offsets[loop.index0] }}%; width: {{ widths[loop.index0] }}%"></div></td>
<td>{{ stage.summary }}{% if stage.log %}<br>log: {{ stage.log }}{% endif %}</td></tr>
{% endfor %}
</table>
{% for page in evidence.pages %}
<h2>The page on-call received</h2>
<pre>{{ page.subject }}

{{ page.description }}

{{ page.reason }}</pre>
{% endfor %}
{% if evidence.drift_report_html %}
<h2>The drift report</h2>
<p><a href="{{ drift_report_file }}">The window's drift report</a>,
from {{ evidence.drift_report_uri }}</p>
{% endif %}
{% for title, lines in evidence.logs.items() %}
<h2>{{ title }}: the log's last {{ lines|length }} lines</h2>
<pre>{{ lines|join("\\n") }}</pre>
{% endfor %}
</body></html>
"""
)


@dataclass(frozen=True)
class DemoReport:
    stages: list[StageResult]
    loop_seconds: float
    evidence: Evidence

    @property
    def ok(self) -> bool:
        return all(stage.status == PASSED for stage in self.stages)

    def as_json(self) -> dict:
        return {
            "stages": [stage.as_json() for stage in self.stages],
            "loop_seconds": round(self.loop_seconds, 2),
            "ok": self.ok,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=2) + "\n")

    def write_html(self, folder: Path) -> Path:
        """``index.html`` (and the drift report beside it) in ``folder``; returns the page."""
        folder.mkdir(parents=True, exist_ok=True)
        if self.evidence.drift_report_html:
            (folder / DRIFT_REPORT_FILE).write_text(self.evidence.drift_report_html)
        offsets, widths = _timeline([stage.seconds for stage in self.stages])
        page = folder / "index.html"
        page.write_text(
            PAGE.render(
                ok=self.ok,
                stages=self.stages,
                loop_seconds=self.loop_seconds,
                evidence=self.evidence,
                offsets=offsets,
                widths=widths,
                drift_report_file=DRIFT_REPORT_FILE,
            )
        )
        return page


def _timeline(seconds: list[float]) -> tuple[list[float], list[float]]:
    """Each stage's start and length as percentages of the whole run."""
    total = sum(seconds) or 1.0
    offsets, elapsed = [], 0.0
    for value in seconds:
        offsets.append(round(100 * elapsed / total, 2))
        elapsed += value
    return offsets, [round(100 * value / total, 2) for value in seconds]
