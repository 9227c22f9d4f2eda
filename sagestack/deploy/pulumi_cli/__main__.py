import sys

from sagestack.deploy.pulumi_cli.commands import main

sys.exit(main())
