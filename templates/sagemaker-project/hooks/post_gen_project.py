"""Print the entry the platform engineer adds to the stack config for this project.

Plain Python before rendering, like pre_gen_project.py (see its docstring for why the logic lives
in the hook file), so tests/template imports it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from urllib.parse import urlparse

import yaml  # cookiecutter depends on PyYAML

ANSWERS_JSON = r"""{{ cookiecutter | jsonify }}"""

PROVIDERS = {"github.com": "github", "gitlab.com": "gitlab", "bitbucket.org": "bitbucket"}
CONNECTION_PLACEHOLDER = "arn:aws:codeconnections:<region>:<account>:connection/<id>"
# The drift settings' defaults of the platform's stack config (docs/config.md).
DRIFT_DEFAULTS = {"monitor": "sagestack", "threshold": 0.2, "schedule": "rate(1 hour)"}


def stack_config_entry(answers: Mapping[str, object]) -> dict:
    """This project's item of ``sagestack:projects``, in the platform's YAML shape; the ``__``
    answers are those cookiecutter.json derives (data source kind and location, auto retrain)."""
    entry = {
        "name": answers["project_slug"],
        "repository": {
            "provider": PROVIDERS[urlparse(str(answers["repository_url"])).netloc],
            "url": answers["repository_url"],
            "connectionArn": CONNECTION_PLACEHOLDER,
        },
        "branch": "main",
        "instances": {
            "processing": answers["processing_instance_type"],
            "training": answers["training_instance_type"],
            "endpoint": answers["endpoint_instance_type"],
            "endpointCount": 1,
        },
        "registration": {
            "metric": answers["metric"],
            "threshold": float(str(answers["metric_threshold"])),
        },
        "drift": {
            "monitor": DRIFT_DEFAULTS["monitor"],
            "features": [f.strip() for f in str(answers["drift_features"]).split(",") if f.strip()],
            "threshold": DRIFT_DEFAULTS["threshold"],
            "schedule": DRIFT_DEFAULTS["schedule"],
        },
        "autoRetrain": answers["__auto_retrain"] == "yes",
        "serving": {"target": "sagemaker"},
    }
    # the project's roles may read only what its entry names
    if answers["__data_kind"] == "feature_group":
        entry["featureGroups"] = [answers["__feature_group_name"]]
    if answers["__data_kind"] == "s3":
        entry["dataSources"] = {"s3": [answers["__s3_data_uri"]]}
    return entry


def render_instructions(answers: Mapping[str, object]) -> str:
    snippet = yaml.safe_dump(
        {"sagestack:projects": [stack_config_entry(answers)]}, sort_keys=False, width=100
    )
    return (
        f"Generated {answers['project_slug']}/. Add it to the platform: append the entry below "
        f"to sagestack:projects in Pulumi.{answers['stack_name']}.yaml, replace the connectionArn "
        f"placeholder with your CodeConnections connection, then run `pulumi up`.\n\n{snippet}"
    )


def main() -> int:
    print(render_instructions(json.loads(ANSWERS_JSON)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
