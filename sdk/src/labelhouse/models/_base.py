"""The base of every response model: pydantic v2, attribute access *and* ``obj["key"]`` access.

Older Segments SDK documents (seed 002) index results like dicts (``dataset["name"]``,
``release["attributes"]["url"]``); newer ones use attributes (``dataset.name``). Both work on the same object.
Unknown keys sent by a newer server are kept (``extra="allow"``) so they are reachable too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())

    @classmethod
    def _attribute_for(cls, key: str) -> str | None:
        if key in cls.model_fields:
            return key
        for name, info in cls.model_fields.items():
            if info.alias == key:  # e.g. File["presignedPostFields"], the wire spelling
                return name
        return None

    def __getitem__(self, key: str) -> Any:
        if not isinstance(key, str):
            raise TypeError(f"{type(self).__name__} keys are strings, not {type(key).__name__}")
        name = self._attribute_for(key)
        if name is not None:
            return getattr(self, name)
        if self.model_extra and key in self.model_extra:
            return self.model_extra[key]
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (
            self._attribute_for(key) is not None or bool(self.model_extra and key in self.model_extra)
        )

    def get(self, key: str, default: Any = None) -> Any:
        """Like ``dict.get``."""
        return self[key] if key in self else default  # noqa: SIM401 (self.get is this method)

    def keys(self) -> list[str]:
        return [*type(self).model_fields, *(self.model_extra or {})]

    def items(self) -> Iterator[tuple[str, Any]]:
        for key in self.keys():
            yield key, self[key]

    def to_dict(self) -> dict[str, Any]:
        """The object as plain JSON-compatible data (datetimes as ISO strings, enums as values)."""
        return self.model_dump(mode="json")
