"""CodeBuild's builds on the local cloud: StartBuild, BatchGetBuilds and StopBuild answered by
the build executor (:mod:`sagestack.localcloud.executors.builds`) instead of moto's inventions,
and the project settings builds read (``concurrentBuildLimit``) kept on the project."""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals


def install() -> None:
    from sagestack.localcloud.executors import builds

    from .responses import CodeBuildBuildsResponse

    moto_internals.extend_service("codebuild", CodeBuildBuildsResponse)
    builds.install()
