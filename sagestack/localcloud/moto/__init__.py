"""Every touch of moto's internals, split by job; a moto upgrade is this folder to fix.

- :mod:`.backends`: reach a backend (moto's or an add-on's) per account and region; reset, list
  and restore them all;
- :mod:`.registry`: add-on services (claimed per request) and the endpoint's own path routes;
- :mod:`.responses`: extend a moto service's responses class with more operations;
- :mod:`.patches`: behaviour around moto's backend and model methods, and around reset;
- :mod:`.dispatcher`: the WSGI application; :mod:`.errors`: AWS-shaped errors for it;
- :mod:`.request_checks`, :mod:`.shape_checks`: requests AWS refuses before a service reads them;
- :mod:`.determinism`: moto's random draws from its seedable source (journal replays);
- :mod:`.sqs_queue`: SQS queues indexed, so calls take constant time in the queue's length;
- :mod:`.iam`: moto's IAM and STS state (roles, their policies, the sessions STS issued);
- :mod:`.resources`: what authorization reads of resources (resource policies, KMS keys);
- :mod:`.sagemaker`: moto's SageMaker job, pipeline and execution records, as executors update
  them.

Add-ons import what they need from this package and nothing from moto directly, except the
moto models they extend. moto is pinned in pyproject.toml for this reason.
"""

from __future__ import annotations

import moto
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult, PaginatedResult
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY as PRESERVED_HEADER_NAMES_KEY,
)
from moto.utilities.paginator import paginate

from sagestack.localcloud.moto.backends import (
    addon_backends,
    backend,
    find_feature_group,
    iter_backends,
    live_backends,
    register_backends,
    reset_state,
    restore_backend,
)
from sagestack.localcloud.moto.determinism import random_hex, random_token, random_uuid
from sagestack.localcloud.moto.dispatcher import (
    LocalCloudDispatcher,
    read_body,
    request_handler,
    request_info,
)
from sagestack.localcloud.moto.errors import aws_error, error_response
from sagestack.localcloud.moto.iam import (
    RoleRecord,
    SessionRecord,
    account_of_role_arn,
    assume_role,
    find_role,
    find_session,
    policy_permission,
    role_policy_documents,
)
from sagestack.localcloud.moto.patches import (
    call_arguments,
    on_reset,
    wrap_backend_operation,
    wrap_model_method,
    wrap_responses_method,
)
from sagestack.localcloud.moto.registry import (
    AddOnService,
    RequestInfo,
    is_stateful_get,
    register_authorizer,
    register_route,
    register_service,
    service_names,
    signed_for,
)
from sagestack.localcloud.moto.resources import (
    Bucket,
    find_bucket,
    kms_key_arn,
    kms_key_of_ciphertext,
    kms_key_policy,
    next_model_package_version,
    object_kms_key,
    secret_arn,
    topic_policy,
)
from sagestack.localcloud.moto.responses import (
    extend_service,
    moto_responses_class,
    served_responses_class,
)
from sagestack.localcloud.moto.sqs_queue import set_long_poll_waiter

MOTO_VERSION = "5.2.5"


def install_fixes() -> None:
    """moto's behaviour the local cloud changes for all services: seedable randomness where
    moto draws from the OS, SQS queues in constant time (idempotent)."""
    from sagestack.localcloud.moto import determinism, sqs_queue

    determinism.install()
    sqs_queue.install()


if moto.__version__ != MOTO_VERSION:  # pragma: no cover - guards an unpinned environment
    raise ImportError(
        f"sagestack.localcloud extends moto {MOTO_VERSION} internals but moto {moto.__version__} "
        "is installed; reinstall with `pip install moto[server]==" + MOTO_VERSION + "`"
    )

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "MOTO_VERSION",
    "PRESERVED_HEADER_NAMES_KEY",
    "ActionResult",
    "AddOnService",
    "BackendDict",
    "BaseBackend",
    "BaseResponse",
    "Bucket",
    "EmptyResult",
    "LocalCloudDispatcher",
    "PaginatedResult",
    "RequestInfo",
    "RoleRecord",
    "SessionRecord",
    "ServiceException",
    "account_of_role_arn",
    "addon_backends",
    "assume_role",
    "aws_error",
    "backend",
    "call_arguments",
    "error_response",
    "extend_service",
    "find_bucket",
    "find_feature_group",
    "find_role",
    "find_session",
    "is_stateful_get",
    "iter_backends",
    "kms_key_arn",
    "kms_key_of_ciphertext",
    "kms_key_policy",
    "live_backends",
    "install_fixes",
    "mock_random",
    "moto_responses_class",
    "next_model_package_version",
    "object_kms_key",
    "on_reset",
    "paginate",
    "policy_permission",
    "random_hex",
    "random_token",
    "random_uuid",
    "read_body",
    "register_authorizer",
    "register_backends",
    "register_route",
    "register_service",
    "request_handler",
    "request_info",
    "reset_state",
    "restore_backend",
    "role_policy_documents",
    "secret_arn",
    "served_responses_class",
    "service_names",
    "set_long_poll_waiter",
    "signed_for",
    "topic_policy",
    "wrap_backend_operation",
    "wrap_model_method",
    "wrap_responses_method",
]
