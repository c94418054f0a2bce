from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._base import Call, dataset_path
from ..models import Release, ReleaseDiff, ReleaseDiffChange
from ._common import ClientPrimitives, list_of, model


class ReleasesMixin(ClientPrimitives):
    def get_releases(self, dataset_identifier: str) -> list[Release]:
        """The releases of a dataset.

        >>> for r in client.get_releases("jane/flowers"): print(r.name, r.status, r.attributes.url)
        """
        return self._call(Call("GET", dataset_path(dataset_identifier, "releases"), parse=list_of(Release)))

    def get_release(self, dataset_identifier: str, name: str) -> Release:
        """One release.

        >>> client.get_release("jane/flowers", "v0.1").status
        """
        return self._call(Call("GET", dataset_path(dataset_identifier, "releases", name), parse=model(Release)))

    def add_release(self, dataset_identifier: str, name: str, description: str = "") -> Release:
        """Start a release; it is built in the background (status PENDING). See :meth:`wait_for_release`.

        >>> release = client.wait_for_release("jane/flowers", client.add_release("jane/flowers", "v0.1").name)
        """
        return self._call(Call("POST", dataset_path(dataset_identifier, "releases"),
                               body={"name": name, "description": description}, parse=model(Release)))

    def delete_release(self, dataset_identifier: str, name: str) -> None:
        """Delete a release.

        >>> client.delete_release("jane/flowers", "v0.1")
        """
        return self._call(Call[None]("DELETE", dataset_path(dataset_identifier, "releases", name)))

    def wait_for_release(self, dataset_identifier: str, name: str, timeout: float = 600.0,
                         poll_interval: float = 2.0) -> Release:
        """Poll until the release is no longer PENDING. Returns it when SUCCEEDED; raises ReleaseFailedError if
        it FAILED and RequestTimeoutError after ``timeout`` seconds.

        >>> release = client.wait_for_release("jane/flowers", "v0.1"); print(release.attributes.url)
        """
        return self._wait_release(lambda: Call("GET", dataset_path(dataset_identifier, "releases", name),
                                               parse=model(Release)), timeout, poll_interval)

    def load_release(self, release: Release | str | dict[str, Any], labelset: str = "ground-truth",
                     filter_by: Any = None, filter_by_metadata: dict[str, Any] | None = None,
                     cache_dir: str | None = None, load_images: bool = True, progress: bool = False) -> Any:
        """A :class:`labelhouse.release.ReleaseDataset` for a release (object, file path/URL or parsed dict),
        downloading through this client (so URLs on the labelhouse server get your API key).

        >>> dataset = client.load_release(client.get_release("jane/flowers", "v0.1"))
        """
        return self._load_release(release, labelset=labelset, filter_by=filter_by,
                                  filter_by_metadata=filter_by_metadata, cache_dir=cache_dir,
                                  load_images=load_images, progress=progress)

    def diff_releases(self, dataset_identifier: str, from_release: str, to_release: str) -> ReleaseDiff:
        """How many samples and labels were added, removed and changed from one release to another (both must
        have SUCCEEDED; ConflictError otherwise).

        >>> d = client.diff_releases("jane/flowers", "v1", "v2"); print(d.labels.changed, d.samples.added)
        """
        path = dataset_path(dataset_identifier, "releases", from_release, "diff", to_release)
        return self._call(Call("GET", path, parse=model(ReleaseDiff)))

    def iter_release_diff_changes(self, dataset_identifier: str, from_release: str, to_release: str,
                                  per_page: int = 1000, limit: int | None = None) -> Iterator[ReleaseDiffChange]:
        """Each sample and label added, removed or changed between two releases, by sample name then labelset.

        >>> for c in client.iter_release_diff_changes("jane/flowers", "v1", "v2"): print(c.kind, c.change, c.sample_uuid)
        """
        path = dataset_path(dataset_identifier, "releases", from_release, "diff", to_release, "changes")
        return self._iterate(lambda page, size: Call("GET", path, params={"page": page, "per_page": size},
                                                     parse=list_of(ReleaseDiffChange)), per_page, 1, limit)
