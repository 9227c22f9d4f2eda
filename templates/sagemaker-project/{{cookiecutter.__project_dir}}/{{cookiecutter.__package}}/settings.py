"""What this project is: the answers it was generated with.

The platform's ``settings`` parameter may override the instance types, the metric and its
threshold (see platform.py); everything else is fixed here.
"""

PROJECT = "{{ cookiecutter.project_slug }}"
REPOSITORY_URL = "{{ cookiecutter.repository_url }}"
PROBLEM_TYPE = "{{ cookiecutter.problem_type }}"
MODEL = "{{ cookiecutter.model }}"
TARGET_COLUMN = "{{ cookiecutter.target_column }}"
DATA_SOURCE = "{{ cookiecutter.__data_kind }}"
S3_DATA_URI = "{{ cookiecutter.__s3_data_uri }}"
FEATURE_GROUP = "{{ cookiecutter.__feature_group_name }}"

METRIC = "{{ cookiecutter.metric }}"
METRIC_THRESHOLD = {{ cookiecutter.metric_threshold | float }}
PROCESSING_INSTANCE_TYPE = "{{ cookiecutter.processing_instance_type }}"
TRAINING_INSTANCE_TYPE = "{{ cookiecutter.training_instance_type }}"
ENDPOINT_INSTANCE_TYPE = "{{ cookiecutter.endpoint_instance_type }}"
ENDPOINT_INSTANCE_COUNT = 1

METRICS = {
    "binary_classification": ("auc", "accuracy", "f1"),
    "regression": ("rmse", "mae", "r2"),
}
LOWER_IS_BETTER = ("rmse", "mae")

# SageMaker's prebuilt framework containers the steps run in (sklearn for preprocessing).
FRAMEWORK_VERSIONS = {"sklearn": "1.2-1", "xgboost": "1.7-1"}
HYPERPARAMETERS = {"n-estimators": 200, "max-depth": 4, "learning-rate": 0.1}
