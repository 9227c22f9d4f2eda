"""C8 model serving on Kubernetes: the project's model server in its own namespace, with
requests equal to limits, a readiness probe on the SageMaker serving contract's GET /ping,
a Service, a HorizontalPodAutoscaler and a PodDisruptionBudget."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from sagestack_infra.components.base import Component

# The SageMaker serving contract: the container listens on 8080, answers GET /ping when ready.
SERVING_PORT = 8080
READINESS_PATH = "/ping"


@dataclass(frozen=True)
class KubernetesServingArgs:
    namespace: str
    app_name: str
    image: str
    provider: k8s.Provider
    replicas: int = 2
    """Replicas the autoscaler never goes below; default 2."""
    cpu: str = "500m"
    """CPU request and limit per pod (equal, so pods get the Guaranteed QoS class)."""
    memory: str = "1Gi"
    """Memory request and limit per pod."""
    max_replicas: int | None = None
    """Autoscaler ceiling; default twice ``replicas``."""
    target_cpu_utilization: int = 70
    """Average CPU percentage the autoscaler aims for; default 70."""
    env: dict[str, str] = field(default_factory=dict)
    """Environment for the model server, e.g. where its parameters live."""
    annotations: dict[str, str] = field(default_factory=dict)
    """Added to every object's metadata: the stack's required tags."""

    def __post_init__(self):
        if self.replicas < 1:
            raise ValueError(f"replicas {self.replicas} must be at least 1")
        if self.max_replicas is not None and self.max_replicas < self.replicas:
            raise ValueError(
                f"max_replicas {self.max_replicas} must be at least replicas {self.replicas}"
            )


class KubernetesServing(Component):
    service_name: pulumi.Output[str]
    namespace_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: KubernetesServingArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("sagestack:serving:KubernetesServing", name, None, opts)
        self._base = name
        self._args = args
        self._labels = {
            "app.kubernetes.io/name": args.app_name,
            "app.kubernetes.io/part-of": "sagestack",
        }
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata=self._metadata(args.namespace), opts=self._child()
        )
        self.deployment = self._create_deployment()
        self.service = self._create_service()
        self._create_autoscaler()
        self._create_disruption_budget()
        self.namespace_name = self.namespace.metadata.name
        self.service_name = self.service.metadata.name
        self.register_outputs({"service_name": self.service_name})

    def _child(self, **kwargs) -> pulumi.ResourceOptions:
        return super()._child(provider=self._args.provider, **kwargs)

    def _metadata(self, name: str, namespace: pulumi.Input[str] | None = None) -> dict:
        metadata = {"name": name, "labels": self._labels, "annotations": self._args.annotations}
        if namespace is not None:
            metadata["namespace"] = namespace
        return metadata

    def _in_namespace(self) -> dict:
        return self._metadata(self._args.app_name, self.namespace.metadata.name)

    def _create_deployment(self) -> k8s.apps.v1.Deployment:
        args = self._args
        resources = {"cpu": args.cpu, "memory": args.memory}
        container = {
            "name": "model-server",
            "image": args.image,
            "args": ["serve"],
            "ports": [{"name": "http", "containerPort": SERVING_PORT}],
            "env": [{"name": key, "value": value} for key, value in sorted(args.env.items())],
            "resources": {"requests": resources, "limits": resources},
            "readinessProbe": {
                "httpGet": {"path": READINESS_PATH, "port": SERVING_PORT},
                "periodSeconds": 10,
                "failureThreshold": 3,
            },
        }
        return k8s.apps.v1.Deployment(
            f"{self._base}-deployment",
            metadata=self._in_namespace(),
            spec={
                "replicas": args.replicas,
                "selector": {"matchLabels": self._labels},
                "template": {
                    "metadata": {"labels": self._labels},
                    "spec": {"containers": [container]},
                },
            },
            opts=self._child(),
        )

    def _create_service(self) -> k8s.core.v1.Service:
        return k8s.core.v1.Service(
            f"{self._base}-service",
            metadata=self._in_namespace(),
            spec={
                "selector": self._labels,
                "ports": [{"name": "http", "port": 80, "targetPort": SERVING_PORT}],
            },
            opts=self._child(),
        )

    def _create_autoscaler(self) -> None:
        args = self._args
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{self._base}-autoscaler",
            metadata=self._in_namespace(),
            spec={
                "scaleTargetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": self.deployment.metadata.name,
                },
                "minReplicas": args.replicas,
                "maxReplicas": args.max_replicas or 2 * args.replicas,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {
                                "type": "Utilization",
                                "averageUtilization": args.target_cpu_utilization,
                            },
                        },
                    }
                ],
            },
            opts=self._child(),
        )

    def _create_disruption_budget(self) -> None:
        k8s.policy.v1.PodDisruptionBudget(
            f"{self._base}-disruption-budget",
            metadata=self._in_namespace(),
            # maxUnavailable, not minAvailable: with one replica a node drain must still proceed.
            spec={"maxUnavailable": 1, "selector": {"matchLabels": self._labels}},
            opts=self._child(),
        )
