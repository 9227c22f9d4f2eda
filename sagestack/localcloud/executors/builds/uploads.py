"""UPLOAD_ARTIFACTS: the buildspec's ``artifacts`` to the project's artifact location in S3,
with the build's role credentials (a role that may not write there fails the phase with S3's
error, as on AWS).

The object key follows the project's ``artifacts``: ``path``, then the build id's uuid when
``namespaceType`` is ``BUILD_ID``, then ``name`` (the project's, or the buildspec's when
``overrideArtifactName``); ``packaging: ZIP`` uploads one zip there, ``NONE`` the files under it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from sagestack.localcloud.executors import runtime
from sagestack.localcloud.executors.builds import workspace
from sagestack.localcloud.executors.builds.buildspec import Buildspec


def upload_artifacts(
    session: Any, build: dict, spec: Buildspec, src: Path, log: Callable[[str], None]
) -> str | None:
    """Upload; returns the artifact's location (``arn:aws:s3:::bucket/key``) or None."""
    target = build.get("artifacts") or {}
    if spec.artifacts is None or target.get("type", "NO_ARTIFACTS") != "S3":
        return None
    base = src / spec.artifacts.base_directory
    log(f"Expanding base directory path: {spec.artifacts.base_directory}")
    log("Assembling file list")
    files = workspace.artifact_files(base, spec.artifacts.files, spec.artifacts.exclude_paths)
    if not files:
        raise workspace.ArtifactError("no matching artifact paths found")
    if spec.artifacts.discard_paths:
        files = [(file, Path(name).name) for file, name in files]
    bucket, key = _bucket_and_key(target, build, spec)
    s3 = session.client("s3", endpoint_url=runtime.current().endpoint_url)
    try:
        if target.get("packaging") == "ZIP":
            s3.put_object(Bucket=bucket, Key=key, Body=workspace.zipped(files))
        else:
            for file, name in files:
                s3.upload_file(str(file), bucket, f"{key}/{name}" if key else name)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise workspace.ArtifactError(
            f"{details.get('Code')}: {details.get('Message')} for artifact location "
            f"s3://{bucket}/{key}"
        ) from None
    log(f"Uploaded {len(files)} file(s) to s3://{bucket}/{key}")
    return f"arn:aws:s3:::{bucket}/{key}"


def _bucket_and_key(target: dict, build: dict, spec: Buildspec) -> tuple[str, str]:
    bucket = target["location"]
    name = target.get("name") or build["projectName"]
    if target.get("overrideArtifactName") and spec.artifacts and spec.artifacts.name:
        name = spec.artifacts.name
    parts = [target.get("path") or ""]
    if target.get("namespaceType") == "BUILD_ID":
        parts.append(build["id"].split(":", 1)[1])
    parts.append(name)
    return bucket, "/".join(p.strip("/") for p in parts if p and p.strip("/"))
