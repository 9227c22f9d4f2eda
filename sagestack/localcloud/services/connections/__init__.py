"""CodeConnections and CodeStar Connections (same API, two service names, two sets of ARNs)."""

from __future__ import annotations

from sagestack.localcloud import moto as moto_internals


def install() -> None:
    from . import models, urls

    for name, url_paths, backends in (
        ("codeconnections", urls.codeconnections_url_paths, models.codeconnections_backends),
        (
            "codestar-connections",
            urls.codestar_connections_url_paths,
            models.codestar_connections_backends,
        ),
    ):
        moto_internals.register_service(
            moto_internals.AddOnService(
                name=name,
                url_paths=url_paths,
                claims=moto_internals.signed_for(name),
                backends=backends,
            )
        )
