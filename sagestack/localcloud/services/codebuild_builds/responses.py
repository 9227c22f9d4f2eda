"""StartBuild, BatchGetBuilds and StopBuild through the build executor; ``concurrentBuildLimit``
kept by CreateProject (moto drops it; UpdateProject is the webhooks add-on's and keeps it too)."""

from __future__ import annotations

import json
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.moto import ActionResult
from sagestack.localcloud.services.exceptions import InvalidInputException

MIN_TIMEOUT, MAX_TIMEOUT = 5, 2160
MIN_QUEUED_TIMEOUT, MAX_QUEUED_TIMEOUT = 5, 480


class CodeBuildBuildsResponse(moto_internals.moto_responses_class("codebuild")):  # type: ignore[misc]
    def start_build(self) -> ActionResult:
        from sagestack.localcloud.executors import builds

        request = self._request()
        _check_range(request, "timeoutInMinutesOverride", MIN_TIMEOUT, MAX_TIMEOUT)
        _check_range(
            request, "queuedTimeoutInMinutesOverride", MIN_QUEUED_TIMEOUT, MAX_QUEUED_TIMEOUT
        )
        build = builds.start_build(self.current_account, self.region, request, self._initiator())
        return ActionResult({"build": build})

    def batch_get_builds(self) -> ActionResult:
        from sagestack.localcloud.executors import builds

        found, missing = builds.batch_get_builds(
            self.current_account, self.region, self._get_param("ids") or []
        )
        return ActionResult({"builds": found, "buildsNotFound": missing})

    def stop_build(self) -> ActionResult:
        from sagestack.localcloud.executors import builds

        build_id = self._get_param("id") or ""
        if ":" not in build_id:
            raise InvalidInputException("Invalid build ID provided")
        build = builds.stop_build(self.current_account, self.region, build_id)
        return ActionResult({"build": build})

    def create_project(self) -> ActionResult:
        result = super().create_project()
        self._keep_limit(self._get_param("name"))
        return result

    def _keep_limit(self, name: str) -> None:
        limit = self._get_param("concurrentBuildLimit")
        if limit is not None:
            project = self.codebuild_backend.codebuild_projects[name]
            project.project_metadata["concurrentBuildLimit"] = limit

    def _request(self) -> dict[str, Any]:
        if self.automated_parameter_parsing:
            return dict(self.params)
        return json.loads(self.body or "{}")

    def _initiator(self) -> str:
        """The caller, as CodeBuild shows it: the IAM user's name, or ``<role>/<session>``."""
        identity: Any = moto_internals.backend("sts", self.current_account, "aws")
        key = self.get_access_key()
        assumed = identity.get_assumed_role_from_access_key(key)
        if assumed is not None:
            return f"{assumed.role_arn.rsplit('/', 1)[-1]}/{assumed.session_name}"
        iam = moto_internals.backend("iam", self.current_account, "global")
        for user in iam.users.values():
            if any(k.access_key_id == key for k in user.access_keys):
                return user.name
        return "root"


def _check_range(request: dict[str, Any], member: str, low: int, high: int) -> None:
    value = request.get(member)
    if value is not None and not low <= int(value) <= high:
        raise InvalidInputException(
            f"Value {value} at '{member}' failed to satisfy constraint: Member must have value "
            f"between {low} and {high}"
        )
