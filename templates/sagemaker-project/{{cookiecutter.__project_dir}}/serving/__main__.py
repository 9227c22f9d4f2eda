"""The serving stack's program (``Pulumi.yaml``'s ``main``): config read once, here, then the
component. ``modelPackageArn`` is the stack config the deploy build sets to the approved package
(``pulumi config set modelPackageArn $MODEL_PACKAGE_ARN``), ``previousModelPackageArn`` the one it
served before (the last update's ``modelPackageArn`` output, whose model and endpoint config are
kept for a rollback); everything else comes from the platform's SSM parameters for the project."""

import pulumi

from {{ cookiecutter.__package }}.platform import load_config
from {{ cookiecutter.__package }}.serving_stack import ServingArgs, ServingStack, check_approved

config = pulumi.Config()
model_package_arn = config.require("modelPackageArn")
previous = config.get("previousModelPackageArn") or None
platform = load_config()
check_approved(model_package_arn)

serving = ServingStack("serving", ServingArgs.of(platform, model_package_arn, previous))
pulumi.export("modelPackageArn", model_package_arn)
pulumi.export("endpointName", serving.endpoint_name)
pulumi.export("endpointConfigName", serving.endpoint_config_name)
pulumi.export("modelName", serving.model_name)
