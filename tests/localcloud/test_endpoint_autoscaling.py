"""Application Auto Scaling target tracking is recorded and scales a variant's instances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hosting_support import eventually

from sagestack.localcloud import clock

TARGET = {
    "ServiceNamespace": "sagemaker",
    "ResourceId": "endpoint/e1/variant/AllTraffic",
    "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
}


def _instances(hosting) -> tuple[int, int]:
    (variant,) = hosting.describe("e1")["ProductionVariants"]
    return variant["CurrentInstanceCount"], variant["DesiredInstanceCount"]


def test_a_registered_scalable_target_moves_the_variant_into_its_capacity_range(hosting):
    hosting.endpoint_config("c1", hosting.model("m1"))
    hosting.endpoint("e1", "c1")

    with clock.frozen():  # at once, not at the next minute's evaluation
        hosting.client("application-autoscaling").register_scalable_target(
            **TARGET, MinCapacity=2, MaxCapacity=4
        )

        assert eventually(lambda: _instances(hosting) == (2, 2))


def test_target_tracking_scales_out_when_invocations_per_instance_stay_above_target(hosting):
    autoscaling = hosting.client("application-autoscaling")
    hosting.endpoint_config("c1", hosting.model("m1"))
    hosting.endpoint("e1", "c1")
    autoscaling.register_scalable_target(**TARGET, MinCapacity=1, MaxCapacity=3)
    autoscaling.put_scaling_policy(
        PolicyName="invocations",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 5.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
            },
            "ScaleOutCooldown": 60,
        },
        **TARGET,
    )
    start = datetime.now(UTC).replace(second=1, microsecond=0)
    with clock.frozen(start) as frozen:
        for minute in range(3):
            for _ in range(12):  # 12 a minute on one instance: more than 5 per instance
                hosting.invoke("e1", "1,1")
            assert _instances(hosting) == (1, 1), f"scaled before minute {minute + 1} ended"
            eventually(lambda m=minute: _invocations(hosting, frozen) == 12 * (m + 1))
            frozen.advance(60)

        assert eventually(lambda: _instances(hosting) == (3, 3))  # ceil(12 / 5), at most 3
    (policy,) = autoscaling.describe_scaling_policies(ServiceNamespace="sagemaker")[
        "ScalingPolicies"
    ]
    assert policy["ResourceId"] == TARGET["ResourceId"]


def _invocations(hosting, frozen) -> float:
    now = frozen.now()
    points = hosting.statistics(
        "Invocations", ["Sum"], now - timedelta(hours=1), now + timedelta(hours=1), 7200
    )
    return points[0]["Sum"] if points else 0.0
