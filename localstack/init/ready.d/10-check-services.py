#!/usr/bin/env python3
"""LocalStack ready hook: fail loudly when a service sagestack needs is not available.

It creates nothing: the platform's resources come from `sagestack local deploy` (or `pulumi up`
against the local stack), exactly as in AWS. A missing service usually means the auth token is
absent or its plan lacks that service; the message says which.
"""

import json
import os
import sys
import urllib.request

REQUIRED = os.environ.get("SAGESTACK_REQUIRED_SERVICES", "").split(",")
USABLE = {"available", "running"}

with urllib.request.urlopen("http://127.0.0.1:4566/_localstack/health", timeout=10) as response:
    services = json.load(response).get("services", {})

missing = {
    name: services.get(name, "absent")
    for name in filter(None, REQUIRED)
    if services.get(name) not in USABLE
}
if missing:
    details = ", ".join(f"{name} ({state})" for name, state in sorted(missing.items()))
    print(
        f"sagestack: LocalStack lacks services the platform uses: {details}. Check that "
        "LOCALSTACK_AUTH_TOKEN is set and its plan includes them.",
        file=sys.stderr,
    )
    sys.exit(1)
print("sagestack: every service the platform uses is available")
