"""Where the serving stack's Pulumi state and secrets live: the platform's bucket and key.

    pulumi login "$(python -m {{ cookiecutter.__package }}.serving_backend url)"
    pulumi stack select --create "$SAGESTACK_STACK" \
        --secrets-provider "$(python -m {{ cookiecutter.__package }}.serving_backend secrets-provider)"
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .platform import PlatformConfig, PlatformConfigError, load_config, serving_state_prefix


def backend_url(config: PlatformConfig) -> str:
    return f"s3://{config.artifact_bucket}/{serving_state_prefix(config.project)}"


def secrets_provider(config: PlatformConfig) -> str:
    """Pulumi's URL for a KMS key given by ARN: ``awskms:///<arn>?region=<region>``."""
    region = config.kms_key_arn.split(":")[3]
    return f"awskms:///{config.kms_key_arn}?region={region}"


COMMANDS = {"url": backend_url, "secrets-provider": secrets_provider}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] not in COMMANDS:
        choices = " | ".join(COMMANDS)
        print(f"usage: python -m {__package__}.serving_backend ({choices})", file=sys.stderr)
        return 2
    try:
        print(COMMANDS[args[0]](load_config()))
    except PlatformConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
