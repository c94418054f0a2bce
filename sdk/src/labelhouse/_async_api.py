# mypy: disable-error-code="empty-body"
"""The typed surface of :class:`labelhouse.AsyncSegmentsClient` (generated; do not edit).

Written by ``sdk/scripts/gen_async_api.py`` from the sync resource mixins: every method is a coroutine returning
what the sync method returns, and ``iter_*`` methods return async iterators. Only type checkers read this module;
at run time the async client runs the same mixins as the sync client with awaitable primitives.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import IO, Any, Literal

from labelhouse.models.assets import File
from labelhouse.models.datasets import Collaborator, Dataset, Labelset, TaskAttributes
from labelhouse.models.embeddings import Embedding, SimilarSample
from labelhouse.models.enums import Category, IssueStatus, LabelStatus, Role, TaskType
from labelhouse.models.history import LabelRevision, ReleaseDiff, ReleaseDiffChange
from labelhouse.models.issues import Issue, IssueComment
from labelhouse.models.releases import Release
from labelhouse.models.samples import DeleteSamplesResponse, Label, Sample
from labelhouse.models.users import User
from labelhouse.models.workunits import Workunit
from labelhouse.resources.samples import SampleSort


class AsyncResources:
    """Every API method of the SegmentsClient surface, awaitable (declarations only: the bodies are
    never run)."""

    async def add_dataset(
        self,
        name: str,
        description: str = '',
        task_type: TaskType | str = TaskType.SEGMENTATION_BITMAP,
        task_attributes: dict[str, Any] | TaskAttributes | None = None,
        category: Category | str = Category.OTHER,
        public: bool = False,
        readme: str = '',
        metadata: dict[str, Any] | None = None,
        labeling_inactivity_timeout_seconds: int = 300,
        enable_skip_labeling: bool = True,
        enable_skip_reviewing: bool = False,
        enable_ratings: bool = False,
        enable_interpolation: bool = True,
        enable_same_dimensions_track_constraint: bool = False,
        enable_save_button: bool = False,
        enable_label_status_verified: bool = False,
        enable_3d_cuboid_rotation: bool = False,
        organization: str | None = None,
        enable_confirm_on_commit: bool = False,
        archived: bool = False,
        enable_3d_region_of_interest: bool = False,
        region_of_interest: dict[str, Any] | None = None,
        enable_object_linking: bool | None = None,
        enable_object_link_category_restrictions: bool | None = None,
        enable_extrapolation: bool | None = None,
    ) -> Dataset:
        """Create a dataset for you, or for ``organization``. Text task types (``text-named-entities``,
        ``text-span-categorization``) are accepted too.

        >>> dataset = client.add_dataset("flowers", "All kinds of flowers.", "segmentation-bitmap")"""

    async def add_dataset_collaborator(
        self,
        dataset_identifier: str,
        username: str,
        role: Role | str = Role.LABELER,
    ) -> Collaborator:
        """Give ``username`` a role (labeler, reviewer, manager, admin) on a dataset.

        >>> client.add_dataset_collaborator("jane/flowers", "john", "reviewer")"""

    async def add_embedding(
        self,
        name: str,
        dims: int,
        metric: str = 'cosine',
        description: str = '',
        organization: str | None = None,
    ) -> Embedding:
        """Create an embedding (``metric``: cosine, euclidean or dot), yours or an ``organization``'s.

        >>> emb = client.add_embedding("clip", dims=512)"""

    async def add_issue(
        self,
        sample_uuid: str,
        description: str,
        status: IssueStatus | str = IssueStatus.OPEN,
        anchor: dict[str, Any] | None = None,
    ) -> Issue:
        """Raise an issue on a sample; ``anchor`` optionally points at a location, track or frame.

        >>> client.add_issue(uuid, "The car on the left is missing.")"""

    async def add_issue_comment(self, uuid: str, text: str) -> IssueComment:
        """Comment on an issue (1 to 10,000 characters).

        >>> client.add_issue_comment(issue.uuid, "Fixed in the latest labels.")"""

    async def add_label(
        self,
        sample_uuid: str,
        labelset: str,
        attributes: dict[str, Any],
        label_status: LabelStatus | str = LabelStatus.PRELABELED,
        score: float | None = None,
        enable_compression: bool = True,
    ) -> Label:
        """Create or replace the label of a sample in a labelset.

        >>> client.add_label(uuid, "predictions", {"format_version": "0.1", "annotations": [...]}, score=0.42)"""

    async def add_labelset(self, dataset_identifier: str, name: str, description: str = '') -> Labelset:
        """Add a labelset, e.g. for model predictions.

        >>> client.add_labelset("jane/flowers", "predictions")"""

    async def add_release(self, dataset_identifier: str, name: str, description: str = '') -> Release:
        """Start a release; it is built in the background (status PENDING). See :meth:`wait_for_release`.

        >>> release = client.wait_for_release("jane/flowers", client.add_release("jane/flowers", "v0.1").name)"""

    async def add_sample(
        self,
        dataset_identifier: str,
        name: str,
        attributes: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        priority: float = 0,
        assigned_labeler: str | None = None,
        assigned_reviewer: str | None = None,
        readme: str = '',
        enable_compression: bool = True,
        embedding: list[float] | None = None,
    ) -> Sample:
        """Add one sample. ``attributes`` depends on the task type, e.g. ``{"image": {"url": ...}}`` or, for text
        datasets, ``{"text": "..."}``.

        >>> sample = client.add_sample("jane/flowers", "violet.jpg", {"image": {"url": "https://example.com/v.jpg"}})"""

    async def add_samples(
        self,
        dataset_identifier: str,
        samples: list[dict[str, Any] | Sample],
        enable_compression: bool = True,
        *,
        batch_size: int = 1000,
        progress: bool = False,
    ) -> list[Sample]:
        """Add many samples (dicts with ``name`` and ``attributes``, optionally ``metadata``, ``priority`` ...), in
        batches of ``batch_size`` with an optional progress bar. Samples that already exist are returned
        unchanged, so re-running an interrupted import adds nothing twice.

        >>> client.add_samples("jane/flowers", [{"name": f"{i}.jpg", "attributes": {"image": {"url": u}}}
        ...                                     for i, u in enumerate(urls)], progress=True)"""

    async def add_vectors(
        self,
        embedding_identifier: str,
        vectors: Mapping[str, Sequence[float]] | Iterable[tuple[str, Sequence[float]]],
        progress: bool = False,
    ) -> int:
        """Set the vectors of samples (``{sample_uuid: vector}`` or ``(sample_uuid, vector)`` pairs; NumPy arrays
        are fine); a sample's new vector replaces its old one. Returns how many were written. Sent packed (float32
        bytes, base64), up to 10,000 vectors or 6 MB of them per request.

        >>> client.add_vectors("jane/clip", {sample.uuid: model(sample) for sample in client.iter_samples(ds)})"""

    async def clone_dataset(
        self,
        dataset_identifier: str,
        new_name: str | None = None,
        new_task_type: TaskType | str | None = None,
        new_public: bool | None = None,
        organization: str | None = None,
        clone_labels: bool = False,
    ) -> Dataset:
        """Copy a dataset (samples, and labels if ``clone_labels``). The name defaults to ``<name>-clone``.

        >>> clone = client.clone_dataset("jane/flowers", new_name="flowers-vector", new_task_type="vector")"""

    async def delete(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``DELETE`` an API path (with an optional JSON body)."""

    async def delete_dataset(self, dataset_identifier: str) -> None:
        """Delete a dataset with its samples, labels and releases.

        >>> client.delete_dataset("jane/flowers")"""

    async def delete_dataset_collaborator(self, dataset_identifier: str, username: str) -> None:
        """Remove a collaborator from a dataset.

        >>> client.delete_dataset_collaborator("jane/flowers", "john")"""

    async def delete_embedding(self, embedding_identifier: str) -> None:
        """Delete an embedding and all its vectors.

        >>> client.delete_embedding("jane/clip")"""

    async def delete_issue(self, uuid: str) -> None:
        """Delete an issue.

        >>> client.delete_issue(issue.uuid)"""

    async def delete_label(self, sample_uuid: str, labelset: str) -> None:
        """Delete the label of a sample in a labelset.

        >>> client.delete_label(uuid, "predictions")"""

    async def delete_labelset(self, dataset_identifier: str, name: str) -> None:
        """Delete a labelset and its labels.

        >>> client.delete_labelset("jane/flowers", "predictions")"""

    async def delete_release(self, dataset_identifier: str, name: str) -> None:
        """Delete a release.

        >>> client.delete_release("jane/flowers", "v0.1")"""

    async def delete_sample(self, uuid: str) -> None:
        """Delete a sample with its labels and issues.

        >>> client.delete_sample(uuid)"""

    async def delete_samples(
        self,
        dataset_identifier: str,
        uuids: list[str],
        *,
        progress: bool = False,
    ) -> DeleteSamplesResponse:
        """Delete many samples of a dataset (sent in batches of 1000).

        >>> client.delete_samples("jane/flowers", [s.uuid for s in old]).deleted_count"""

    async def diff_releases(self, dataset_identifier: str, from_release: str, to_release: str) -> ReleaseDiff:
        """How many samples and labels were added, removed and changed from one release to another (both must
        have SUCCEEDED; ConflictError otherwise).

        >>> d = client.diff_releases("jane/flowers", "v1", "v2"); print(d.labels.changed, d.samples.added)"""

    async def get(self, endpoint: str, auth: bool = True) -> Any:
        """``GET`` an API path. >>> client.get("/user")"""

    async def get_dataset(self, dataset_identifier: str) -> Dataset:
        """Get a dataset by ``"owner/name"``.

        >>> dataset = client.get_dataset("jane/flowers"); print(dataset.task_type)"""

    async def get_dataset_collaborator(self, dataset_identifier: str, username: str) -> Collaborator:
        """One collaborator of a dataset.

        >>> client.get_dataset_collaborator("jane/flowers", "john").role"""

    async def get_dataset_collaborators(self, dataset_identifier: str) -> list[Collaborator]:
        """All collaborators of a dataset.

        >>> roles = {c.user.username: c.role for c in client.get_dataset_collaborators("jane/flowers")}"""

    async def get_datasets(
        self,
        user: str | None = None,
        per_page: int = 1000,
        page: int = 1,
    ) -> list[Dataset]:
        """One page of the datasets of ``user`` (default: yours, your organizations' and those you collaborate on).

        >>> for dataset in client.get_datasets(): print(dataset.full_name)"""

    async def get_embedding(self, embedding_identifier: str) -> Embedding:
        """One embedding, with its vector count and index state.

        >>> client.get_embedding("jane/clip").vectors_count"""

    async def get_embeddings(self) -> list[Embedding]:
        """The embeddings you can use: your own and your organizations'.

        >>> [e.full_name for e in client.get_embeddings()]"""

    async def get_issue_comments(self, uuid: str) -> list[IssueComment]:
        """The comments of an issue, oldest first.

        >>> [c.text for c in client.get_issue_comments(issue.uuid)]"""

    async def get_issues(self, dataset_identifier: str) -> list[Issue]:
        """All issues of a dataset.

        >>> open_issues = [i for i in client.get_issues("jane/flowers") if i.status == "OPEN"]"""

    async def get_label(self, sample_uuid: str, labelset: str = 'ground-truth') -> Label:
        """The label of a sample in a labelset (NotFoundError if the sample is unlabeled).

        >>> label = client.get_label(uuid); print(label.label_status, label.attributes)"""

    def get_label_history(
        self,
        sample_uuid: str,
        labelset: str = 'ground-truth',
        per_page: int = 100,
        limit: int | None = None,
    ) -> AsyncIterator[LabelRevision]:
        """Every revision of a label, newest first, page after page (also after the label was deleted).

        >>> for rev in client.get_label_history(uuid, "ground-truth"): print(rev.revision, rev.action, rev.created_by)"""

    async def get_labelset(self, dataset_identifier: str, name: str) -> Labelset:
        """One labelset.

        >>> client.get_labelset("jane/flowers", "ground-truth")"""

    async def get_labelsets(self, dataset_identifier: str) -> list[Labelset]:
        """The labelsets of a dataset (``ground-truth`` first).

        >>> [ls.name for ls in client.get_labelsets("jane/flowers")]"""

    async def get_release(self, dataset_identifier: str, name: str) -> Release:
        """One release.

        >>> client.get_release("jane/flowers", "v0.1").status"""

    async def get_releases(self, dataset_identifier: str) -> list[Release]:
        """The releases of a dataset.

        >>> for r in client.get_releases("jane/flowers"): print(r.name, r.status, r.attributes.url)"""

    async def get_sample(
        self,
        uuid: str,
        labelset: str | None = None,
        include_signed_url: bool = False,
    ) -> Sample:
        """One sample, with its label in ``labelset`` if given.

        >>> sample = client.get_sample(uuid, labelset="ground-truth"); print(sample.label.label_status)"""

    async def get_samples(
        self,
        dataset_identifier: str,
        labelset: str | None = None,
        name: str | None = None,
        label_status: LabelStatus | str | list[LabelStatus | str] | None = None,
        metadata: str | list[str] | dict[str, Any] | None = None,
        sort: SampleSort = 'name',
        direction: Literal['asc', 'desc'] = 'asc',
        per_page: int = 1000,
        page: int = 1,
        include_full_label: bool = False,
    ) -> list[Sample]:
        """One page of the samples of a dataset, filtered and sorted. Use :meth:`iter_samples` for all of them.

        ``metadata`` filters are ``"key:value"`` strings (or a dict); ``labelset`` adds each sample's label
        summary (or the full label with ``include_full_label``).

        >>> low = client.get_samples("jane/flowers", labelset="predictions", label_status="PRELABELED")"""

    async def get_user(self, user: str | None = None) -> User:
        """Get a user, or the authenticated user when ``user`` is None.

        >>> me = client.get_user(); print(me.username)"""

    async def get_workunits(
        self,
        dataset_identifier: str,
        sort: Literal['created_at'] = 'created_at',
        direction: Literal['asc', 'desc'] = 'desc',
        start: str | None = None,
        end: str | None = None,
        per_page: int = 1000,
        page: int = 1,
        include_session_time_metrics: bool = False,
    ) -> list[Workunit]:
        """One page of workunits (who labeled/reviewed what and for how long); ``start``/``end`` are
        ``YYYY-MM-DDTHH:MM:SS``.

        >>> total = sum(w.time for w in client.get_workunits("jane/flowers", start="2024-01-01T00:00:00"))"""

    def iter_datasets(
        self,
        user: str | None = None,
        per_page: int = 100,
        limit: int | None = None,
    ) -> AsyncIterator[Dataset]:
        """Every dataset, fetching pages as needed (``async for`` on the async client).

        >>> names = [d.name for d in client.iter_datasets()]"""

    def iter_release_diff_changes(
        self,
        dataset_identifier: str,
        from_release: str,
        to_release: str,
        per_page: int = 1000,
        limit: int | None = None,
    ) -> AsyncIterator[ReleaseDiffChange]:
        """Each sample and label added, removed or changed between two releases, by sample name then labelset.

        >>> for c in client.iter_release_diff_changes("jane/flowers", "v1", "v2"): print(c.kind, c.change, c.sample_uuid)"""

    def iter_samples(
        self,
        dataset_identifier: str,
        labelset: str | None = None,
        name: str | None = None,
        label_status: LabelStatus | str | list[LabelStatus | str] | None = None,
        metadata: str | list[str] | dict[str, Any] | None = None,
        sort: SampleSort = 'name',
        direction: Literal['asc', 'desc'] = 'asc',
        per_page: int = 1000,
        include_full_label: bool = False,
        limit: int | None = None,
    ) -> AsyncIterator[Sample]:
        """Every sample matching the filters, page after page (``async for`` on the async client).

        >>> for sample in client.iter_samples("jane/flowers"): print(sample.name)"""

    def iter_workunits(
        self,
        dataset_identifier: str,
        sort: Literal['created_at'] = 'created_at',
        direction: Literal['asc', 'desc'] = 'desc',
        start: str | None = None,
        end: str | None = None,
        per_page: int = 1000,
        include_session_time_metrics: bool = False,
        limit: int | None = None,
    ) -> AsyncIterator[Workunit]:
        """Every workunit in the range, page after page.

        >>> for w in client.iter_workunits("jane/flowers"): print(w.created_by, w.time)"""

    async def load_release(
        self,
        release: Release | str | dict[str, Any],
        labelset: str = 'ground-truth',
        filter_by: Any = None,
        filter_by_metadata: dict[str, Any] | None = None,
        cache_dir: str | None = None,
        load_images: bool = True,
        progress: bool = False,
    ) -> Any:
        """A :class:`labelhouse.release.ReleaseDataset` for a release (object, file path/URL or parsed dict),
        downloading through this client (so URLs on the labelhouse server get your API key).

        >>> dataset = client.load_release(client.get_release("jane/flowers", "v0.1"))"""

    async def patch(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``PATCH`` JSON to an API path."""

    async def post(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``POST`` JSON to an API path. >>> client.post("/assets/", {"filename": "a.png"})"""

    async def put(self, endpoint: str, data: Any = None, auth: bool = True) -> Any:
        """``PUT`` JSON to an API path."""

    async def restore_label(self, sample_uuid: str, labelset: str, revision: int) -> Label:
        """Put revision ``revision`` back as the label (recreating a deleted label); recorded as a new revision.

        >>> label = client.restore_label(uuid, "ground-truth", 3)"""

    async def similar_samples(
        self,
        embedding_identifier: str,
        vector: Sequence[float] | None = None,
        sample_uuid: str | None = None,
        k: int = 10,
        dataset_identifier: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[SimilarSample]:
        """The ``k`` samples nearest to ``vector`` or to the sample ``sample_uuid``'s own vector (that sample is
        left out), closest first, among the samples you can see — or only ``dataset_identifier``'s, or only those
        whose metadata has the given values.

        >>> for hit in client.similar_samples("jane/clip", sample_uuid=uuid, k=5): print(hit.distance, hit.sample.name)"""

    async def update_dataset(
        self,
        dataset_identifier: str,
        description: str | None = None,
        task_type: TaskType | str | None = None,
        task_attributes: dict[str, Any] | TaskAttributes | None = None,
        category: Category | str | None = None,
        public: bool | None = None,
        readme: str | None = None,
        metadata: dict[str, Any] | None = None,
        labeling_inactivity_timeout_seconds: int | None = None,
        enable_skip_labeling: bool | None = None,
        enable_skip_reviewing: bool | None = None,
        enable_ratings: bool | None = None,
        enable_interpolation: bool | None = None,
        enable_same_dimensions_track_constraint: bool | None = None,
        enable_save_button: bool | None = None,
        enable_label_status_verified: bool | None = None,
        enable_3d_cuboid_rotation: bool | None = None,
        enable_confirm_on_commit: bool | None = None,
        archived: bool | None = None,
        enable_3d_region_of_interest: bool | None = None,
        region_of_interest: dict[str, Any] | None = None,
        use_timestamps_for_interpolation: bool | None = None,
        enable_object_linking: bool | None = None,
        enable_object_link_category_restrictions: bool | None = None,
        enable_extrapolation: bool | None = None,
    ) -> Dataset:
        """Change the given fields of a dataset (None = leave unchanged).

        >>> client.update_dataset("jane/flowers", description="Only roses now.")"""

    async def update_dataset_collaborator(
        self,
        dataset_identifier: str,
        username: str,
        role: Role | str,
    ) -> Collaborator:
        """Change a collaborator's role.

        >>> client.update_dataset_collaborator("jane/flowers", "john", "admin")"""

    async def update_issue(
        self,
        uuid: str,
        description: str | None = None,
        status: IssueStatus | str | None = None,
        anchor: dict[str, Any] | None = None,
    ) -> Issue:
        """Change the given fields of an issue, e.g. close it.

        >>> client.update_issue(issue.uuid, status="CLOSED")"""

    async def update_label(
        self,
        sample_uuid: str,
        labelset: str,
        attributes: dict[str, Any] | None = None,
        label_status: LabelStatus | str | None = None,
        score: float | None = None,
        enable_compression: bool = True,
    ) -> Label:
        """Change the given fields of a label.

        >>> client.update_label(uuid, "ground-truth", label_status="REVIEWED")"""

    async def update_sample(
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

        >>> client.update_sample(uuid, priority=10, assigned_labeler=UNASSIGNED)"""

    async def upload_asset(
        self,
        file: IO[Any] | bytes | str | os.PathLike[str],
        filename: str = 'label.png',
    ) -> File:
        """Upload a file (file object, bytes or path) and return the asset; use ``asset.url`` in attributes.

        >>> with open("violet.jpg", "rb") as f: asset = client.upload_asset(f, "violet.jpg")
        >>> client.add_sample("jane/flowers", "violet.jpg", {"image": {"url": asset.url}})"""

    async def upload_assets(
        self,
        files: Iterable[str | os.PathLike[str] | tuple[Any, str]],
        progress: bool = False,
    ) -> list[File]:
        """Upload many files (paths, or ``(file_or_bytes, filename)`` pairs) with an optional progress bar;
        returns the assets in the same order. The async client uploads several at a time.

        >>> assets = client.upload_assets(sorted(Path("photos").glob("*.jpg")), progress=True)
        >>> client.add_samples("jane/flowers", [{"name": Path(a.filename).name,
        ...                                       "attributes": {"image": {"url": a.url}}} for a in assets])"""

    async def wait_for_release(
        self,
        dataset_identifier: str,
        name: str,
        timeout: float = 600.0,
        poll_interval: float = 2.0,
    ) -> Release:
        """Poll until the release is no longer PENDING. Returns it when SUCCEEDED; raises ReleaseFailedError if
        it FAILED and RequestTimeoutError after ``timeout`` seconds.

        >>> release = client.wait_for_release("jane/flowers", "v0.1"); print(release.attributes.url)"""
