from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._base import Call, segment
from ..models import Label, LabelRevision, LabelStatus
from ._common import ClientPrimitives, list_of, model


def _label_path(sample_uuid: str, labelset: str) -> str:
    return f"/labels/{segment(sample_uuid)}/{segment(labelset)}/"


class LabelsMixin(ClientPrimitives):
    def get_label(self, sample_uuid: str, labelset: str = "ground-truth") -> Label:
        """The label of a sample in a labelset (NotFoundError if the sample is unlabeled).

        >>> label = client.get_label(uuid); print(label.label_status, label.attributes)
        """
        return self._call(Call("GET", _label_path(sample_uuid, labelset), parse=model(Label)))

    def add_label(
        self,
        sample_uuid: str,
        labelset: str,
        attributes: dict[str, Any],
        label_status: LabelStatus | str = LabelStatus.PRELABELED,
        score: float | None = None,
        enable_compression: bool = True,
    ) -> Label:
        """Create or replace the label of a sample in a labelset.

        >>> client.add_label(uuid, "predictions", {"format_version": "0.1", "annotations": [...]}, score=0.42)
        """
        body: dict[str, Any] = {"label_status": label_status, "attributes": attributes}
        if score is not None:
            body["score"] = score
        return self._call(Call("PUT", _label_path(sample_uuid, labelset), body=body, parse=model(Label),
                               gzip=enable_compression))

    def update_label(
        self,
        sample_uuid: str,
        labelset: str,
        attributes: dict[str, Any] | None = None,
        label_status: LabelStatus | str | None = None,
        score: float | None = None,
        enable_compression: bool = True,
    ) -> Label:
        """Change the given fields of a label.

        >>> client.update_label(uuid, "ground-truth", label_status="REVIEWED")
        """
        fields = {"attributes": attributes, "label_status": label_status, "score": score}
        body = {k: v for k, v in fields.items() if v is not None}
        return self._call(Call("PATCH", _label_path(sample_uuid, labelset), body=body, parse=model(Label),
                               gzip=enable_compression, idempotent=True))

    def delete_label(self, sample_uuid: str, labelset: str) -> None:
        """Delete the label of a sample in a labelset.

        >>> client.delete_label(uuid, "predictions")
        """
        return self._call(Call[None]("DELETE", _label_path(sample_uuid, labelset)))

    def get_label_history(self, sample_uuid: str, labelset: str = "ground-truth", per_page: int = 100,
                          limit: int | None = None) -> Iterator[LabelRevision]:
        """Every revision of a label, newest first, page after page (also after the label was deleted).

        >>> for rev in client.get_label_history(uuid, "ground-truth"): print(rev.revision, rev.action, rev.created_by)
        """
        path = _label_path(sample_uuid, labelset) + "history/"
        return self._iterate(lambda page, size: Call("GET", path, params={"page": page, "per_page": size},
                                                     parse=list_of(LabelRevision)), per_page, 1, limit)

    def restore_label(self, sample_uuid: str, labelset: str, revision: int) -> Label:
        """Put revision ``revision`` back as the label (recreating a deleted label); recorded as a new revision.

        >>> label = client.restore_label(uuid, "ground-truth", 3)
        """
        path = _label_path(sample_uuid, labelset) + f"history/{int(revision)}/restore/"
        return self._call(Call("POST", path, parse=model(Label)))
