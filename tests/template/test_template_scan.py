"""Nothing account- or region-specific is written into the template: the platform's SSM
parameters and the build environment say where things are."""

from __future__ import annotations

import re
from pathlib import Path

from template_matrix import TEMPLATE

ACCOUNT_ID = re.compile(r"(?<![\d.])\d{12}(?![\d.])")
REGION = re.compile(
    r"\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-"
    r"(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d\b"
)
# The generated tests run on a local AWS, which takes moto's documented fake account and a
# region: only there may those two values appear.
TEST_FIXTURE_VALUES = {"123456789012", "us-east-1"}


def template_files() -> list[Path]:
    return [
        path for path in TEMPLATE.rglob("*") if path.is_file() and "__pycache__" not in path.parts
    ]


def findings(path: Path) -> set[str]:
    text = path.read_text()
    return set(ACCOUNT_ID.findall(text)) | set(REGION.findall(text))


def is_generated_test(path: Path) -> bool:
    return path.relative_to(TEMPLATE).parts[1:2] == ("tests",)


def test_no_account_id_or_region_outside_the_generated_tests():
    found = {
        str(path.relative_to(TEMPLATE)): findings(path)
        for path in template_files()
        if not is_generated_test(path)
    }
    assert {name: values for name, values in found.items() if values} == {}


def test_generated_tests_use_only_the_local_clouds_fake_account_and_region():
    found = set().union(*(findings(path) for path in template_files() if is_generated_test(path)))
    assert found and found <= TEST_FIXTURE_VALUES


def test_the_scan_recognises_an_account_id_and_a_region():
    assert ACCOUNT_ID.findall("arn:aws:iam::210987654321:role/x") == ["210987654321"]
    assert REGION.findall("s3.eu-west-2.amazonaws.com") == ["eu-west-2"]
    assert ACCOUNT_ID.findall("version 1.7-1, 3.14159265358979") == []
