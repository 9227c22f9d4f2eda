"""One build, from the queue to COMPLETED, as CodeBuild runs it.

PROVISIONING (role credentials, the local image, the log stream), DOWNLOAD_SOURCE (checkout,
buildspec, variables, cache), the buildspec's phases, UPLOAD_ARTIFACTS (artifacts, cache,
exported variables), FINALIZING. What runs after a failure follows CodeBuild
(/work/notes/codebuild.md §1 "Phase transitions on failure"): a failed INSTALL or PRE_BUILD skips
the later buildspec phases and the upload; a failed BUILD still runs POST_BUILD and the upload;
``on-failure: CONTINUE`` goes on to the next phase. A stop or a timeout ends the running phase
STOPPED or TIMED_OUT and the build goes straight to COMPLETED.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from sagestack.localcloud.executors import runtime
from sagestack.localcloud.executors.builds import buildspec as buildspecs
from sagestack.localcloud.executors.builds import environment, image, source, workspace
from sagestack.localcloud.executors.builds import record as phases
from sagestack.localcloud.executors.builds.record import BuildRecord
from sagestack.localcloud.executors.builds.shell import Shell
from sagestack.localcloud.executors.logs import LogStream
from sagestack.localcloud.identity import (
    RoleAssumptionError,
    credential_environment,
    issue_role_credentials,
)

CODEBUILD = "codebuild.amazonaws.com"

BUILDSPEC_PHASES = ("INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD")
_ABORTS_LATER_PHASES = ("INSTALL", "PRE_BUILD")


class PhaseFailure(Exception):
    def __init__(self, code: str, message: str, status: str = phases.FAILED):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


class BuildRun:
    """Runs one build on a thread of its own; :meth:`stop` and :meth:`time_out` end it early."""

    def __init__(self, record: BuildRecord, webhook_variables: dict[str, str], cache_root: Path):
        self.record = record
        self.webhook_variables = webhook_variables
        self.cache_root = cache_root
        self.deadline: datetime | None = None
        self._ending: str | None = None  # STOPPED or TIMED_OUT once asked to end
        self._shell: Shell | None = None
        self._log: LogStream | None = None
        self._pending_lines: list[str] = []
        self._cache_dirs: list[Path] = []
        self._lock = threading.Lock()
        self.done = threading.Event()

    # --- the run --------------------------------------------------------------------------

    def run(self, wait_for_slot: Callable[[BuildRun], bool]) -> None:
        folder: Path | None = None
        try:
            if not wait_for_slot(self):
                return
            folder = runtime.current().work_folder("builds", self.record.id.split(":", 1)[1])
            self._run_phases(folder)
        except Exception as error:  # noqa: BLE001 - the local cloud's own fault: the build FAULTs
            self._fault(error)
        finally:
            self._close_log()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            self.done.set()

    def _run_phases(self, folder: Path) -> None:
        build = self.record.snapshot()
        self.record.begin("PROVISIONING")
        self.record.started()
        provisioned = self._phase(lambda: self._provision(build, folder))
        if provisioned is None:
            return self._finish()
        image_, env = provisioned
        src = folder / "src"
        spec = self._phase(
            lambda: self._download_source(build, src, image_, env), "DOWNLOAD_SOURCE"
        )
        if spec is None:
            return self._finish()
        shell = self._shell = Shell(
            folder / "shell", src, env, spec.shell, spec.one_shell, self._write
        )
        upload = self._run_buildspec(spec, shell)
        if self._ending:
            return None
        if upload:
            self._phase(lambda: self._upload(build, spec, image_, src, shell), "UPLOAD_ARTIFACTS")
        return self._finish()

    def _phase(self, work: Callable[[], Any], phase_type: str | None = None) -> Any:
        """Run ``work`` as the current phase (or as ``phase_type``); None if it failed."""
        if phase_type is not None:
            self.record.begin(phase_type)
        try:
            result = work()
        except PhaseFailure as failure:
            self._end_phase(failure.status, failure.code, failure.message)
            return None
        if self._ending:
            return None
        self._end_phase(phases.SUCCEEDED)
        return result if result is not None else True

    def _provision(self, build: dict, folder: Path) -> tuple[image.LocalImage, dict[str, str]]:
        region, account = build["arn"].split(":")[3:5]
        self._agent("Running on sagestack's local cloud (stands in for CodeBuild On-demand)")
        try:
            credentials = issue_role_credentials(
                build["serviceRole"],
                f"AWSCodeBuild-{build['id'].split(':')[1]}",
                service=CODEBUILD,
                account_id=account,
                region=region,
                source_arn=build["arn"].replace(":build/", ":project/").rsplit(":", 1)[0],
            )
        except RoleAssumptionError as error:
            raise PhaseFailure("CLIENT_ERROR", error.message) from None
        self.session = boto3.session.Session(
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token,
            region_name=region,
        )
        self._open_log(build)
        try:
            image_ = image.provision(folder / "image")
        except image.ImageError as error:
            raise PhaseFailure("CLIENT_ERROR", str(error)) from None
        env = {
            **image_.environment(),
            **credential_environment(credentials),
            "AWS_ENDPOINT_URL": runtime.current().endpoint_url,
        }
        return image_, env

    def _download_source(
        self, build: dict, src: Path, image_: image.LocalImage, env: dict[str, str]
    ) -> buildspecs.Buildspec:
        self._agent(f"CODEBUILD_SRC_DIR={src}")
        try:
            commit = source.checkout(build["source"], build.get("sourceVersion"), src)
            text, location = source.buildspec_text(build["source"], src)
            self._agent(f"YAML location is {location}")
            spec = buildspecs.parse(text)
        except source.SourceError as error:
            raise PhaseFailure(error.code, error.message) from None
        except buildspecs.BuildspecError as error:
            raise PhaseFailure("YAML_FILE_ERROR", str(error)) from None
        if commit:
            self.record.update(resolvedSourceVersion=commit)
        self._check_runtimes(spec)
        env.update(self._variables(build, spec, str(src), commit))
        self._restore_cache(build, spec, image_, src)
        self._agent(f"Moving to directory {src}")
        self._agent(f"Phases found in YAML: {len(spec.phases)}")
        for name, phase in spec.phases.items():
            self._agent(f" {name.upper()}: {len(phase.commands)} commands")
        for section in spec.ignored:
            self._agent(f"Note: '{section}' is not run by the local cloud and was ignored")
        return spec

    def _check_runtimes(self, spec: buildspecs.Buildspec) -> None:
        for runtime_name, version in spec.phase("install").runtime_versions.items():
            known = image.RUNTIMES.get(runtime_name)
            if known is None:
                raise PhaseFailure(
                    "YAML_FILE_ERROR",
                    f"Unknown runtime named '{runtime_name}'. This build image has the following "
                    f"runtimes: {', '.join(image.RUNTIMES)}",
                )
            if version not in (*known, "latest") and not version.endswith(".x"):
                raise PhaseFailure(
                    "YAML_FILE_ERROR",
                    f"Unknown runtime version named '{version}' of {runtime_name}. This build "
                    f"image has the following versions: {', '.join(known)}",
                )

    def _variables(
        self, build: dict, spec: buildspecs.Buildspec, src: str, commit: str | None
    ) -> dict[str, str]:
        self._agent("Processing environment variables")
        declared = (build.get("environment") or {}).get("environmentVariables") or []
        plain, parameters, secrets = environment.declared_variables(declared)
        try:
            if spec.parameter_store or parameters:
                self._agent("Decrypting parameter store environment variables")
            variables = environment.codebuild_variables(build, src, self.webhook_variables)
            if commit:
                variables["CODEBUILD_RESOLVED_SOURCE_VERSION"] = commit
            variables.update(spec.variables)
            variables.update(self._resolved(spec.parameter_store, spec.secrets_manager))
            variables.update(plain)
            variables.update(self._resolved(parameters, secrets))
        except environment.VariableError as error:
            raise PhaseFailure(error.code, error.message) from None
        return variables

    def _resolved(self, parameters: dict[str, str], secrets: dict[str, str]) -> dict[str, str]:
        """Parameter Store and Secrets Manager values, read as the role (clients only if asked:
        making one takes a tenth of a second)."""
        endpoint = runtime.current().endpoint_url
        values = {}
        if parameters:
            ssm = self.session.client("ssm", endpoint_url=endpoint)
            values.update(environment.resolve_parameters(ssm, parameters))
        if secrets:
            manager = self.session.client("secretsmanager", endpoint_url=endpoint)
            values.update(environment.resolve_secrets(manager, secrets))
        return values

    def _restore_cache(
        self, build: dict, spec: buildspecs.Buildspec, image_: image.LocalImage, src: Path
    ) -> None:
        if not spec.cache_paths:
            self._agent("Cache is not defined in the buildspec")
            self._agent("Skip cache due to: no paths specified to be cached")
            return
        if not workspace.cache_enabled(build.get("cache") or {}):
            self._agent("Skip cache due to: the project's cache type is NO_CACHE")
            return
        self._cache_dirs = workspace.cache_directories(spec.cache_paths, image_, src)
        workspace.restore_cache(self._cache_store(build), self._cache_dirs, self._agent)

    def _cache_store(self, build: dict) -> Path:
        region, account = build["arn"].split(":")[3:5]
        return self.cache_root / account / region / build["projectName"]

    def _run_buildspec(self, spec: buildspecs.Buildspec, shell: Shell) -> bool:
        """The four phases; whether UPLOAD_ARTIFACTS runs after them.

        A failed INSTALL or PRE_BUILD skips the rest and the upload; a failed BUILD or
        POST_BUILD does not (BUILD is followed by POST_BUILD anyway).
        """
        for phase_type in BUILDSPEC_PHASES:
            if self._ending:
                return False
            phase = spec.phase(phase_type.lower())
            self.record.begin(phase_type)
            self._agent(f"Entering phase {phase_type}")
            if phase.run_as:
                self._agent(f"Note: run-as {phase.run_as} is ignored locally (commands run as you)")
            result = shell.run_phase(phase)
            if self._ending:
                return False
            if result.status == phases.SUCCEEDED:
                self._end_phase(phases.SUCCEEDED)
                continue
            shell.succeeding = False
            self._end_phase(phases.FAILED, "COMMAND_EXECUTION_ERROR", result.message)
            aborts = phase.on_failure.action != "CONTINUE"
            if aborts and phase_type in _ABORTS_LATER_PHASES:
                return False
        return True

    def _upload(
        self,
        build: dict,
        spec: buildspecs.Buildspec,
        image_: image.LocalImage,
        src: Path,
        shell: Shell,
    ) -> None:
        if spec.exported_variables:
            exported = shell.exported(spec.exported_variables)
            self.record.update(
                exportedEnvironmentVariables=[
                    {"name": k, "value": v} for k, v in exported.items() if not k.startswith("AWS_")
                ]
            )
        if self._cache_dirs:
            workspace.save_cache(self._cache_store(build), self._cache_dirs, self._agent)
        from sagestack.localcloud.executors.builds.uploads import upload_artifacts

        try:
            location = upload_artifacts(self.session, build, spec, src, self._agent)
        except workspace.ArtifactError as error:
            raise PhaseFailure("CLIENT_ERROR", str(error)) from None
        if location:
            self.record.update(artifacts={**(build.get("artifacts") or {}), "location": location})

    def _finish(self) -> None:
        if self._ending:
            return
        self.record.begin("FINALIZING")
        self._end_phase(phases.SUCCEEDED)
        self.record.finish(phases.FAILED if self.record.phase_failed() else phases.SUCCEEDED)

    def _fault(self, error: Exception) -> None:
        self._agent(f"The local cloud failed to run the build: {type(error).__name__}: {error}")
        with contextlib.suppress(Exception):
            self._end_phase(phases.FAULT, "INTERNAL_ERROR", str(error))
        self.record.finish(phases.FAULT)

    def _end_phase(self, status: str, code: str = "", message: str = "") -> None:
        phase = self.record.current_phase
        self._agent(f"Phase complete: {phase} State: {status}")
        self._agent(f"Phase context status code: {code} Message: {message}")
        self.record.end(status, code, message)

    # --- stopping ---------------------------------------------------------------------------

    def stop(self, status: str = phases.STOPPED) -> None:
        """End the build: its running phase ``status`` (STOPPED or TIMED_OUT), then COMPLETED."""
        with self._lock:
            if self._ending or self.record.complete:
                return
            self._ending = status
        if status == phases.TIMED_OUT:
            self.record.end(phases.TIMED_OUT, "BUILD_TIMED_OUT", "Build has timed out. ")
        else:
            self.record.end(phases.STOPPED)
        self.record.finish(status)
        if self._shell is not None:
            self._shell.stop()

    # --- logs -------------------------------------------------------------------------------

    def _open_log(self, build: dict) -> None:
        logs = build.get("logs") or {}
        if logs.get("cloudWatchLogs", {}).get("status") == "DISABLED":
            return
        client = self.session.client("logs", endpoint_url=runtime.current().endpoint_url)
        try:
            self._log = LogStream(client, logs["groupName"], logs["streamName"])
        except Exception as error:  # noqa: BLE001 - a role that may not log fails the build
            raise PhaseFailure(
                "ACCESS_DENIED",
                "Service role does not allow AWS CodeBuild to create Amazon CloudWatch Logs log "
                f"streams for build {build['arn']}: {error}",
            ) from None
        for line in self._pending_lines:
            self._log.write(line)
        self._pending_lines.clear()

    def _agent(self, message: str) -> None:
        self._write(f"[Container] {datetime.now(UTC):%Y/%m/%d %H:%M:%S.%f} {message}")

    def _write(self, line: str) -> None:
        if self._log is not None:
            self._log.write(line)
        else:
            self._pending_lines.append(line)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
