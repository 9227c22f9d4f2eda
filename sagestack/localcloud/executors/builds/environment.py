"""A build's environment variables, as CodeBuild sets them (/work/notes/codebuild.md §4).

Precedence, lowest first: CodeBuild's own variables, the buildspec's ``env`` (``variables``,
``parameter-store``, ``secrets-manager``), the project's environment variables, StartBuild's
``environmentVariablesOverride``. Project and StartBuild variables of type PARAMETER_STORE and
SECRETS_MANAGER are resolved like the buildspec's. Parameters are read with ``GetParameters``
(plural, as CodeBuild does) and secrets with ``GetSecretValue``, both with the build's role
credentials, so a role that may not read them fails the build in DOWNLOAD_SOURCE with
CodeBuild's ``Decrypted Variables Error`` / ``Secrets Manager Error``.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

PARAMETER_STORE_ERROR = "Decrypted Variables Error"
SECRETS_MANAGER_ERROR = "Secrets Manager Error"
WEBHOOK_VARIABLES = (
    "CODEBUILD_WEBHOOK_ACTOR_ACCOUNT_ID",
    "CODEBUILD_WEBHOOK_BASE_REF",
    "CODEBUILD_WEBHOOK_EVENT",
    "CODEBUILD_WEBHOOK_HEAD_REF",
    "CODEBUILD_WEBHOOK_MERGE_COMMIT",
    "CODEBUILD_WEBHOOK_PREV_COMMIT",
    "CODEBUILD_WEBHOOK_TRIGGER",
)


class VariableError(Exception):
    """A variable could not be resolved: ``code`` and ``message`` as CodeBuild reports them."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def codebuild_variables(build: dict[str, Any], src_dir: str, webhook: dict[str, str]) -> dict:
    """What CodeBuild itself sets in every build."""
    region, account = build["arn"].split(":")[3:5]
    project_arn = f"arn:aws:codebuild:{region}:{account}:project/{build['projectName']}"
    variables = {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "CODEBUILD_BUILD_ARN": build["arn"],
        "CODEBUILD_BUILD_ID": build["id"],
        "CODEBUILD_BUILD_IMAGE": (build.get("environment") or {}).get("image", ""),
        "CODEBUILD_BUILD_NUMBER": str(build["buildNumber"]),
        "CODEBUILD_BUILD_SUCCEEDING": "1",
        "CODEBUILD_INITIATOR": build.get("initiator", ""),
        "CODEBUILD_KMS_KEY_ID": build.get("encryptionKey", ""),
        "CODEBUILD_LOG_PATH": (build.get("logs") or {}).get("streamName") or "",
        "CODEBUILD_PROJECT_ARN": project_arn,
        "CODEBUILD_PUBLIC_BUILD_URL": "",
        "CODEBUILD_SOURCE_REPO_URL": (build.get("source") or {}).get("location", ""),
        "CODEBUILD_SOURCE_VERSION": build.get("sourceVersion") or "",
        "CODEBUILD_SRC_DIR": src_dir,
        "CODEBUILD_START_TIME": str(int(build["startTime"].timestamp() * 1000)),
        "CODEBUILD_BATCH_BUILD_IDENTIFIER": "",
        "CODEBUILD_CI": "true",
    }
    variables.update({name: webhook.get(name, "") for name in WEBHOOK_VARIABLES})
    return variables


def declared_variables(declared: list[dict[str, str]]) -> tuple[dict, dict, dict]:
    """Project or StartBuild variables split by type: (plain, parameter store, secrets)."""
    plain, parameters, secrets = {}, {}, {}
    for variable in declared:
        kind = variable.get("type") or "PLAINTEXT"
        target = {"PARAMETER_STORE": parameters, "SECRETS_MANAGER": secrets}.get(kind, plain)
        target[variable["name"]] = variable.get("value", "")
    return plain, parameters, secrets


def resolve_parameters(ssm: Any, wanted: dict[str, str]) -> dict[str, str]:
    """``{variable: parameter name}`` to ``{variable: value}``, by GetParameters."""
    if not wanted:
        return {}
    names = sorted(set(wanted.values()))
    values: dict[str, str] = {}
    for start in range(0, len(names), 10):  # GetParameters takes at most 10 names
        try:
            answer = ssm.get_parameters(Names=names[start : start + 10], WithDecryption=True)
        except ClientError as error:
            raise VariableError(PARAMETER_STORE_ERROR, _client_error(error)) from None
        if answer.get("InvalidParameters"):
            missing = answer["InvalidParameters"][0]
            raise VariableError(PARAMETER_STORE_ERROR, f"parameter does not exist: {missing}")
        values.update({p["Name"]: p["Value"] for p in answer["Parameters"]})
    return {variable: values[name] for variable, name in wanted.items()}


def resolve_secrets(secretsmanager: Any, wanted: dict[str, str]) -> dict[str, str]:
    """``{variable: "secret-id:json-key:version-stage:version-id"}`` to values."""
    return {
        variable: _secret_value(secretsmanager, reference) for variable, reference in wanted.items()
    }


def _secret_value(secretsmanager: Any, reference: str) -> str:
    secret_id, json_key, stage, version = _secret_reference(reference)
    request: dict[str, str] = {"SecretId": secret_id}
    if stage:
        request["VersionStage"] = stage
    if version:
        request["VersionId"] = version
    try:
        text = secretsmanager.get_secret_value(**request)["SecretString"]
    except ClientError as error:
        raise VariableError(SECRETS_MANAGER_ERROR, _client_error(error)) from None
    if not json_key:
        return text
    try:
        return _text(json.loads(text)[json_key])
    except (ValueError, KeyError, TypeError):
        raise VariableError(
            SECRETS_MANAGER_ERROR, f"secret {secret_id} has no JSON key {json_key}"
        ) from None


def _secret_reference(reference: str) -> tuple[str, str, str, str]:
    """``secret-id[:json-key[:version-stage[:version-id]]]``; a secret ARN has six colons."""
    parts = reference.split(":")
    head = 7 if reference.startswith("arn:") else 1
    secret_id = ":".join(parts[:head])
    rest = [*parts[head:], "", "", ""][:3]
    return secret_id, rest[0], rest[1], rest[2]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _client_error(error: ClientError) -> str:
    details = error.response.get("Error", {})
    return f"{details.get('Code', 'Error')}: {details.get('Message', str(error))}"
