"""``python -m sagestack_pipelines.validation FILE``: every problem of a pipeline definition."""

import sys

from sagestack_pipelines.validation.validator import main

sys.exit(main())
