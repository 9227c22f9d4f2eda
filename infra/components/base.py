"""What every sagestack component shares: its children are parented to it."""

from __future__ import annotations

import pulumi


class Component(pulumi.ComponentResource):
    """A ``pulumi.ComponentResource`` whose :meth:`_child` options parent a resource to it."""

    def _child(self, **kwargs) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)
