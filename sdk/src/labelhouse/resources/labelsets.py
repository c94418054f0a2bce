from __future__ import annotations

from .._base import Call, dataset_path
from ..models import Labelset
from ._common import ClientPrimitives, list_of, model


class LabelsetsMixin(ClientPrimitives):
    def get_labelsets(self, dataset_identifier: str) -> list[Labelset]:
        """The labelsets of a dataset (``ground-truth`` first).

        >>> [ls.name for ls in client.get_labelsets("jane/flowers")]
        """
        return self._call(Call("GET", dataset_path(dataset_identifier, "labelsets"), parse=list_of(Labelset)))

    def get_labelset(self, dataset_identifier: str, name: str) -> Labelset:
        """One labelset.

        >>> client.get_labelset("jane/flowers", "ground-truth")
        """
        return self._call(Call("GET", dataset_path(dataset_identifier, "labelsets", name), parse=model(Labelset)))

    def add_labelset(self, dataset_identifier: str, name: str, description: str = "") -> Labelset:
        """Add a labelset, e.g. for model predictions.

        >>> client.add_labelset("jane/flowers", "predictions")
        """
        return self._call(Call("POST", dataset_path(dataset_identifier, "labelsets"),
                               body={"name": name, "description": description}, parse=model(Labelset)))

    def delete_labelset(self, dataset_identifier: str, name: str) -> None:
        """Delete a labelset and its labels.

        >>> client.delete_labelset("jane/flowers", "predictions")
        """
        return self._call(Call[None]("DELETE", dataset_path(dataset_identifier, "labelsets", name)))
