"""Inputs AWS refuses that moto accepts, refused with AWS's error codes and wording.

One module per service the platform uses: SSM parameter names and value sizes, SQS message
sizes, S3 bucket names (and a POST no S3 operation answers). SageMaker's names are checked
against botocore's patterns with the rest of the request's shape (``moto.shape_checks``).
"""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals


def install() -> None:
    from . import s3, sqs, ssm

    moto_internals.wrap_backend_operation("ssm", "put_parameter", ssm.checked_put_parameter)
    moto_internals.wrap_backend_operation("sqs", "send_message", sqs.checked_send_message)
    moto_internals.wrap_model_method("s3", "S3Backend", "create_bucket", s3.checked_create_bucket)
    moto_internals.wrap_responses_method("s3", "_set_action", s3.unknown_post_refused)
