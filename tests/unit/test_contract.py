from sagestack import contract


def test_parameter_path_is_a_folder_under_the_stack_and_project():
    assert contract.parameter_path("dev", "churn") == "/sagestack/dev/churn/"


def test_project_resource_names_share_the_prefix_and_project():
    assert contract.training_pipeline_name("sagestack-dev", "churn") == "sagestack-dev-churn-train"
    assert contract.endpoint_name("sagestack-dev", "churn") == "sagestack-dev-churn"


def test_parameter_keys_are_unique():
    assert len(set(contract.Param.ALL)) == len(contract.Param.ALL)
