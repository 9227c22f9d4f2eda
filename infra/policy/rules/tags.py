"""Required tags on every taggable AWS resource, as a real ``pulumi up`` would apply them.

Taggable means the resource's schema has a ``tags`` input; the installed pulumi-aws SDK is
generated from that schema, so it answers exactly. The tags that land in AWS are the provider's
``defaultTags`` merged under the resource's own ``tags`` (what pulumi-aws reports as
``tagsAll``), so that merge is what is checked, not ``tags`` alone.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import warnings
from collections.abc import Mapping
from typing import Any

from pulumi.runtime import rpc

from sagestack_infra.policy.rules.props import as_list, as_mapping, is_set, json_or_mapping

REQUIRED_TAGS = ("owner", "cost-center", "environment")


def missing_tag_problems(
    resource_type: str, props: Mapping[str, Any], provider_props: Mapping[str, Any] | None
) -> list[str]:
    """One message naming the required tags the resource would be created without."""
    if not is_taggable(resource_type, props):
        return []
    tags = effective_tags(props, provider_props or {})
    missing = [key for key in REQUIRED_TAGS if not is_set(tags.get(key))]
    if not missing:
        return []
    return [
        f"missing required tags {missing} (it would carry {sorted(tags)}): set them in the "
        "aws provider's defaultTags or the resource's tags"
    ]


def effective_tags(props: Mapping[str, Any], provider_props: Mapping[str, Any]) -> dict[str, Any]:
    """Provider default tags, then ``tagsAll`` where the engine already computed it, then the
    resource's own ``tags``, each overriding the one before (the provider's merge order)."""
    return {
        **default_tags(provider_props),
        **_tag_map(props.get("tagsAll")),
        **_tag_map(props.get("tags")),
    }


def _tag_map(tags: Any) -> Mapping[str, Any]:
    """Tags as a mapping, also from the ``[{key, value}]`` list a few resource types take."""
    if isinstance(tags, Mapping):
        return tags
    return {
        entry.get("key"): entry.get("value")
        for entry in (as_mapping(item) for item in as_list(tags))
        if entry.get("key")
    }


def default_tags(provider_props: Mapping[str, Any]) -> Mapping[str, Any]:
    """``defaultTags.tags`` of an aws provider: an object for an explicit provider, JSON text
    for the default provider (it is built from the ``aws:defaultTags`` stack config string)."""
    return as_mapping(as_mapping(json_or_mapping(provider_props.get("defaultTags"))).get("tags"))


def is_taggable(resource_type: str, props: Mapping[str, Any]) -> bool:
    """Whether an ``aws:`` resource type has a ``tags`` input. A type this SDK does not know
    (a newer provider) is judged by whether its props carry tags at all."""
    if not resource_type.startswith("aws:"):
        return False
    known = _schema_has_tags(resource_type)
    return ("tags" in props or "tagsAll" in props) if known is None else known


@functools.cache
def _schema_has_tags(resource_type: str) -> bool | None:
    resource_class = _sdk_class(resource_type)
    if resource_class is None:
        return None
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def _sdk_class(resource_type: str) -> type | None:
    """The pulumi_aws class for a type token, found the way the Pulumi runtime rehydrates
    resources: through the resource modules pulumi_aws registers on import."""
    _, module, _ = resource_type.split(":")
    with warnings.catch_warnings():
        # importing a service module announces its deprecated resource types; not our concern
        warnings.simplefilter("ignore", DeprecationWarning)
        importlib.import_module("pulumi_aws")
        resource_module = rpc.get_resource_module("aws", module, "")
        mod_info = getattr(resource_module, "mod_info", None)
        if not mod_info or resource_type not in mod_info["classes"]:
            return None
        # pulumi_aws imports service modules lazily: the attribute access runs the module
        return getattr(importlib.import_module(mod_info["fqn"]), mod_info["classes"][resource_type])
