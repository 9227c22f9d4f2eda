"""SageMaker Feature Store runtime (``sagemaker-featurestore-runtime``): the online store.

Requests are signed for ``sagemaker`` like the control plane's; they are told apart by path.
"""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals

SERVICE = "sagemaker-featurestore-runtime"
_PATH_PREFIXES = ("/FeatureGroup/", "/BatchGetRecord", "/BatchWriteRecord")


def _is_runtime_request(info: moto_internals.RequestInfo) -> bool:
    return info.signing_service == "sagemaker" and info.path.startswith(_PATH_PREFIXES)


def install() -> None:
    from . import models, urls

    moto_internals.register_service(
        moto_internals.AddOnService(
            name=SERVICE,
            url_paths=urls.url_paths,
            claims=_is_runtime_request,
            backends=models.featurestore_runtime_backends,
        )
    )
