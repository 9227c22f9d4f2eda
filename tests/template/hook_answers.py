"""Answers the hook tests start from, and a stack config holding one project entry."""

from __future__ import annotations

VALID = {
    "project_name": "Churn Model",
    "project_slug": "churn-model",
    "description": "d",
    "problem_type": "binary_classification",
    "model": "xgboost",
    "metric": "auc",
    "metric_threshold": "0.9",
    "data_source": "sample",
    "target_column": "target",
    "drift_features": "tenure,monthly_charges",
    "processing_instance_type": "ml.m5.large",
    "training_instance_type": "ml.m5.xlarge",
    "endpoint_instance_type": "ml.m5.large",
    "auto_retrain": "no",
    "stack_name": "dev",
    "repository_url": "https://github.com/acme/churn-model",
}


def stack_with(entry: dict) -> dict:
    return {
        "environment": "dev",
        "namePrefix": "sagestack-dev",
        "tags": {"owner": "ml", "cost-center": "cc-1"},
        "featureGroups": [
            {
                "name": "customers",
                "recordIdentifier": "customer_id",
                "eventTime": "event_time",
                "features": [
                    {"name": "customer_id", "type": "String"},
                    {"name": "tenure", "type": "Integral"},
                    {"name": "event_time", "type": "String"},
                ],
            }
        ],
        "projects": [entry],
    }
