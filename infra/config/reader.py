"""Read the ``sagestack:`` namespace once and validate it into a :class:`.StackConfig`.

Every invalid value is reported at once, one line per problem: ``sagestack:<path>: <value as
JSON> <rule>``. Values the user marks secret (``oncall.pagerdutyUrl``, ``kubernetes.kubeconfig``)
arrive as plain strings; wrap them in ``pulumi.Output.secret`` wherever they become inputs.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

import pulumi
from pydantic import ValidationError

from sagestack_infra.config.messages import (
    ABSENT,
    NAMESPACE,
    ConfigError,
    Problem,
    from_pydantic,
    location_order,
)
from sagestack_infra.config.model import StackConfig
from sagestack_infra.config.names import physical_name_problems
from sagestack_infra.config.rules import SECRET_VALUES, cross_value_problems, model_monitor_problems
from sagestack_infra.config.serving_rules import serving_problems


def parse_stack_config(
    raw: Mapping[str, Any], *, stack: str, secret_keys: Collection[str] = ()
) -> StackConfig:
    """Validate the ``sagestack:`` namespace (keys without the prefix) of stack ``stack``.

    ``secret_keys`` names the keys Pulumi holds as secrets (``oncall`` or ``sagestack:oncall``).
    Raises :class:`ConfigError` listing every problem.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError([Problem((), "must be a mapping of keys to values", raw).render()])
    problems = cross_value_problems(raw, secret_keys)
    if "stack" in raw:
        problems.append(Problem(("stack",), "unknown key (the stack name comes from Pulumi)"))
    try:
        config = StackConfig.model_validate({**raw, "stack": stack}, by_alias=True, by_name=False)
    except ValidationError as error:
        problems += [from_pydantic(detail, StackConfig) for detail in error.errors()]
    if problems:
        raise ConfigError(_messages(problems))
    derived = (
        physical_name_problems(config) + model_monitor_problems(config) + serving_problems(config)
    )
    if derived:
        raise ConfigError(derived)
    return config


def _messages(problems: list[Problem]) -> list[str]:
    secret_locs = {loc for top, nested in SECRET_VALUES for loc in ((top,), (top, nested))}
    unique = {(p.loc, p.rule): p for p in problems}.values()
    ordered = sorted(unique, key=lambda p: (location_order(p.loc), p.rule))
    return [p.render(masked=p.loc in secret_locs and p.value is not ABSENT) for p in ordered]


def load_stack_config() -> StackConfig:
    """Read the ``sagestack:`` namespace of the running Pulumi stack and validate it."""
    raw, secret_keys = read_namespace(NAMESPACE)
    return parse_stack_config(raw, stack=pulumi.get_stack(), secret_keys=secret_keys)


def read_namespace(namespace: str) -> tuple[dict[str, Any], set[str]]:
    """The keys of ``namespace`` (without the prefix) and the ones Pulumi holds as secrets.

    Pulumi hands a program its config as strings: structured values (objects, lists) as JSON,
    plain values as they are. The language host passes config and secret keys to
    ``pulumi.runtime.set_all_config`` (also what tests under mocks call); ``PULUMI_CONFIG`` and
    ``PULUMI_CONFIG_SECRET_KEYS`` are read too, for programs started by other means.
    """
    prefix = f"{namespace}:"
    # pulumi.Config only answers for keys it is asked about; finding unknown (misspelt) keys
    # needs the whole map, which only the runtime's config module holds.
    full_keys = set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env())
    config = pulumi.Config(namespace)
    keys = sorted(k.removeprefix(prefix) for k in full_keys if k.startswith(prefix))
    raw = {key: _decode(config.get(key)) for key in keys}
    env_secrets = set(pulumi.runtime.get_config_secret_keys_env())
    secrets = {
        key
        for key in raw
        if pulumi.runtime.is_config_secret(prefix + key) or prefix + key in env_secrets
    }
    return raw, secrets


def _decode(value: str | None) -> Any:
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
