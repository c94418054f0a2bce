from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from .._base import Call, dataset_path, segment
from ..exceptions import ValidationError
from ..models import DeleteSamplesResponse, LabelStatus, Sample
from ._common import ClientPrimitives, list_of, model


class _Unassigned:
    """Pass as ``assigned_labeler``/``assigned_reviewer`` to ``update_sample`` to remove the assignment."""

    def __repr__(self) -> str:
        return "UNASSIGNED"


UNASSIGNED: Any = _Unassigned()

MAX_BULK = 1000  # the server's limit per bulk request; larger inputs are sent in batches of this size

SampleSort = Literal["name", "created", "created_at", "priority", "updated_at", "gt_label__updated_at"]


def _csv(value: None | str | list[Any] | tuple[Any, ...] | dict[str, Any]) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ",".join(str(getattr(v, "value", v)) for v in value)
    return str(getattr(value, "value", value))


def samples_call(dataset_identifier: str, labelset: str | None, name: str | None,
                 label_status: Any, metadata: Any, sort: str, direction: str, per_page: int, page: int,
                 include_full_label: bool) -> Call[list[Sample]]:
    if include_full_label and labelset is None:
        raise ValidationError("include_full_label=True needs a labelset.", field="include_full_label")
    if direction not in ("asc", "desc"):
        raise ValidationError("direction must be 'asc' or 'desc'.", field="direction")
    sort = "created_at" if sort == "created" else sort
    params = {
        "per_page": per_page,
        "page": page,
        "labelset": labelset,
        "include_full_label": 1 if include_full_label else None,
        "name__contains": name,
        "filters": _csv(metadata),
        "label_status": _csv(label_status),
        "sort": sort if direction == "asc" else f"-{sort}",
    }
    return Call("GET", dataset_path(dataset_identifier, "samples"), params=params, parse=list_of(Sample))


def _sample_body(sample: Any) -> dict[str, Any]:
    if isinstance(sample, Sample):
        sample = sample.model_dump(mode="json", exclude_none=True,
                                   include={"name", "attributes", "metadata", "priority", "assigned_labeler",
                                            "assigned_reviewer", "readme", "embedding"})
    if not isinstance(sample, dict):
        raise ValidationError(f"Each sample must be a dict or a Sample, not {type(sample).__name__}.")
    for key in ("name", "attributes"):
        if key not in sample:
            raise KeyError(f"Sample is missing '{key}': {sample!r}")
    return dict(sample)  # a copy: the caller's dicts are never modified


