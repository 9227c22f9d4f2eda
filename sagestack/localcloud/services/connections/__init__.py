"""CodeConnections and CodeStar Connections (same API, two service names, two sets of ARNs)."""

from __future__ import annotations

from sagestack.localcloud import moto_integration


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
        moto_integration.register_service(
            moto_integration.AddOnService(
                name=name,
                url_paths=url_paths,
                claims=moto_integration.signed_for(name),
                backends=backends,
            )
        )
