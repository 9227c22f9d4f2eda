"""The platform's policy pack for the serving stack's `pulumi up`: the platform publishes it as a
zip and tells the deploy build where (SAGESTACK_POLICY_PACK_URI); this fetches and unzips it and
prints the folder to hand to `--policy-pack`, or nothing where no pack is published.

    export SAGESTACK_POLICY_PACK="$(python -m {{ cookiecutter.__package }}.policy_pack)"
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlparse

from .platform import ENV_POLICY_PACK_URI

DESTINATION = Path(".sagestack/policy-pack")
PROJECT_FILE = "PulumiPolicy.yaml"


class PolicyPackError(Exception):
    """The published pack cannot be used: the deploy must not run without it."""


def fetch(uri: str, destination: Path, s3) -> Path:
    """Unzip the pack at ``uri`` (s3://bucket/key) into ``destination``, replacing what is
    there; the folder must then hold a policy pack's project file."""
    parsed = urlparse(uri)
    if parsed.scheme != "s3" or not parsed.netloc or not parsed.path.strip("/"):
        raise PolicyPackError(f"{ENV_POLICY_PACK_URI} '{uri}' is invalid: expected s3://bucket/key")
    body = s3.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))["Body"].read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as error:
        raise PolicyPackError(f"{uri} is not a zip: {error}") from None
    shutil.rmtree(destination, ignore_errors=True)
    archive.extractall(destination)
    if not (destination / PROJECT_FILE).is_file():
        raise PolicyPackError(f"{uri} holds no {PROJECT_FILE}: it is not a policy pack")
    return destination


def main(s3=None, environ: Mapping[str, str] = os.environ) -> int:
    uri = environ.get(ENV_POLICY_PACK_URI, "")
    if not uri:
        print(
            f"policy_pack: {ENV_POLICY_PACK_URI} is not set: no published pack to run",
            file=sys.stderr,
        )
        return 0
    if s3 is None:
        import boto3

        s3 = boto3.client("s3")
    try:
        folder = fetch(uri, DESTINATION, s3)
    except PolicyPackError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(folder.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
