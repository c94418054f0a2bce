"""The executable schema: SDL per domain (``sdl/<domain>.graphql``) plus that domain's resolvers
(``resolvers/<domain>.py``, which exports ``BINDABLES`` and may export ``EXTRA_SDL`` for generated inputs such as
``where`` filters). To add a domain, write both files and list it in ``DOMAINS``."""

from __future__ import annotations

import importlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from ariadne import make_executable_schema
from graphql import GraphQLSchema

from .scalars import SCALARS

SDL_DIR = Path(__file__).parent / "sdl"
DOMAINS = ("common", "users", "tasks", "datasets", "files", "datarows", "globalkeys", "metadata", "ontologies",
           "projects", "batches", "embeddings", "models", "slices", "exports", "labels")


@lru_cache(maxsize=1)
def labelbox_schema() -> GraphQLSchema:
    type_defs: list[str] = []
    bindables: list[Any] = list(SCALARS)
    for domain in DOMAINS:
        sdl_file = SDL_DIR / f"{domain}.graphql"
        if sdl_file.exists():
            type_defs.append(sdl_file.read_text())
        module = importlib.import_module(f".resolvers.{domain}", __package__)
        type_defs.append(getattr(module, "EXTRA_SDL", ""))
        bindables.extend(getattr(module, "BINDABLES", []))
    return make_executable_schema([t for t in type_defs if t.strip()], *bindables)
