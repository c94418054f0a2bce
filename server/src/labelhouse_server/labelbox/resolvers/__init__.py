"""Resolvers, one module per domain: thin adapters from GraphQL arguments to the services (``catalog/``,
``datasets/``, ``tasks/``) and from service results to the shapes the SDK selects."""
