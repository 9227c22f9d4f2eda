"""End to end: the example stacks deployed by the applier into sagestack's local cloud, and the
loop's actors (on-call receiver, project) around them.

A deploy of the dev stack costs seconds, so each stack config is deployed once per worker and the
local cloud's state saved right after (the same persistence ``local up --state-dir`` uses). Every
test then starts from a reset local cloud restored from that save: fresh, holding exactly what
the applier made and nothing an earlier test did.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_stacks import PROJECT, STACK, DeployedStacks, dev_config

from sagestack.clients import AwsClients
from sagestack.localcloud import clock
from sagestack.localcloud.testing.fixtures import ENDPOINT_ENV, Endpoint
from sagestack.localcloud.testing.receiver import SnsReceiver
from sagestack.scenarios.project import Project, find_project


@pytest.fixture(scope="session")
def deployed_stacks(local_cloud: Endpoint, tmp_path_factory) -> DeployedStacks:
    if not local_cloud.is_sagestack:
        pytest.skip("end-to-end tests drive sagestack's local cloud (its clock and saved state)")
    return DeployedStacks(local_cloud, tmp_path_factory.mktemp("e2e-stacks"))


def _project(local_cloud: Endpoint, monkeypatch: pytest.MonkeyPatch) -> Project:
    # the drift engine and the receiver's confirmations use the environment's endpoint
    monkeypatch.setenv(ENDPOINT_ENV, local_cloud.url)
    return find_project(AwsClients(local_cloud.url, region="us-east-1"), STACK, PROJECT)


@pytest.fixture
def churn(deployed_stacks, local_cloud, monkeypatch) -> Project:
    """Project churn of the dev stack as deployed (autoRetrain on)."""
    deployed_stacks.fresh("dev", dev_config())
    return _project(local_cloud, monkeypatch)


@pytest.fixture
def churn_without_retraining(deployed_stacks, local_cloud, monkeypatch) -> Project:
    """The dev stack with autoRetrain off for churn."""
    deployed_stacks.fresh("dev-no-retrain", dev_config(autoRetrain=False))
    return _project(local_cloud, monkeypatch)


@pytest.fixture
def test_clock() -> Iterator[clock.Clock]:
    """The local cloud's clock, frozen now: scheduled work runs only when a test advances it."""
    with clock.frozen() as frozen:
        yield frozen


@pytest.fixture
def receiver() -> Iterator[SnsReceiver]:
    with SnsReceiver() as pager:
        yield pager
