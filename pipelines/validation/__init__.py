"""Checks for SageMaker pipeline definitions, one module per kind of check.

``shapes`` checks a value against a botocore shape, ``expressions`` types the pipeline's
expressions, ``references`` resolves what an expression or a step points at, ``step_kinds``
says which API each step type calls, ``control_steps`` checks Condition and Fail steps, and
``step_graph`` finds dependency cycles.
The public entry point is :mod:`.validator` (``python -m sagestack_pipelines.validation FILE``).
"""
