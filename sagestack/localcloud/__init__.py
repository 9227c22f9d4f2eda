"""The local cloud: an AWS-compatible endpoint on loopback, built on moto's server.

Start it with :func:`sagestack.localcloud.server.start` (or ``sagestack local up``); tests use the
``local_cloud`` fixture of :mod:`sagestack.localcloud.fixtures`.
"""
