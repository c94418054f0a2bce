"""Root types only; see ``sdl/common.graphql``."""

BINDABLES: list[object] = []
