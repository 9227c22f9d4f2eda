"""A job's image decides its environment, as on SageMaker.

:mod:`.catalog` lists SageMaker's framework images the local cloud runs (their documented Python
and library versions, and the closest that install on this machine's Python); :mod:`.uris`
turns an ECR image URI into one of them; :mod:`.environments` installs each into a cached virtual
environment once (``sagestack local images install``, run by ``make``) and finds it for a job.
"""

from sagestack.localcloud.executors.images.catalog import CATALOG, ImageSpec
from sagestack.localcloud.executors.images.environments import (
    ImageNotInstalledError,
    environment_python,
    install,
    is_installed,
)
from sagestack.localcloud.executors.images.uris import UnknownImageError, image_for_uri

__all__ = [
    "CATALOG",
    "ImageNotInstalledError",
    "ImageSpec",
    "UnknownImageError",
    "environment_python",
    "image_for_uri",
    "install",
    "is_installed",
]
