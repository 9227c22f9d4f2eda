"""Single configuration values and the rule each must follow.

Every type here checks one value on its own; rules that compare several values live in
:mod:`.rules`. A failed check raises :func:`problem`, whose ``rule`` text becomes the
end of the message ``sagestack:<path>: <value as JSON> <rule>``.
"""

from __future__ import annotations

import re
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, Strict, StringConstraints
from pydantic_core import PydanticCustomError

from sagestack_infra.config.aws_rules import bucket_problem, sagemaker_enum

PROBLEM = "sagestack"


def problem(rule: str) -> PydanticCustomError:
    """A validation error whose message is exactly ``rule``."""
    return PydanticCustomError(PROBLEM, "{rule}", {"rule": rule})


def _checked(pattern: str, rule: str):
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise problem(rule)
        return value

    return AfterValidator(check)


# --- names ---------------------------------------------------------------------------------

# Both start every physical name; ending in "-" would end SageMaker names in "-", which
# SageMaker's pattern [a-zA-Z0-9](-*[a-zA-Z0-9])* refuses.
NAME_PREFIX_PATTERN = r"^[a-z][a-z0-9-]{1,23}[a-z0-9]$"
PROJECT_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,29}[a-z0-9]$"
NAME_PREFIX_RULE = (
    "must be 3 to 25 lowercase letters, digits and hyphens, starting with a letter and not "
    "ending with a hyphen"
)
PROJECT_NAME_RULE = (
    "must be 2 to 31 lowercase letters, digits and hyphens, starting with a letter and not "
    "ending with a hyphen"
)
# SageMaker's own rules for feature group and feature names.
FEATURE_GROUP_NAME_PATTERN = r"^[a-zA-Z0-9]([-a-zA-Z0-9]){0,62}$"
FEATURE_NAME_PATTERN = r"^[a-zA-Z0-9]([-_a-zA-Z0-9]){0,63}$"
# Kubernetes resource quantities: CPU in cores or millicores, memory in bytes with a suffix.
CPU_PATTERN = r"^([1-9][0-9]*m|[0-9]+(\.[0-9]+)?)$"
MEMORY_PATTERN = r"^[1-9][0-9]*(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$"

NamePrefix = Annotated[str, _checked(NAME_PREFIX_PATTERN, NAME_PREFIX_RULE)]
ProjectName = Annotated[str, _checked(PROJECT_NAME_PATTERN, PROJECT_NAME_RULE)]
FeatureGroupName = Annotated[str, StringConstraints(pattern=FEATURE_GROUP_NAME_PATTERN)]
FeatureName = Annotated[str, StringConstraints(pattern=FEATURE_NAME_PATTERN)]


def _instance_type(enum_shape: str, used_for: str):
    """An instance type SageMaker offers for ``used_for``: botocore's ``enum_shape`` lists them
    (the same list SageMaker validates the request against)."""

    def check(value: str) -> str:
        if value not in sagemaker_enum(enum_shape):
            raise problem(
                f"is not an instance type SageMaker offers for {used_for} (e.g. ml.m5.large; "
                f"the SageMaker API's {enum_shape} lists them)"
            )
        return value

    return AfterValidator(check)


ProcessingInstanceType = Annotated[str, _instance_type("ProcessingInstanceType", "processing jobs")]
TrainingInstanceType = Annotated[str, _instance_type("TrainingInstanceType", "training jobs")]
EndpointInstanceType = Annotated[str, _instance_type("ProductionVariantInstanceType", "endpoints")]


def _check_cpu_above_zero(value: str) -> str:
    # Requests equal limits, so a zero CPU (the pattern allows "0" and "0.0") starves the server.
    if float(value.removesuffix("m")) == 0:
        raise problem("must be more than zero cores")
    return value


Cpu = Annotated[str, StringConstraints(pattern=CPU_PATTERN), AfterValidator(_check_cpu_above_zero)]
Memory = Annotated[str, StringConstraints(pattern=MEMORY_PATTERN)]
NonEmptyText = Annotated[str, StringConstraints(min_length=1)]

