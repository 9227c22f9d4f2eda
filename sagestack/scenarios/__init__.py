"""The loop's steps as library code, shared by ``sagestack demo`` and the end-to-end tests.

Each step does on the local cloud what the real actor does on AWS, through the ordinary AWS APIs
and the names of :mod:`sagestack.contract`, and nothing else: the project's pipeline registers a
model package (:mod:`.approval`), an approver approves it, the endpoint captures requests and the
drift monitor step measures them (:mod:`.drift`), on-call receives pages (:mod:`.oncall`), the
project's CI upserts its training pipeline (:mod:`.retrain`), the endpoint reports errors
(:mod:`.endpoint`). What happens between the steps (rules, input transformers, alarms, topics) is
the platform's own, deployed by the applier; the steps never stand in for it.
"""
