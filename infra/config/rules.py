"""Rules that look at more than one configuration value.

Most read the raw configuration (as YAML or Pulumi gives it), not the validated model, so that
they still run when some other value is wrong and every problem is reported at once. Each rule
skips values of the wrong shape: the model's own validation reports those. The model-monitor
rules at the end need the validated model.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from sagestack_infra.config.messages import Location, Problem, config_path
from sagestack_infra.config.model import Project, StackConfig
from sagestack_infra.config.serving_rules import SAGEMAKER_ONLY_SERVING_KEYS
from sagestack_infra.config.values import model_monitor_schedule

REQUIRED_TAGS = ("owner", "cost-center")
# AWS allows 50 tags per resource; the components add a few of their own (stack, project).
MAX_TAGS = 45
MAX_TAG_KEY_LENGTH = 128
MAX_TAG_VALUE_LENGTH = 256
_TAG_PUNCTUATION = set(" _.:/=+-@")

PROVIDER_HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org"}
# (lowest, highest) acceptable registration threshold per metric; None means unbounded.
METRIC_RANGES: dict[str, tuple[float, float | None]] = {
    "auc": (0.0, 1.0),
    "accuracy": (0.0, 1.0),
    "f1": (0.0, 1.0),
    "r2": (0.0, 1.0),
    "rmse": (0.0, None),
    "mae": (0.0, None),
}
EVENT_TIME_TYPES = ("String", "Fractional")
KUBERNETES_ONLY_SERVING_KEYS = ("replicas", "cpu", "memory")
# Where a secret may sit: (top-level key, nested key).
SECRET_VALUES = (("oncall", "pagerdutyUrl"), ("kubernetes", "kubeconfig"))


def cross_value_problems(raw: Mapping[str, Any], secret_keys: Collection[str]) -> list[Problem]:
    return [
        *_tag_problems(raw.get("tags")),
        *_secret_problems(raw, secret_keys),
        *_duplicate_emails(raw.get("oncall")),
        *_duplicate_names(raw, "featureGroups"),
        *_duplicate_names(raw, "projects"),
        *_feature_group_problems(raw),
        *_project_problems(raw),
        *_kubernetes_section_problems(raw),
    ]


def is_secret(path: tuple[str, str], secret_keys: Collection[str]) -> bool:
    """Pulumi marks a whole top-level key secret when any value inside it is ``secure:``."""
    top, nested = path
    return bool({top, f"sagestack:{top}", f"{top}.{nested}"} & set(secret_keys))


# --- reading raw values safely -----------------------------------------------------------------


def _entries(raw: Any, key: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    items = raw.get(key) if isinstance(raw, Mapping) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield index, item


def _text(raw: Any, key: str) -> str | None:
    value = raw.get(key) if isinstance(raw, Mapping) else None
    return value if isinstance(value, str) else None


def _texts(raw: Any, key: str) -> Iterator[tuple[int, str]]:
    items = raw.get(key) if isinstance(raw, Mapping) else None
    if isinstance(items, list):
        yield from ((i, item) for i, item in enumerate(items) if isinstance(item, str))


def _number(value: Any) -> float | None:
    """A number as the model takes it (never a bool or a numeric string), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _duplicates(named: Iterator[tuple[Location, str]]) -> Iterator[Problem]:
    first_seen: dict[str, Location] = {}
    for loc, name in named:
        if name in first_seen:
            yield Problem(loc, f"is a duplicate of sagestack:{config_path(first_seen[name])}", name)
        else:
            first_seen[name] = loc


# --- tags --------------------------------------------------------------------------------------


def _tag_problems(tags: Any) -> Iterator[Problem]:
    if not isinstance(tags, Mapping):
        return
    for key in REQUIRED_TAGS:
        if key not in tags:
            yield Problem(("tags", key), "is required (every resource is tagged with it)")
        elif tags[key] == "":
            yield Problem(("tags", key), "must not be empty", "")
    if len(tags) > MAX_TAGS:
        yield Problem(("tags",), f"has {len(tags)} tags; at most {MAX_TAGS} are allowed")
    for key, value in tags.items():
        yield from _tag_key_problems(str(key))
        if isinstance(value, str):
            yield from _tag_value_problems(key, value)


