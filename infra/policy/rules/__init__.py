"""Pure policy checks: each takes a resource's props (the provider's camelCase input shape)
and returns the problems it finds as messages, an empty list when the resource complies."""
