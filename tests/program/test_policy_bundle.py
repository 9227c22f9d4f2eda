"""The platform publishes its policy pack for the projects' deploy builds: one KMS-encrypted zip
under a key that carries its hash, its URI on every deploy project (and on no other build), and
the deploy role may read it. The zip itself is a complete pack: unzipped, it loads and judges
with nothing of this repository installed besides pulumi-policy."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import zipfile

from test_project_graph import BUCKET, KEY_ARN, role_permissions

from sagestack import contract
from sagestack_infra.policy_bundle import policy_pack_bundle

OBJECTS = f"arn:aws:s3:::{BUCKET}"


def test_the_pack_is_published_once_encrypted_under_its_hash(dev_run):
    [published] = [
        r
        for r in dev_run.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        if r.inputs["key"].startswith(contract.POLICY_PACK_PREFIX)
    ]
    bundle = policy_pack_bundle()
    inputs = published.inputs
    assert inputs["key"] == f"platform/policy-pack/sagestack-policy-pack-{bundle.sha256[:16]}.zip"
    assert (inputs["bucket"], inputs["serverSideEncryption"], inputs["kmsKeyId"]) == (
        BUCKET,
        "aws:kms",
        KEY_ARN,
    )
    assert base64.b64decode(inputs["contentBase64"]) == bundle.data


def test_only_the_deploy_project_is_told_where_the_pack_is(dev_run):
    def variables(name: str) -> dict[str, str]:
        environment = dev_run.named(name).inputs["environment"]
        return {v["name"]: v["value"] for v in environment["environmentVariables"]}

    uri = f"s3://{BUCKET}/platform/policy-pack/{policy_pack_bundle().file_name}"
    assert variables("churn-cicd-deploy")[contract.ENV_POLICY_PACK_URI] == uri
    assert contract.ENV_POLICY_PACK_URI not in variables("churn-cicd-build")


def test_the_deploy_role_may_read_the_pack_and_the_build_role_may_not(dev_run):
    pack_objects = f"{OBJECTS}/platform/policy-pack/*"
    deploy = role_permissions(dev_run, "sagestack-dev-churn-deploy")
    build = role_permissions(dev_run, "sagestack-dev-churn-build")

    assert ("s3:GetObject", pack_objects) in deploy
    assert ("kms:Decrypt", KEY_ARN) in deploy
    assert not any(resource == pack_objects for _, resource in build)


def test_the_bundle_is_reproducible_and_shaped_as_a_python_pack():
    first, second = policy_pack_bundle(), policy_pack_bundle()
    assert first.data == second.data
    names = set(zipfile.ZipFile(io.BytesIO(first.data)).namelist())
    assert {"PulumiPolicy.yaml", "__main__.py", "requirements.txt"} <= names
    assert {
        "sagestack_infra/__init__.py",
        "sagestack_infra/policy/pack.py",
        "sagestack_infra/policy/rules/s3.py",
        "sagestack/contract.py",
    } <= names
    project_file = zipfile.ZipFile(io.BytesIO(first.data)).read("PulumiPolicy.yaml").decode()
    assert "runtime: python" in project_file and "virtualenv" not in project_file


# Run where the entry script runs (the pack's folder first on sys.path, as for
# `python __main__.py`), minus its last line, which serves the pack over gRPC: load the pack,
# judge a public bucket, and say where every sagestack module came from.
_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from sagestack_infra.policy.evaluate import PlannedResource, evaluate
bucket = PlannedResource(
    type="aws:s3/bucketAclV2:BucketAclV2", name="open", urn="urn:open",
    inputs={"bucket": "b", "acl": "public-read"}, parent=None,
)
violations = [v.policy for v in evaluate([bucket])]
modules = {
    name: getattr(module, "__file__", None) or ""
    for name, module in list(sys.modules.items())
    if name.split(".")[0] in ("sagestack", "sagestack_infra", "sagestack_pipelines")
}
print(json.dumps({"violations": violations, "modules": modules}))
"""


def test_the_unzipped_pack_loads_and_judges_from_its_own_files(tmp_path):
    zipfile.ZipFile(io.BytesIO(policy_pack_bundle().data)).extractall(tmp_path)

    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path)], capture_output=True, text=True, check=True
    )

    answer = json.loads(done.stdout)
    assert "s3-no-public-access" in answer["violations"]
    outside = {n: f for n, f in answer["modules"].items() if not f.startswith(str(tmp_path))}
    assert outside == {}, "the pack imports modules its zip does not hold"