class SamplesMixin(ClientPrimitives):
    def get_samples(
        self,
        dataset_identifier: str,
        labelset: str | None = None,
        name: str | None = None,
        label_status: LabelStatus | str | list[LabelStatus | str] | None = None,
        metadata: str | list[str] | dict[str, Any] | None = None,
        sort: SampleSort = "name",
        direction: Literal["asc", "desc"] = "asc",
        per_page: int = 1000,
        page: int = 1,
        include_full_label: bool = False,
    ) -> list[Sample]:
        """One page of the samples of a dataset, filtered and sorted. Use :meth:`iter_samples` for all of them.

        ``metadata`` filters are ``"key:value"`` strings (or a dict); ``labelset`` adds each sample's label
        summary (or the full label with ``include_full_label``).

        >>> low = client.get_samples("jane/flowers", labelset="predictions", label_status="PRELABELED")
        """
        return self._call(samples_call(dataset_identifier, labelset, name, label_status, metadata, sort,
                                       direction, per_page, page, include_full_label))

    def iter_samples(
        self,
        dataset_identifier: str,
        labelset: str | None = None,
        name: str | None = None,
        label_status: LabelStatus | str | list[LabelStatus | str] | None = None,
        metadata: str | list[str] | dict[str, Any] | None = None,
        sort: SampleSort = "name",
        direction: Literal["asc", "desc"] = "asc",
        per_page: int = 1000,
        include_full_label: bool = False,
        limit: int | None = None,
    ) -> Iterator[Sample]:
        """Every sample matching the filters, page after page (``async for`` on the async client).

        >>> for sample in client.iter_samples("jane/flowers"): print(sample.name)
        """
        samples_call(dataset_identifier, labelset, name, label_status, metadata, sort, direction, per_page, 1,
                     include_full_label)  # validate the arguments now, not at the first next()
        return self._iterate(
            lambda page, size: samples_call(dataset_identifier, labelset, name, label_status, metadata, sort,
                                            direction, size, page, include_full_label),
            per_page, 1, limit,
        )

    def get_sample(self, uuid: str, labelset: str | None = None, include_signed_url: bool = False) -> Sample:
        """One sample, with its label in ``labelset`` if given.

        >>> sample = client.get_sample(uuid, labelset="ground-truth"); print(sample.label.label_status)
        """
        params = {"labelset": labelset, "include_signed_urls": 1 if include_signed_url else None}
        return self._call(Call("GET", f"/samples/{segment(uuid)}/", params=params, parse=model(Sample)))

    def add_sample(
        self,
        dataset_identifier: str,
        name: str,
        attributes: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        priority: float = 0,
        assigned_labeler: str | None = None,
        assigned_reviewer: str | None = None,
        readme: str = "",
        enable_compression: bool = True,
        embedding: list[float] | None = None,
    ) -> Sample:
        """Add one sample. ``attributes`` depends on the task type, e.g. ``{"image": {"url": ...}}`` or, for text
        datasets, ``{"text": "..."}``.

        >>> sample = client.add_sample("jane/flowers", "violet.jpg", {"image": {"url": "https://example.com/v.jpg"}})
        """
        body: dict[str, Any] = {"name": name, "attributes": attributes}
        if metadata is not None:
            body["metadata"] = metadata
        body["priority"] = priority
        if assigned_labeler is not None:
            body["assigned_labeler"] = assigned_labeler
        if assigned_reviewer is not None:
            body["assigned_reviewer"] = assigned_reviewer
        body["readme"] = readme
        if embedding is not None:
            body["embedding"] = embedding
        return self._call(Call("POST", dataset_path(dataset_identifier, "samples"), body=body, parse=model(Sample),
                               gzip=enable_compression))

    def add_samples(
        self,
        dataset_identifier: str,
        samples: list[dict[str, Any] | Sample],
        enable_compression: bool = True,
        *,
        batch_size: int = MAX_BULK,
        progress: bool = False,
    ) -> list[Sample]:
        """Add many samples (dicts with ``name`` and ``attributes``, optionally ``metadata``, ``priority`` ...), in
        batches of ``batch_size`` with an optional progress bar. Samples that already exist are returned
        unchanged, so re-running an interrupted import adds nothing twice.

        >>> client.add_samples("jane/flowers", [{"name": f"{i}.jpg", "attributes": {"image": {"url": u}}}
        ...                                     for i, u in enumerate(urls)], progress=True)
        """
        bodies = [_sample_body(s) for s in samples]
        if not 1 <= batch_size <= MAX_BULK:
            raise ValidationError(f"batch_size must be between 1 and {MAX_BULK}.", field="batch_size")
        path = dataset_path(dataset_identifier, "samples_bulk")
        calls = [Call("POST", path, body=bodies[i:i + batch_size], parse=list_of(Sample), gzip=enable_compression,
                      idempotent=True) for i in range(0, len(bodies), batch_size)]
        return self._call_many(calls, progress=progress, total=len(bodies), unit="sample", desc="Adding samples")

    def update_sample(
        self,
        uuid: str,
        name: str | None = None,
        attributes: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        priority: float | None = None,
        assigned_labeler: str | None = None,
        assigned_reviewer: str | None = None,
        readme: str | None = None,
        enable_compression: bool = True,
        embedding: list[float] | None = None,
    ) -> Sample:
        """Change the given fields of a sample (None = leave unchanged; ``labelhouse.UNASSIGNED`` removes an
        assignment).

        >>> client.update_sample(uuid, priority=10, assigned_labeler=UNASSIGNED)
        """
        fields = {"name": name, "attributes": attributes, "metadata": metadata, "priority": priority,
                  "assigned_labeler": assigned_labeler, "assigned_reviewer": assigned_reviewer, "readme": readme,
                  "embedding": embedding}
        body = {k: (None if v is UNASSIGNED else v) for k, v in fields.items() if v is not None}
        return self._call(Call("PATCH", f"/samples/{segment(uuid)}/", body=body, parse=model(Sample),
                               gzip=enable_compression, idempotent=True))

    def delete_sample(self, uuid: str) -> None:
        """Delete a sample with its labels and issues.

        >>> client.delete_sample(uuid)
        """
        return self._call(Call[None]("DELETE", f"/samples/{segment(uuid)}/"))

    def delete_samples(self, dataset_identifier: str, uuids: list[str], *, progress: bool = False
                       ) -> DeleteSamplesResponse:
        """Delete many samples of a dataset (sent in batches of 1000).

        >>> client.delete_samples("jane/flowers", [s.uuid for s in old]).deleted_count
        """
        uuids = list(uuids)
        if not uuids:
            raise ValidationError("uuids must not be empty.", field="uuids")
        path = dataset_path(dataset_identifier, "samples_bulk")
        calls = [Call("DELETE", path, body={"uuids": uuids[i:i + MAX_BULK]}, parse=_as_list_of_count)
                 for i in range(0, len(uuids), MAX_BULK)]
        return self._call_many(calls, progress=progress, total=len(uuids), unit="sample", desc="Deleting samples",
                               combine=_sum_deleted)


def _as_list_of_count(data: Any) -> list[DeleteSamplesResponse]:
    return [DeleteSamplesResponse.model_validate(data)]


def _sum_deleted(results: list[DeleteSamplesResponse]) -> DeleteSamplesResponse:
    return DeleteSamplesResponse(deleted_count=sum(r.deleted_count for r in results))
