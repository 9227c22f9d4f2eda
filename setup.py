"""Packaging: the folders keep their names, the installed packages get unambiguous ones.

``infra/`` and ``pipelines/`` are where a platform engineer looks for the Pulumi program and the
platform's pipelines, but as import names they would collide with an ML project's own packages
(AWS's seed code calls its package ``pipelines``) once a project runs beside sagestack. So they
install as ``sagestack_infra`` and ``sagestack_pipelines``. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

FOLDERS = {"sagestack": "sagestack", "sagestack_infra": "infra", "sagestack_pipelines": "pipelines"}


def packages() -> list[str]:
    return [
        f"{name}.{child}" if child else name
        for name, folder in FOLDERS.items()
        for child in ["", *find_packages(folder)]
    ]


setup(package_dir=FOLDERS, packages=packages())