def _tag_key_problems(key: str) -> Iterator[Problem]:
    if not 1 <= len(key) <= MAX_TAG_KEY_LENGTH:
        yield Problem(("tags",), f"key must be 1 to {MAX_TAG_KEY_LENGTH} characters", key)
    if key.lower().startswith("aws:"):
        yield Problem(("tags",), "key must not start with aws: (reserved by AWS)", key)
    if not _is_tag_text(key):
        yield Problem(("tags",), f"key {_TAG_CHARACTERS}", key)


def _tag_value_problems(key: str, value: str) -> Iterator[Problem]:
    if len(value) > MAX_TAG_VALUE_LENGTH:
        yield Problem(("tags", key), f"must be at most {MAX_TAG_VALUE_LENGTH} characters", value)
    if not _is_tag_text(value):
        yield Problem(("tags", key), _TAG_CHARACTERS, value)


_TAG_CHARACTERS = "must contain only letters, digits, spaces and _ . : / = + - @"


def _is_tag_text(text: str) -> bool:
    return all(unicodedata.category(c)[0] in "LNZ" or c in _TAG_PUNCTUATION for c in text)


# --- on-call -------------------------------------------------------------------------------------


def _duplicate_emails(oncall: Any) -> Iterator[Problem]:
    # SNS answers a second Subscribe for the same address with the first subscription, so two
    # resources would share it and deleting either would unsubscribe both.
    first_seen: dict[str, int] = {}
    for i, address in _texts(oncall, "emails"):
        first = first_seen.setdefault(address.lower(), i)
        if first != i:
            yield Problem(
                ("oncall", "emails", i),
                f"is a duplicate of sagestack:oncall.emails[{first}] (addresses ignore case)",
                address,
            )


# --- secrets -------------------------------------------------------------------------------------


def _secret_problems(raw: Mapping[str, Any], secret_keys: Collection[str]) -> Iterator[Problem]:
    for top, nested in SECRET_VALUES:
        section = raw.get(top)
        if not isinstance(section, Mapping) or section.get(nested) is None:
            continue
        if not is_secret((top, nested), secret_keys):
            yield Problem(
                (top, nested),
                "must be a secret (set it with "
                f"pulumi config set --secret --path sagestack:{top}.{nested} <value>)",
            )


# --- feature groups ------------------------------------------------------------------------------


def _duplicate_names(raw: Mapping[str, Any], key: str) -> Iterator[Problem]:
    named = (
        ((key, i, "name"), name)
        for i, entry in _entries(raw, key)
        if (name := _text(entry, "name"))
    )
    yield from _duplicates(named)


def _feature_group_problems(raw: Mapping[str, Any]) -> Iterator[Problem]:
    for i, group in _entries(raw, "featureGroups"):
        loc = ("featureGroups", i)
        features = [
            (j, name, _text(feature, "type"))
            for j, feature in _entries(group, "features")
            if (name := _text(feature, "name"))
        ]
        yield from _duplicates(((*loc, "features", j, "name"), name) for j, name, _ in features)
        if features:
            types: dict[str, str | None] = {}
            for _, name, kind in features:
                types.setdefault(name, kind)
            yield from _key_feature_problems(loc, group, types)


def _key_feature_problems(
    loc: Location, group: Mapping[str, Any], types: dict[str, str | None]
) -> Iterator[Problem]:
    """The record identifier and event time must be features; event time of a time type."""
    for key in ("recordIdentifier", "eventTime"):
        name = _text(group, key)
        if name is not None and name not in types:
            yield Problem(
                (*loc, key), f"must be one of the group's features ({', '.join(types)})", name
            )
    event_time = _text(group, "eventTime")
    if event_time in types and types[event_time] not in EVENT_TIME_TYPES:
        yield Problem(
            (*loc, "eventTime"),
            f"must be a feature of type String or Fractional (it is {types[event_time]})",
            event_time,
        )


# --- projects ------------------------------------------------------------------------------------


def _project_problems(raw: Mapping[str, Any]) -> Iterator[Problem]:
    group_names = [n for _, g in _entries(raw, "featureGroups") if (n := _text(g, "name"))]
    groups_valid = isinstance(raw.get("featureGroups", []), list)
    for i, project in _entries(raw, "projects"):
        loc = ("projects", i)
        if groups_valid:
            yield from _unknown_feature_groups(loc, project, group_names)
        drift = project.get("drift")
        yield from _duplicates(
            ((*loc, "drift", "features", j), f) for j, f in _texts(drift, "features")
        )
        yield from _threshold_problems(loc, project.get("registration"))
        yield from _repository_problems(loc, project.get("repository"))
        yield from _serving_problems(loc, project.get("serving"))


