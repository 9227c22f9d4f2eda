"""SageMaker runtime (``sagemaker-runtime``): InvokeEndpoint on the endpoints the local cloud runs.

Replaces moto's canned answers: each request reaches a model server of the endpoint
(:mod:`sagestack.localcloud.executors.endpoints`). Requests are signed for ``sagemaker`` like the
control plane's; they are told apart by path.
"""

from __future__ import annotations

import re

from sagestack.localcloud import moto as moto_internals

SERVICE = "sagemaker-runtime"
_RUNTIME_PATH = re.compile(
    r"^/endpoints/[^/]+/(invocations|async-invocations|invocations-response-stream)$"
)


def _is_runtime_request(info: moto_internals.RequestInfo) -> bool:
    return info.signing_service == "sagemaker" and bool(_RUNTIME_PATH.match(info.path))


def install() -> None:
    from . import models, urls

    moto_internals.register_service(
        moto_internals.AddOnService(
            name=SERVICE,
            url_paths=urls.url_paths,
            claims=_is_runtime_request,
            backends=models.sagemaker_runtime_backends,
        )
    )
