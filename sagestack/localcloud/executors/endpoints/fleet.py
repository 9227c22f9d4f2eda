"""A fleet: every production variant of one endpoint config, in service together.

An endpoint has one fleet in service; during a blue/green update a second one (green) starts
beside it. A fleet counts the requests it is answering, so it is stopped only once they are done
(not one request fails because its fleet went away).
"""

from __future__ import annotations

import random
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sagestack.localcloud.executors import runtime
from sagestack.localcloud.executors.endpoints.capture import CaptureConfig
from sagestack.localcloud.executors.endpoints.containers import ContainerError
from sagestack.localcloud.executors.endpoints.credentials import RoleNotAssumable
from sagestack.localcloud.executors.endpoints.instance import InstanceFailed
from sagestack.localcloud.executors.endpoints.variant import Placement, Variant, VariantPlan
from sagestack.localcloud.executors.images import ImageNotInstalledError
from sagestack.localcloud.executors.sandbox import NoSandboxError

DRAIN_SECONDS = 70.0  # a request may take 60 s (InvokeEndpoint's limit)


class NotRunLocally(Exception):
    """A configuration SageMaker serves that the local cloud does not run."""


class ProvisioningFailed(Exception):
    """The fleet did not come into service; the message is SageMaker's FailureReason."""


def ping_failure(variant: str) -> str:
    return (
        f"The primary container for production variant {variant} did not pass the ping health "
        "check. Please check CloudWatch logs for this endpoint."
    )


@dataclass(frozen=True)
class EndpointRef:
    account_id: str
    region: str
    name: str
    arn: str

    @property
    def log_group(self) -> str:
        return f"/aws/sagemaker/Endpoints/{self.name}"


@dataclass(frozen=True)
class FleetPlan:
    config_name: str
    variants: tuple[VariantPlan, ...]
    data_capture: Mapping[str, Any] | None  # the config's DataCaptureConfig

    @property
    def capture(self) -> CaptureConfig | None:
        return CaptureConfig.from_api(self.data_capture)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FleetPlan:
        """The plan of a DescribeEndpointConfig answer; raises :class:`NotRunLocally` for what
        the local cloud does not serve."""
        name = config["EndpointConfigName"]
        _refuse_unsupported(name, config)
        variants = tuple(
            VariantPlan(
                name=variant["VariantName"],
                model_name=variant["ModelName"],
                instance_count=int(variant.get("InitialInstanceCount") or 1),
                weight=float(variant.get("InitialVariantWeight", 1.0)),
                instance_type=variant.get("InstanceType", ""),
                **_health_timeout(variant),
            )
            for variant in config.get("ProductionVariants") or []
        )
        return cls(name, variants, config.get("DataCaptureConfig"))


def _refuse_unsupported(name: str, config: Mapping[str, Any]) -> None:
    if config.get("AsyncInferenceConfig"):
        raise NotRunLocally(
            f"Endpoint config {name} has an AsyncInferenceConfig: asynchronous inference is not "
            "run locally (serve the model in real time: remove AsyncInferenceConfig)"
        )
    if config.get("ShadowProductionVariants"):
        raise NotRunLocally(
            f"Endpoint config {name} has ShadowProductionVariants: shadow variants are not run "
            "locally"
        )
    for variant in config.get("ProductionVariants") or []:
        if variant.get("ServerlessConfig"):
            raise NotRunLocally(
                f"Production variant {variant['VariantName']} of endpoint config {name} is "
                "serverless (ServerlessConfig): serverless inference is not run locally; give "
                "the variant an InstanceType and InitialInstanceCount instead"
            )


def _health_timeout(variant: Mapping[str, Any]) -> dict[str, float]:
    seconds = variant.get("ContainerStartupHealthCheckTimeoutInSeconds")
    return {"health_timeout": float(seconds)} if seconds else {}


class Fleet:
    def __init__(self, plan: FleetPlan, endpoint: EndpointRef):
        self.plan = plan
        self.endpoint = endpoint
        self.config_name = plan.config_name
        token = secrets.token_hex(4)
        self.variants: dict[str, Variant] = {
            variant.name: Variant(variant, self._placement(variant.name, token), plan.capture)
            for variant in plan.variants
        }
        self._in_flight = 0
        self._idle = threading.Condition()

    def _placement(self, variant: str, token: str) -> Placement:
        folder = f"{self.endpoint.name}-{self.config_name}-{variant}-{token}"
        return Placement(
            account_id=self.endpoint.account_id,
            region=self.endpoint.region,
            endpoint=self.endpoint.name,
            endpoint_arn=self.endpoint.arn,
            config_name=self.config_name,
            log_group=self.endpoint.log_group,
            root=runtime.current().work_folder("endpoints", folder),
        )

    def provision(self) -> None:
        """Every variant in service, side by side; raises :class:`ProvisioningFailed` (with
        everything stopped again) when one is not."""
        failures: list[str] = []

        def start(variant: Variant) -> None:
            try:
                variant.prepare()
                variant.add_instances(variant.plan.instance_count)
            except InstanceFailed:
                failures.append(ping_failure(variant.name))
            except RoleNotAssumable as error:
                failures.append(str(error))
            except (ContainerError, ImageNotInstalledError, NoSandboxError) as error:
                failures.append(str(error))

        threads = [
            threading.Thread(target=start, args=(v,), daemon=True) for v in self.variants.values()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            self.stop()
            raise ProvisioningFailed(failures[0])

    @property
    def instance_count(self) -> int:
        return sum(variant.current_count for variant in self.variants.values())

    def choose(self, target_variant: str | None = None) -> Variant | None:
        """The named variant, or one drawn by weight; None when the fleet has no such variant."""
        if target_variant is not None:
            return self.variants.get(target_variant)
        variants = [v for v in self.variants.values() if v.weight > 0] or list(
            self.variants.values()
        )
        return random.choices(variants, weights=[v.weight or 1.0 for v in variants])[0]

    def enter(self) -> None:
        """Count a request in flight (the endpoint does it while routing, under its lock)."""
        with self._idle:
            self._in_flight += 1

    def leave(self) -> None:
        with self._idle:
            self._in_flight -= 1
            self._idle.notify_all()

    def drain_and_stop(self, timeout: float = DRAIN_SECONDS) -> None:
        """Wait for the requests in flight, then stop every instance."""
        with self._idle:
            self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout)
        self.stop()

    def stop(self) -> None:
        for variant in self.variants.values():
            variant.stop()