def _unknown_feature_groups(
    loc: Location, project: Mapping[str, Any], known: list[str]
) -> Iterator[Problem]:
    configured = ", ".join(known) if known else "none are configured"
    for j, name in _texts(project, "featureGroups"):
        if name not in known:
            yield Problem(
                (*loc, "featureGroups", j),
                f"must name a feature group of sagestack:featureGroups ({configured})",
                name,
            )


def _threshold_problems(loc: Location, registration: Any) -> Iterator[Problem]:
    metric = _text(registration, "metric")
    if metric not in METRIC_RANGES:
        return
    threshold = _number(registration.get("threshold"))
    low, high = METRIC_RANGES[metric]
    if threshold is None or (low <= threshold and (high is None or threshold <= high)):
        return
    expected = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
    yield Problem(
        (*loc, "registration", "threshold"),
        f'must be {expected} for metric "{metric}"',
        registration.get("threshold"),
    )


def _repository_problems(loc: Location, repository: Any) -> Iterator[Problem]:
    url = _text(repository, "url")
    if url is None:
        return
    host = PROVIDER_HOSTS.get(_text(repository, "provider") or "")
    if not _is_repository_url(url, host):
        where = host or "the provider's host (github.com, gitlab.com or bitbucket.org)"
        yield Problem(
            (*loc, "repository", "url"),
            f"must be an https URL on {where} (https://{host or '<host>'}/<owner>/<repository>)",
            url,
        )


def _is_repository_url(url: str, host: str | None) -> bool:
    parts = urlsplit(url)
    path_ok = re.fullmatch(r"(/[A-Za-z0-9_.-]+){2,}(\.git)?/?", parts.path) is not None
    host_ok = parts.hostname == host if host else parts.hostname in PROVIDER_HOSTS.values()
    return parts.scheme == "https" and host_ok and path_ok and not parts.query


def _serving_problems(loc: Location, serving: Any) -> Iterator[Problem]:
    if not isinstance(serving, Mapping):
        return
    target = serving.get("target", "sagemaker")
    other, keys = {
        "sagemaker": ("kubernetes", KUBERNETES_ONLY_SERVING_KEYS),
        "kubernetes": ("sagemaker", SAGEMAKER_ONLY_SERVING_KEYS),
    }.get(target, ("", ()))
    for key in keys:
        if key in serving:
            yield Problem(
                (*loc, "serving", key),
                f'applies only when serving.target is "{other}"',
                serving[key],
            )


def _kubernetes_section_problems(raw: Mapping[str, Any]) -> Iterator[Problem]:
    if raw.get("kubernetes") is not None:
        return
    for i, project in _entries(raw, "projects"):
        serving = project.get("serving")
        if isinstance(serving, Mapping) and serving.get("target") == "kubernetes":
            yield Problem(
                ("kubernetes",),
                f'is required because sagestack:projects[{i}].serving.target is "kubernetes"',
            )
            return


# Model Monitor's feature_baseline_drift is a distance between distributions, at most 1.
MODEL_MONITOR_MAX_THRESHOLD = 1.0


def model_monitor_problems(cfg: StackConfig) -> list[str]:
    """What model-monitor projects need that the model cannot check alone (validated config)."""
    return [
        problem
        for index, project in enumerate(cfg.projects)
        for problem in _model_monitor_project_problems(index, project)
    ]


def _model_monitor_project_problems(index: int, project: Project) -> list[str]:
    drift, where = project.drift, f"sagestack:projects[{index}]"
    if drift.monitor != "model-monitor":
        return []
    problems = []
    try:
        model_monitor_schedule(drift.schedule)
    except ValueError as error:
        problems.append(f"{where}.drift.schedule: {error} for drift.monitor model-monitor")
    if drift.threshold > MODEL_MONITOR_MAX_THRESHOLD:
        problems.append(
            f"{where}.drift.threshold: {drift.threshold} is above {MODEL_MONITOR_MAX_THRESHOLD}, "
            "the largest baseline drift distance Model Monitor reports (drift.monitor "
            "model-monitor alarms on that distance, not on PSI)"
        )
    if project.serving.target != "sagemaker":
        problems.append(
            f'{where}.drift.monitor: "model-monitor" watches a SageMaker endpoint; serving.target '
            f'"{project.serving.target}" has none (use drift.monitor sagestack)'
        )
    return problems
