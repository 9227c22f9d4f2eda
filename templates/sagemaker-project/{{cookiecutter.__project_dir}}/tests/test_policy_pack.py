"""The deploy build fetches the platform's policy pack from where the platform published it, and
refuses to go on with something that is not a pack."""

from __future__ import annotations

import io
import zipfile

import boto3
import pytest

from {{ cookiecutter.__package }}.platform import ENV_POLICY_PACK_URI
from {{ cookiecutter.__package }}.policy_pack import PolicyPackError, fetch, main

BUCKET = "policy-packs"


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def s3(aws_endpoint):
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def test_the_pack_is_unzipped_into_its_folder_replacing_an_older_one(s3, tmp_path):
    body = _zip({"PulumiPolicy.yaml": "runtime: python\n", "__main__.py": "", "rules/a.py": ""})
    s3.put_object(Bucket=BUCKET, Key="pack.zip", Body=body)
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "stale.py").write_text("")

    folder = fetch(f"s3://{BUCKET}/pack.zip", tmp_path / "pack", s3)

    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.py")) == [
        "__main__.py",
        "rules/a.py",
    ]


def test_a_zip_without_the_project_file_is_not_a_pack(s3, tmp_path):
    s3.put_object(Bucket=BUCKET, Key="other.zip", Body=_zip({"__main__.py": ""}))

    with pytest.raises(PolicyPackError, match="holds no PulumiPolicy.yaml"):
        fetch(f"s3://{BUCKET}/other.zip", tmp_path / "pack", s3)


@pytest.mark.parametrize("uri", ["https://example.com/pack.zip", "s3://bucket-only", "s3:///key"])
def test_a_uri_that_is_not_an_s3_object_is_refused_by_name(uri, tmp_path):
    with pytest.raises(PolicyPackError, match=f"{ENV_POLICY_PACK_URI} '{uri}' is invalid"):
        fetch(uri, tmp_path / "pack", s3=None)


def test_without_a_published_pack_nothing_is_printed_for_pulumi(capsys):
    assert main(s3=None, environ={}) == 0

    out, err = capsys.readouterr()
    assert out == ""
    assert f"{ENV_POLICY_PACK_URI} is not set" in err


def test_the_command_prints_the_folder_pulumi_is_given(s3, capsys, tmp_path, monkeypatch):
    s3.put_object(Bucket=BUCKET, Key="p.zip", Body=_zip({"PulumiPolicy.yaml": "runtime: python"}))
    monkeypatch.chdir(tmp_path)

    assert main(s3=s3, environ={ENV_POLICY_PACK_URI: f"s3://{BUCKET}/p.zip"}) == 0

    folder = capsys.readouterr().out.strip()
    assert folder == str(tmp_path / ".sagestack" / "policy-pack")
    assert (tmp_path / ".sagestack" / "policy-pack" / "PulumiPolicy.yaml").is_file()


def test_a_broken_pack_fails_the_command(s3, capsys):
    s3.put_object(Bucket=BUCKET, Key="broken.zip", Body=b"not a zip")

    assert main(s3=s3, environ={ENV_POLICY_PACK_URI: f"s3://{BUCKET}/broken.zip"}) == 2

    assert "is not a zip" in capsys.readouterr().err
