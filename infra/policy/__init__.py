"""sagestack's CrossGuard policy pack: the guardrails every stack of the platform must pass.

``rules/`` holds the pure checks (plain functions over the engine's camelCase props),
``pack`` turns them into pulumi-policy ``Policy`` objects, ``evaluate`` runs them in-process,
and ``__main__`` is the thin entry the Pulumi CLI starts (``--policy-pack infra/policy``).
"""
