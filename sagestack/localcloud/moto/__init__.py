"""Every touch of moto's internals, split by job; a moto upgrade is this folder to fix.

- :mod:`.backends`: reach a backend (moto's or an add-on's) per account and region; reset, list
  and restore them all;
- :mod:`.registry`: add-on services (claimed per request) and the endpoint's own path routes;
- :mod:`.responses`: extend a moto service's responses class with more operations;
- :mod:`.patches`: behaviour around moto's backend and model methods, and around reset;
- :mod:`.dispatcher`: the WSGI application; :mod:`.errors`: AWS-shaped errors for it;
- :mod:`.iam`: moto's IAM and STS state (roles, their policies, the sessions STS issued);
- :mod:`.resources`: what authorization reads of resources (resource policies, KMS keys).

Add-ons import what they need from this package and nothing from moto directly, except the
moto models they extend. moto is pinned in pyproject.toml for this reason.
"""

from __future__ import annotations

import moto
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult, PaginatedResult
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
from sagestack.localcloud.moto.dispatcher import LocalCloudDispatcher, request_handler
from sagestack.localcloud.moto.errors import error_response
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
from sagestack.localcloud.moto.patches import on_reset, wrap_backend_operation, wrap_model_method
from sagestack.localcloud.moto.registry import (
    AddOnService,
    RequestInfo,
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

MOTO_VERSION = "5.2.5"

if moto.__version__ != MOTO_VERSION:  # pragma: no cover - guards an unpinned environment
    raise ImportError(
        f"sagestack.localcloud extends moto {MOTO_VERSION} internals but moto {moto.__version__} "
        "is installed; reinstall with `pip install moto[server]==" + MOTO_VERSION + "`"
    )

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "MOTO_VERSION",
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
    "backend",
    "error_response",
    "extend_service",
    "find_bucket",
    "find_feature_group",
    "find_role",
    "find_session",
    "iter_backends",
    "kms_key_arn",
    "kms_key_of_ciphertext",
    "kms_key_policy",
    "live_backends",
    "moto_responses_class",
    "next_model_package_version",
    "object_kms_key",
    "on_reset",
    "paginate",
    "policy_permission",
    "register_authorizer",
    "register_backends",
    "register_route",
    "register_service",
    "request_handler",
    "reset_state",
    "restore_backend",
    "role_policy_documents",
    "secret_arn",
    "served_responses_class",
    "service_names",
    "signed_for",
    "topic_policy",
    "wrap_backend_operation",
    "wrap_model_method",
]