# The webhook matches ^refs/heads/<branch>$: a name git would refuse, or one written with its
# refs/heads/ prefix, would silently never start a build.
BRANCH_RULE = (
    "must be a git branch name without the refs/heads/ prefix (no spaces, no .., "
    "none of ~ ^ : ? * [ \\ @{, not starting with - or /, not ending with /, . or .lock)"
)
_BRANCH_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(/|$)")


def _check_branch(branch: str) -> str:
    if (
        branch.startswith(("-", "/", ".", "refs/"))
        or branch.endswith(("/", "."))
        or branch == "@"
        or _BRANCH_FORBIDDEN.search(branch)
    ):
        raise problem(BRANCH_RULE)
    return branch


BranchName = Annotated[str, StringConstraints(min_length=1), AfterValidator(_check_branch)]

# --- numbers ---------------------------------------------------------------------------------


# Values arrive as YAML (or JSON) gave them, and are taken only as the type they are: "0.3" or
# "yes" is a string that someone meant as something else, and coercing it would hide that.
# `pulumi config set --path` stores decimals as strings unless told `--type float`.
SET_AS = "set it unquoted in YAML, or with pulumi config set --path ... --type {kind}"


def _exactly(kind: str, expected: str, accepts: tuple[type, ...]):
    def check(value: object) -> object:
        # bool is an int to Python: YAML `true` must not pass for 1
        if isinstance(value, bool) and bool not in accepts:
            raise problem(f"must be {expected}")
        if isinstance(value, str):
            raise problem(f"must be {expected}, not a string ({SET_AS.format(kind=kind)})")
        return value

    return BeforeValidator(check)


Number = Annotated[float, _exactly("float", "a number", (int, float))]
WholeNumber = Annotated[int, _exactly("int", "an integer", (int,))]
Boolean = Annotated[bool, _exactly("bool", "true or false", (bool,)), Strict()]

# The values CloudWatch Logs' PutRetentionPolicy accepts (its documentation; botocore's shape
# has no enum for them).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                      2192, 2557, 2922, 3288, 3653)  # fmt: skip


def _check_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        raise problem(
            "must be a retention CloudWatch Logs offers: " + ", ".join(map(str, LOG_RETENTION_DAYS))
        )
    return days


LogRetentionDays = Annotated[WholeNumber, AfterValidator(_check_retention)]

# --- AWS identifiers -----------------------------------------------------------------------

CONNECTION_ARN_RULE = (
    "must be a CodeConnections connection ARN "
    "(arn:aws:codeconnections:<region>:<account>:connection/<id>)"
)
# CodeStar Connections was renamed CodeConnections in 2024; ARNs of both services stay valid.
ConnectionArn = Annotated[
    str,
    _checked(
        r"arn:aws(-cn|-us-gov)?:(codeconnections|codestar-connections):"
        r"[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:connection/[A-Za-z0-9-]+",
        CONNECTION_ARN_RULE,
    ),
]

ContainerImage = Annotated[
    str,
    _checked(
        r"([a-z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*"
        r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})",
        "must be a container image with a tag or digest (<registry>/<repository>:<tag>)",
    ),
]

# A prefix, not a bucket: the grant it becomes covers that prefix only. "/" ends it, so that
# s3://data/churn/ does not also grant s3://data/churn-archive/.
S3_PREFIX_RULE = "must be an S3 prefix s3://<bucket>/<prefix>/ (a key prefix, ending in /)"


def _check_s3_prefix(uri: str) -> str:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not uri.startswith("s3://") or not key.endswith("/") or key.startswith("/"):
        raise problem(S3_PREFIX_RULE)
    reason = bucket_problem(bucket)
    if reason is not None:
        raise problem(f"names bucket {bucket!r}, which {reason}")
    return uri


S3Prefix = Annotated[str, AfterValidator(_check_s3_prefix)]

