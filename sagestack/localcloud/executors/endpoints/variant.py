"""A production variant in service: its model installed once, its instances, its capture.

Every instance of a variant runs the same container (one folder mounted as their ``/opt/ml``);
requests go round-robin to the instances in service. The instance count moves with
UpdateEndpointWeightsAndCapacities and Application Auto Scaling (:meth:`Variant.scale_to`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sagestack.localcloud.executors import images, runtime
from sagestack.localcloud.executors.endpoints import containers
from sagestack.localcloud.executors.endpoints.capture import CaptureConfig, CaptureWriter
from sagestack.localcloud.executors.endpoints.credentials import RoleSession
from sagestack.localcloud.executors.endpoints.instance import (
    Instance,
    InstanceFailed,
    new_instance_id,
)
from sagestack.localcloud.executors.logs import LogStream

log = logging.getLogger(__name__)

DEFAULT_HEALTH_TIMEOUT_SECONDS = 120.0
PICK_WAIT_SECONDS = 30.0


class NoInstanceInService(Exception):
    pass


@dataclass(frozen=True)
class VariantPlan:
    """A production variant as its endpoint config describes it."""

    name: str
    model_name: str
    instance_count: int
    weight: float
    instance_type: str
    health_timeout: float = DEFAULT_HEALTH_TIMEOUT_SECONDS
    environment: Mapping[str, str] = field(default_factory=dict)  # on top of the model's


@dataclass(frozen=True)
class Placement:
    """Where a variant runs and whose it is."""

    account_id: str
    region: str
    endpoint: str
    endpoint_arn: str
    config_name: str
    log_group: str
    root: Path  # the container's /opt/ml


class Variant:
    def __init__(self, plan: VariantPlan, placement: Placement, capture: CaptureConfig | None):
        self.plan = plan
        self.placement = placement
        self.name = plan.name
        self.weight = plan.weight
        self.desired_count = plan.instance_count
        self.capture_config = capture
        self.container: containers.ContainerSpec | None = None
        self.capture: CaptureWriter | None = None
        self.instances: list[Instance] = []
        self._role: RoleSession | None = None
        self._streams: list[LogStream] = []
        self._server_environment: dict[str, str] = {}
        self._python: Path | None = None
        self._lock = threading.Lock()
        self._turn = 0
        self._stopped = False

    # --- starting ---

    def prepare(self) -> None:
        """Resolve the model, assume its role, install its model data (no server runs yet)."""
        p = self.placement
        self.container = containers.container_of(p.account_id, p.region, self.plan.model_name)
        self._role = RoleSession(self.container.role_arn, p.account_id, p.region, p.endpoint_arn)
        self._python = images.environment_python(self.container.image)
        environment = containers.install_model(self.container, self._role.client("s3"), p.root)
        self._server_environment = self._environment(environment)
        if self.capture_config is not None:
            self.capture = CaptureWriter(
                self.capture_config, p.endpoint, self.name, lambda: self._role.client("s3")
            )

    def _environment(self, container_environment: dict[str, str]) -> dict[str, str]:
        assert self.container is not None and self._role is not None
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "PYTHONUNBUFFERED": "1",
            "SAGESTACK_FRAMEWORK": self.container.image.framework,
            "SAGEMAKER_REGION": self.placement.region,
            "AWS_REGION": self.placement.region,
            "AWS_DEFAULT_REGION": self.placement.region,
        }
        if not self.container.network_isolation:  # an isolated container gets no credentials
            environment["AWS_ENDPOINT_URL"] = runtime.current().endpoint_url
            environment.update(self._role.environment())
        environment.update(container_environment)
        environment.update(self.plan.environment)
        return environment

    def add_instances(self, count: int) -> None:
        """Start ``count`` instances side by side and wait until each answers ``/ping``; raises
        :class:`InstanceFailed` (after stopping them) when one does not."""
        started = [self._new_instance() for _ in range(count)]
        failures: list[InstanceFailed] = []

        def launch(instance: Instance) -> None:
            try:
                instance.launch()
            except InstanceFailed as failure:
                failures.append(failure)

        threads = [threading.Thread(target=launch, args=(i,), daemon=True) for i in started]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            for instance in started:
                instance.stop()
            raise failures[0]
        with self._lock:
            if self._stopped:
                for instance in started:
                    instance.stop()
                return
            self.instances.extend(started)
        for instance in started:
            instance.supervise()

    def _new_instance(self) -> Instance:
        assert self._python is not None and self.container is not None
        instance_id = new_instance_id()
        stream = self._log_stream(instance_id)
        write = stream.write if stream is not None else (lambda line: log.info("%s", line))
        for difference in self.container.image.differences():
            write(f"local image {self.container.image.name}: {difference}")
        return Instance(
            instance_id,
            self.placement.root,
            self._python,
            self._server_environment,
            write,
            self.plan.health_timeout,
        )

    def _log_stream(self, instance_id: str) -> LogStream | None:
        assert self._role is not None
        try:
            stream = LogStream(
                self._role.client("logs"), self.placement.log_group, f"{self.name}/{instance_id}"
            )
        except Exception:  # noqa: BLE001 - a role that may not write logs still serves
            log.warning("no log stream for %s/%s", self.name, instance_id, exc_info=True)
            return None
        with self._lock:
            self._streams.append(stream)
        return stream

    def role_client(self, service: str):
        """A client acting as the model's execution role (after :meth:`prepare`)."""
        assert self._role is not None
        return self._role.client(service)

    # --- serving ---

    @property
    def current_count(self) -> int:
        return sum(1 for instance in self.instances if instance.healthy)

    def pick(self, wait_seconds: float = PICK_WAIT_SECONDS) -> Instance:
        """The next instance in service (round-robin), waiting a while for a replaced one."""
        deadline = time.monotonic() + wait_seconds
        while True:
            with self._lock:
                healthy = [instance for instance in self.instances if instance.healthy]
                if healthy:
                    self._turn += 1
                    return healthy[self._turn % len(healthy)]
            if time.monotonic() >= deadline or self._stopped:
                raise NoInstanceInService(f"variant {self.name} has no instance in service")
            time.sleep(0.05)

    def scale_to(self, count: int) -> None:
        """Start or stop instances until ``count`` run (new ones must pass ``/ping`` first)."""
        self.desired_count = count
        with self._lock:
            surplus = self.instances[count:]
            self.instances = self.instances[:count]
            missing = count - len(self.instances)
        for instance in surplus:
            instance.stop()
        if missing > 0:
            try:
                self.add_instances(missing)
            except InstanceFailed as failure:
                log.warning("variant %s did not scale to %d: %s", self.name, count, failure)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            instances, self.instances = self.instances, []
        for instance in instances:
            instance.stop()
        closing = [*self._streams, *([self.capture] if self.capture is not None else [])]
        for closable in closing:
            with contextlib.suppress(Exception):  # the local cloud may be stopping under it
                closable.close()
