"""Build the pipeline definition, upsert the pipeline and start an execution.

    python -m {{ cookiecutter.__package }}.run
    python -m {{ cookiecutter.__package }}.run --on-push
    python -m {{ cookiecutter.__package }}.run --definition-only pipeline.json

The first builds, upserts and starts; ``--on-push`` does so only in a webhook PUSH build (what
buildspec.yml runs); ``--definition-only`` writes the definition and touches nothing.

Configuration comes from the platform's SSM parameters (see platform.py) and the build
environment; the git commit from CodeBuild or the local checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import data_source
from .platform import ENV_WEBHOOK_EVENT, PlatformConfig, PlatformConfigError, load_config

PUSH = "PUSH"


def git_commit(environ: Mapping[str, str]) -> str:
    if environ.get("CODEBUILD_RESOLVED_SOURCE_VERSION"):
        return environ["CODEBUILD_RESOLVED_SOURCE_VERSION"]
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def build(config: PlatformConfig, environ: Mapping[str, str], session=None):
    from .pipeline import build_pipeline  # the SDK takes seconds to import

    data = data_source.resolve(config)
    return build_pipeline(config, data, git_commit(environ), session=session)


def upsert_and_start(pipeline, config: PlatformConfig) -> str:
    pipeline.upsert(role_arn=config.execution_role_arn,
                    description=f"Training pipeline of {config.project}")
    execution = pipeline.start()
    return execution.arn


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--on-push", action="store_true",
                        help=f"do nothing unless {ENV_WEBHOOK_EVENT} is {PUSH}")
    parser.add_argument("--definition-only", type=Path, metavar="FILE",
                        help="write the definition to FILE; upsert and start nothing")
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    event = environ.get(ENV_WEBHOOK_EVENT, "")
    if args.on_push and event != PUSH:
        print(f"{ENV_WEBHOOK_EVENT} is '{event}', not {PUSH}: tests only, no pipeline run")
        return 0
    try:
        config = load_config(environ)
        pipeline = build(config, environ)
        if args.definition_only:
            definition = json.loads(pipeline.definition())
            args.definition_only.write_text(json.dumps(definition, indent=2, sort_keys=True))
            print(f"wrote the definition of {config.pipeline_name} to {args.definition_only}")
            return 0
        print(f"started {upsert_and_start(pipeline, config)}")
        return 0
    except PlatformConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