KmsKeyArn = Annotated[
    str,
    _checked(
        r"arn:aws(-cn|-us-gov)?:kms:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:key/[A-Za-z0-9-]+",
        "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>; IAM authorises "
        "decryption by key, not by alias)",
    ),
]

HttpsUrl = Annotated[
    str,
    _checked(r"https://[A-Za-z0-9.-]+(:[0-9]+)?(/\S*)?", "must be an https URL"),
]
# Pages' file names are appended to it, so a query or a fragment would swallow them.
RunbookBaseUrl = Annotated[
    str,
    _checked(
        r"https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s?#]*)?",
        "must be an https URL without a query or fragment (each runbook's file name is "
        "appended to it, e.g. https://github.com/acme/sagestack/blob/main/docs/runbooks/)",
    ),
]

# --- schedules -------------------------------------------------------------------------------

SCHEDULE_RULE = (
    "must be an EventBridge schedule expression: rate(<value> <unit>) with unit "
    "minute(s), hour(s) or day(s), or cron(<minutes> <hours> <day-of-month> <month> "
    "<day-of-week> <year>) with ? in exactly one of day-of-month and day-of-week"
)
_RATE = re.compile(r"rate\(([1-9][0-9]*) (minute|hour|day)(s?)\)")
# Characters EventBridge allows in each of the six cron fields, in order.
_CRON_FIELDS = (
    r"[0-9,*/-]+",
    r"[0-9,*/-]+",
    r"[0-9,*/?LW-]+",
    r"[0-9A-Za-z,*/-]+",
    r"[0-9A-Za-z,*/?L#-]+",
    r"[0-9,*/-]+",
)


def is_schedule_expression(expression: str) -> bool:
    rate = _RATE.fullmatch(expression)
    if rate:
        value, _, plural = rate.groups()
        return (value == "1") == (plural == "")
    if not (expression.startswith("cron(") and expression.endswith(")")):
        return False
    fields = expression[len("cron(") : -1].split(" ")
    if len(fields) != len(_CRON_FIELDS):
        return False
    if not all(re.fullmatch(allowed, f) for allowed, f in zip(_CRON_FIELDS, fields, strict=True)):
        return False
    return (fields[2] == "?") != (fields[4] == "?")


def _check_schedule(expression: str) -> str:
    if not is_schedule_expression(expression):
        raise problem(SCHEDULE_RULE)
    return expression


ScheduleExpression = Annotated[str, AfterValidator(_check_schedule)]

# --- people ------------------------------------------------------------------------------------


def _check_email(address: str) -> str:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise problem(f"must be an email address ({error})") from None
    return address


EmailAddress = Annotated[str, AfterValidator(_check_email)]


# Model Monitor's own schedule (ScheduleConfig) accepts fewer forms than EventBridge.
HOURLY = "cron(0 * ? * * *)"
# The forms Model Monitor accepts (ScheduleConfig): hourly, daily at an hour, every N hours.
_MONITOR_CRON = re.compile(r"^cron\(0 (\*|\d{1,2}|\d{1,2}/\d{1,2}) \? \* \* \*\)$")
_MONITOR_RATE = re.compile(r"^rate\((\d+) (hour|hours|day|days)\)$")


def model_monitor_schedule(schedule: str) -> str:
    """The project's drift.schedule as a schedule Model Monitor accepts; ValueError otherwise."""
    if _MONITOR_CRON.fullmatch(schedule):
        return schedule
    match = _MONITOR_RATE.fullmatch(schedule)
    if match:
        hours = int(match.group(1)) * (24 if match.group(2).startswith("day") else 1)
        if hours == 1:
            return HOURLY
        if hours == 24:
            return "cron(0 0 ? * * *)"
        if hours < 24 and 24 % hours == 0:
            return f"cron(0 0/{hours} ? * * *)"
    raise ValueError(
        f'"{schedule}" is not a schedule Model Monitor runs (expected rate(1 hour), '
        "rate(N hours) with N dividing 24, rate(1 day), or cron(0 H ? * * *), "
        "cron(0 H/N ? * * *), cron(0 * ? * * *))"
    )
