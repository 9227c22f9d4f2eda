"""What a request must be allowed to do: the IAM action(s) of its operation, the resource(s) each
is authorized on, and the condition keys that request sets.

Most operations are the action of the same name in the service's IAM prefix (``ssm:GetParameter``);
S3 names many differently (``HeadObject`` is ``s3:GetObject``, ``ListObjectsV2`` is
``s3:ListBucket``), and some operations need more than one permission: ``CopyObject`` reads its
source, an SSE-KMS object needs the key (``kms:Decrypt``/``kms:GenerateDataKey`` through S3, with
``kms:ViaService``), a job or build that takes a role needs ``iam:PassRole`` on it.
``sts:GetCallerIdentity`` needs no permission at all.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sagestack.localcloud import moto as moto_internals
from sagestack.localcloud.identity import arns
from sagestack.localcloud.identity.operations import Operation

log = logging.getLogger(__name__)

# botocore service -> IAM prefix, where they differ
IAM_PREFIX = {
    "sagemaker-runtime": "sagemaker",
    "sagemaker-featurestore-runtime": "sagemaker",
}

# S3 operations whose IAM action has another name
S3_ACTIONS = {
    "HeadObject": "GetObject",
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "UploadPartCopy": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "CopyObject": "PutObject",
    "DeleteObjects": "DeleteObject",
    "ListBuckets": "ListAllMyBuckets",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "GetBucketCors": "GetBucketCORS",
    "PutBucketCors": "PutBucketCORS",
    "DeleteBucketCors": "PutBucketCORS",
    "DeleteBucketTagging": "PutBucketTagging",
    "GetBucketReplication": "GetReplicationConfiguration",
    "PutBucketReplication": "PutReplicationConfiguration",
    "DeleteBucketReplication": "PutReplicationConfiguration",
    "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
}
# ... and the version-specific action when the request names a version
S3_VERSION_ACTIONS = {
    "GetObject": "GetObjectVersion",
    "DeleteObject": "DeleteObjectVersion",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
    "GetObjectAcl": "GetObjectVersionAcl",
}
# S3 operations that write an object S3 encrypts with the bucket's or the request's KMS key
_S3_ENCRYPTING = {"PutObject", "CopyObject", "CreateMultipartUpload"}
# ... and those that read an encrypted object (UploadPart decrypts the parts already uploaded)
_S3_DECRYPTING = {"GetObject", "UploadPart", "UploadPartCopy"}

# role parameters that pass a role to the service (iam:PassRole, iam:PassedToService)
_PASSED_ROLES = {
    "sagemaker": ("RoleArn", "ExecutionRoleArn"),
    "codebuild": ("serviceRole",),
    "events": (),
}
_NEEDS_NO_PERMISSION = {("sts", "GetCallerIdentity")}


@dataclass(frozen=True)
class Authorization:
    action: str  # "s3:GetObject"
    resource: str  # an ARN, or "*"
    context: Mapping[str, list[str]] = field(default_factory=dict)  # keys this request sets
    resource_account: str | None = None  # the resource's owner, where it differs by lookup


def authorizations(operation: Operation, region: str, account_id: str) -> list[Authorization]:
    """Every permission ``operation`` needs, in the order AWS checks them."""
    if (operation.service, operation.name) in _NEEDS_NO_PERMISSION:
        return []
    prefix = IAM_PREFIX.get(operation.service, _signing_prefix(operation.service))
    if operation.service == "s3":
        return _s3(operation, region, account_id)
    action = _mapped_action(prefix, operation.name)
    if action is None:
        return [Authorization(f"{prefix}:{operation.name}", "*")]
    params = _resolved_params(prefix, operation.params, region, account_id)
    if operation.service == "sagemaker" and operation.name == "CreateModelPackage":
        params = _with_next_package_version(params, region, account_id)
    context = _service_context(prefix, operation.params)
    needed = [
        Authorization(f"{prefix}:{action}", arn, context)
        for arn in arns.resource_arns(prefix, action, params, region, account_id)
    ]
    return needed + _passed_roles(prefix, operation.params)


def _signing_prefix(service: str) -> str:
    return {"cloudwatch": "cloudwatch"}.get(service, service)


_unmapped_logged: set[str] = set()


def _mapped_action(prefix: str, operation: str) -> str | None:
    name = arns.action_name(prefix, operation.lower())
    if name is None and f"{prefix}:{operation}" not in _unmapped_logged:
        _unmapped_logged.add(f"{prefix}:{operation}")
        log.debug("no IAM action for %s:%s; authorizing it on '*'", prefix, operation)
    return name


def _resolved_params(
    prefix: str, params: Mapping[str, Any], region: str, account_id: str
) -> dict[str, Any]:
    resolved = dict(params)
    if prefix == "kms":
        key = params.get("KeyId") or _key_of_ciphertext(params, region, account_id)
        if key:
            resolved["KeyId"] = arns.kms_key_arn(key, account_id, region)
    if prefix == "secretsmanager" and params.get("SecretId"):
        secret = moto_internals.secret_arn(params["SecretId"], account_id, region)
        resolved["SecretId"] = secret or params["SecretId"]
    if prefix == "events" and params.get("EventBusName") in (None, "", "default"):
        resolved.pop("EventBusName", None)  # the default bus's rules have their own ARN form
    return resolved


def _key_of_ciphertext(params: Mapping[str, Any], region: str, account_id: str) -> str | None:
    blob = params.get("CiphertextBlob")
    return moto_internals.kms_key_of_ciphertext(blob, account_id, region) if blob else None


def _with_next_package_version(
    params: Mapping[str, Any], region: str, account_id: str
) -> dict[str, Any]:
    """A versioned package is authorized on the ARN it will get: ``<group>/<next version>``."""
    group = params.get("ModelPackageGroupName")
    if not group or params.get("ModelPackageName"):
        return dict(params)
    name = group.rsplit("/", 1)[-1]
    version = moto_internals.next_model_package_version(name, account_id, region)
    return {**params, "ModelPackageName": f"{name}/{version}"}


def _service_context(prefix: str, params: Mapping[str, Any]) -> dict[str, list[str]]:
    context: dict[str, list[str]] = {}
    if prefix == "cloudwatch" and params.get("Namespace"):
        context["cloudwatch:namespace"] = [params["Namespace"]]
    if prefix == "ssm" and "Recursive" in params:
        context["ssm:recursive"] = [str(params["Recursive"]).lower()]
    if prefix == "sagemaker":
        context.update(_sagemaker_context(params))
    tags = params.get("Tags") or params.get("tags")
    if isinstance(tags, list):
        pairs = [t for t in tags if isinstance(t, Mapping) and "Key" in t]
        context["aws:tagkeys"] = [t["Key"] for t in pairs]
        for tag in pairs:
            context[f"aws:requesttag/{tag['Key'].lower()}"] = [str(tag.get("Value", ""))]
    return context


def _sagemaker_context(params: Mapping[str, Any]) -> dict[str, list[str]]:
    context: dict[str, list[str]] = {}
    resources = params.get("ResourceConfig") or (
        (params.get("ProcessingResources") or {}).get("ClusterConfig") or {}
    )
    if resources.get("InstanceType"):
        context["sagemaker:instancetypes"] = [resources["InstanceType"]]
    if resources.get("VolumeKmsKeyId"):
        context["sagemaker:volumekmskey"] = [resources["VolumeKmsKeyId"]]
    output_key = (params.get("OutputDataConfig") or {}).get("KmsKeyId")
    if output_key:
        context["sagemaker:outputkmskey"] = [output_key]
    if "EnableNetworkIsolation" in params:
        context["sagemaker:networkisolation"] = [str(params["EnableNetworkIsolation"]).lower()]
    runtime = (params.get("StoppingCondition") or {}).get("MaxRuntimeInSeconds")
    if runtime is not None:
        context["sagemaker:maxruntimeinseconds"] = [str(runtime)]
    return context


def _passed_roles(prefix: str, params: Mapping[str, Any]) -> list[Authorization]:
    service = f"{prefix}.amazonaws.com"
    return [
        Authorization("iam:PassRole", params[name], {"iam:passedtoservice": [service]})
        for name in _PASSED_ROLES.get(prefix, ())
        if isinstance(params.get(name), str) and params[name].startswith("arn:")
    ]


def _s3(operation: Operation, region: str, account_id: str) -> list[Authorization]:
    params = operation.params
    name = S3_ACTIONS.get(operation.name, operation.name)
    if params.get("VersionId"):
        name = S3_VERSION_ACTIONS.get(name, name)
    action = arns.action_name("s3", name.lower()) or name
    bucket = moto_internals.find_bucket(params["Bucket"]) if params.get("Bucket") else None
    owner = bucket.account_id if bucket else None
    context = _s3_context(operation)
    needed = [
        Authorization(f"s3:{action}", arn, context, owner)
        for arn in arns.resource_arns("s3", action, params, region, account_id)
    ]
    if operation.name in ("CopyObject", "UploadPartCopy") and params.get("CopySource"):
        needed += _copy_source(params["CopySource"])
    return needed + _s3_kms(operation, bucket, region, account_id)


def _s3_context(operation: Operation) -> dict[str, list[str]]:
    params, context = operation.params, {}
    for key, param in (
        ("s3:prefix", "Prefix"),
        ("s3:delimiter", "Delimiter"),
        ("s3:max-keys", "MaxKeys"),
        ("s3:versionid", "VersionId"),
        ("s3:x-amz-server-side-encryption", "ServerSideEncryption"),
        ("s3:x-amz-server-side-encryption-aws-kms-key-id", "SSEKMSKeyId"),
        ("s3:x-amz-acl", "ACL"),
    ):
        if params.get(param) is not None:
            context[key] = [str(params[param])]
    return context


def _copy_source(copy_source: str) -> list[Authorization]:
    source, _, query = urllib.parse.unquote(copy_source).lstrip("/").partition("?")
    bucket, _, key = source.partition("/")
    action = "GetObjectVersion" if "versionId=" in query else "GetObject"
    return [Authorization(f"s3:{action}", f"arn:aws:s3:::{bucket}/{key}")]


def _s3_kms(operation: Operation, bucket: Any, region: str, account_id: str) -> list[Authorization]:
    """The KMS permission S3 exercises for the caller on an SSE-KMS object."""
    params, key = operation.params, None
    if operation.name in _S3_ENCRYPTING:
        key = params.get("SSEKMSKeyId")
        if key is None and params.get("ServerSideEncryption") in (None, "aws:kms"):
            key = bucket.default_kms_key if bucket else None
        kms_action = "kms:GenerateDataKey"
    elif operation.name in _S3_DECRYPTING and params.get("Key"):
        key = moto_internals.object_kms_key(
            params["Bucket"], params["Key"], params.get("VersionId")
        )
        kms_action = "kms:Decrypt"
    if not key:
        return []
    context = {
        "kms:viaservice": [f"s3.{region}.amazonaws.com"],
        "kms:calleraccount": [account_id],
        "kms:encryptioncontext:aws:s3:arn": [f"arn:aws:s3:::{params['Bucket']}"],
    }
    return [Authorization(kms_action, arns.kms_key_arn(key, account_id, region), context)]
