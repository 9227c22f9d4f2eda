"""SageMaker: endpoint configs encrypted and capturing, models isolated from the network, feature
stores encrypted online and offline, notebooks without direct internet or root."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sagestack_infra.policy.rules.props import dig, is_set

ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
MODEL = "aws:sagemaker/model:Model"
FEATURE_GROUP = "aws:sagemaker/featureGroup:FeatureGroup"
NOTEBOOK = "aws:sagemaker/notebookInstance:NotebookInstance"


def endpoint_config_key_problems(props: Mapping[str, Any]) -> list[str]:
    if not is_set(props.get("kmsKeyArn")):
        return ["kmsKeyArn is not set: encrypt the endpoint's volumes with the platform's key"]
    return []


def endpoint_config_capture_problems(props: Mapping[str, Any]) -> list[str]:
    """Data capture on: the drift monitor reads what the endpoint captured, nothing else."""
    capture = props.get("dataCaptureConfig")
    if capture is None or dig(props, "dataCaptureConfig", "enableCapture") is False:
        return [
            "dataCaptureConfig does not enable capture: the drift monitor has nothing to "
            "compare with the baseline"
        ]
    if not is_set(dig(props, "dataCaptureConfig", "kmsKeyId")):
        return ["dataCaptureConfig.kmsKeyId is not set: captured requests are customer data"]
    return []


def model_network_isolation_problems(props: Mapping[str, Any]) -> list[str]:
    if props.get("enableNetworkIsolation") is not True:
        return [
            "enableNetworkIsolation is not true: the model's container could reach the network "
            "(a project that needs it sets serving.networkIsolation false, which waives this)"
        ]
    return []


def feature_group_encryption_problems(props: Mapping[str, Any]) -> list[str]:
    problems = []
    online = props.get("onlineStoreConfig")
    if dig(props, "onlineStoreConfig", "enableOnlineStore") is True and not is_set(
        dig(online, "securityConfig", "kmsKeyId")
    ):
        problems.append("onlineStoreConfig.securityConfig.kmsKeyId is not set")
    if props.get("offlineStoreConfig") is not None and not is_set(
        dig(props, "offlineStoreConfig", "s3StorageConfig", "kmsKeyId")
    ):
        problems.append("offlineStoreConfig.s3StorageConfig.kmsKeyId is not set")
    return [f"{problem}: encrypt the store with the platform's key" for problem in problems]


def notebook_problems(props: Mapping[str, Any]) -> list[str]:
    # Both default to Enabled when not given.
    return [
        f"{key} is {props.get(key) or 'Enabled (the default)'}: set it to Disabled"
        for key in ("directInternetAccess", "rootAccess")
        if props.get(key) != "Disabled"
    ]
