"""C2 source code repository: the CodeBuild webhook that turns pushes to the project's branch
into full builds and pull requests into test-only builds."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from sagestack_infra.components.base import Component

PUSH_EVENT = "PUSH"
# The pull request events that run the tests, by provider. CodeBuild knows PULL_REQUEST_REOPENED
# from GitHub (and GitHub Enterprise) only, and CreateWebhook refuses it for the others
# (botocore's WebhookFilter documentation; the Bitbucket webhook guide lists its five events).
PULL_REQUEST_EVENTS = {
    "github": ("PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED", "PULL_REQUEST_REOPENED"),
    "gitlab": ("PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED"),
    "bitbucket": ("PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED"),
}


@dataclass(frozen=True)
class SourceWebhookArgs:
    build_project_name: pulumi.Input[str]
    provider: str
    """github | gitlab | bitbucket: which pull request events CodeBuild takes from it."""
    branch: str = "main"
    """The branch whose pushes run the full build, and pull requests into which run tests."""

    def __post_init__(self):
        if self.provider not in PULL_REQUEST_EVENTS:
            raise ValueError(
                f"repository provider {self.provider!r} is not one of {sorted(PULL_REQUEST_EVENTS)}"
            )


def branch_ref_pattern(branch: str) -> str:
    """The exact-match ref regex CodeBuild compares with HEAD_REF / BASE_REF."""
    return f"^refs/heads/{re.escape(branch)}$"


def filter_groups(provider: str, branch: str) -> list[list[dict[str, str]]]:
    """Push to ``branch``; or a pull request opened, updated (or, on GitHub, reopened) against it.

    The build tells them apart by CodeBuild's own CODEBUILD_WEBHOOK_EVENT variable.
    """
    ref = branch_ref_pattern(branch)
    return [
        [{"type": "EVENT", "pattern": PUSH_EVENT}, {"type": "HEAD_REF", "pattern": ref}],
        [
            {"type": "EVENT", "pattern": ",".join(PULL_REQUEST_EVENTS[provider])},
            {"type": "BASE_REF", "pattern": ref},
        ],
    ]


class SourceWebhook(Component):
    payload_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: SourceWebhookArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:source:SourceWebhook", name, None, opts)
        self.webhook = aws.codebuild.Webhook(
            f"{name}-webhook",
            project_name=args.build_project_name,
            build_type="BUILD",
            filter_groups=[
                {"filters": group} for group in filter_groups(args.provider, args.branch)
            ],
            opts=self._child(),
        )
        self.payload_url = self.webhook.payload_url
        self.register_outputs({"payload_url": self.payload_url})
