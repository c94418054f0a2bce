from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .._base import Call, dataset_path, segment
from ..models import Category, Collaborator, Dataset, Role, TaskAttributes, TaskType
from ._common import ClientPrimitives, list_of, model

DEFAULT_TASK_ATTRIBUTES = {"format_version": "0.1", "categories": [{"id": 1, "name": "object"}]}


def _task_attributes(value: dict[str, Any] | TaskAttributes | None) -> Any:
    if isinstance(value, TaskAttributes):
        return value.model_dump(mode="json", exclude_unset=True)
    return value


def datasets_call(user: str | None, per_page: int, page: int) -> Call[list[Dataset]]:
    path = "/user/datasets/" if user is None else f"/users/{segment(user)}/datasets/"
    return Call("GET", path, params={"per_page": per_page, "page": page}, parse=list_of(Dataset))


class DatasetsMixin(ClientPrimitives):
    def get_datasets(self, user: str | None = None, per_page: int = 1000, page: int = 1) -> list[Dataset]:
        """One page of the datasets of ``user`` (default: yours, your organizations' and those you collaborate on).

        >>> for dataset in client.get_datasets(): print(dataset.full_name)
        """
        return self._call(datasets_call(user, per_page, page))

    def iter_datasets(self, user: str | None = None, per_page: int = 100, limit: int | None = None
                      ) -> Iterator[Dataset]:
        """Every dataset, fetching pages as needed (``async for`` on the async client).

        >>> names = [d.name for d in client.iter_datasets()]
        """
        return self._iterate(lambda page, size: datasets_call(user, size, page), per_page, 1, limit)

    def get_dataset(self, dataset_identifier: str) -> Dataset:
        """Get a dataset by ``"owner/name"``.

        >>> dataset = client.get_dataset("jane/flowers"); print(dataset.task_type)
        """
        return self._call(Call("GET", dataset_path(dataset_identifier), parse=model(Dataset)))

    def add_dataset(
        self,
        name: str,
        description: str = "",
        task_type: TaskType | str = TaskType.SEGMENTATION_BITMAP,
        task_attributes: dict[str, Any] | TaskAttributes | None = None,
        category: Category | str = Category.OTHER,
        public: bool = False,
        readme: str = "",
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

        >>> dataset = client.add_dataset("flowers", "All kinds of flowers.", "segmentation-bitmap")
        """
        body: dict[str, Any] = {
            "name": name,
            "description": description,
            "task_type": task_type,
            "task_attributes": _task_attributes(task_attributes) or DEFAULT_TASK_ATTRIBUTES,
            "category": category,
            "public": public,
            "readme": readme,
            "labeling_inactivity_timeout_seconds": labeling_inactivity_timeout_seconds,
            "enable_skip_labeling": enable_skip_labeling,
            "enable_skip_reviewing": enable_skip_reviewing,
            "enable_ratings": enable_ratings,
            "enable_interpolation": enable_interpolation,
            "enable_same_dimensions_track_constraint": enable_same_dimensions_track_constraint,
            "enable_save_button": enable_save_button,
            "enable_label_status_verified": enable_label_status_verified,
            "enable_3d_cuboid_rotation": enable_3d_cuboid_rotation,
            "enable_3d_region_of_interest": enable_3d_region_of_interest,
            "enable_confirm_on_submit": enable_confirm_on_commit,
            "archived": archived,
        }
        optional = {"metadata": metadata or None, "region_of_interest": region_of_interest,
                    "enable_object_linking": enable_object_linking,
                    "enable_object_link_category_restrictions": enable_object_link_category_restrictions,
                    "enable_extrapolation": enable_extrapolation}
        body.update({k: v for k, v in optional.items() if v is not None})
        path = "/user/datasets/" if organization is None else f"/organizations/{segment(organization)}/datasets/"
        return self._call(Call("POST", path, body=body, parse=model(Dataset)))

    def update_dataset(
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

        >>> client.update_dataset("jane/flowers", description="Only roses now.")
        """
        fields = {
            "description": description, "task_type": task_type, "task_attributes": _task_attributes(task_attributes),
            "category": category, "public": public, "readme": readme, "metadata": metadata,
            "labeling_inactivity_timeout_seconds": labeling_inactivity_timeout_seconds,
            "enable_skip_labeling": enable_skip_labeling, "enable_skip_reviewing": enable_skip_reviewing,
            "enable_ratings": enable_ratings, "enable_interpolation": enable_interpolation,
            "enable_same_dimensions_track_constraint": enable_same_dimensions_track_constraint,
            "enable_save_button": enable_save_button, "enable_label_status_verified": enable_label_status_verified,
            "enable_3d_cuboid_rotation": enable_3d_cuboid_rotation,
            "enable_confirm_on_submit": enable_confirm_on_commit, "archived": archived,
            "enable_3d_region_of_interest": enable_3d_region_of_interest, "region_of_interest": region_of_interest,
            "use_timestamps_for_interpolation": use_timestamps_for_interpolation,
            "enable_object_linking": enable_object_linking,
            "enable_object_link_category_restrictions": enable_object_link_category_restrictions,
            "enable_extrapolation": enable_extrapolation,
        }
        body = {k: v for k, v in fields.items() if v is not None}
        return self._call(Call("PATCH", dataset_path(dataset_identifier), body=body, parse=model(Dataset),
                               idempotent=True))

    def delete_dataset(self, dataset_identifier: str) -> None:
        """Delete a dataset with its samples, labels and releases.

        >>> client.delete_dataset("jane/flowers")
        """
        return self._call(Call[None]("DELETE", dataset_path(dataset_identifier)))

    def clone_dataset(
        self,
        dataset_identifier: str,
        new_name: str | None = None,
        new_task_type: TaskType | str | None = None,
        new_public: bool | None = None,
        organization: str | None = None,
        clone_labels: bool = False,
    ) -> Dataset:
        """Copy a dataset (samples, and labels if ``clone_labels``). The name defaults to ``<name>-clone``.

        >>> clone = client.clone_dataset("jane/flowers", new_name="flowers-vector", new_task_type="vector")
        """
        body: dict[str, Any] = {"name": new_name or f"{dataset_identifier.split('/')[-1]}-clone"}
        if new_task_type is not None:
            body["task_type"] = new_task_type
        if new_public is not None:
            body["public"] = new_public
        if organization is not None:
            body["owner"] = organization
        body["clone_labels"] = clone_labels
        return self._call(Call("POST", dataset_path(dataset_identifier, "clone"), body=body, parse=model(Dataset)))

    # --- collaborators -----------------------------------------------------------------------------------
    def get_dataset_collaborators(self, dataset_identifier: str) -> list[Collaborator]:
        """All collaborators of a dataset.

        >>> roles = {c.user.username: c.role for c in client.get_dataset_collaborators("jane/flowers")}
        """
        return self._call(Call("GET", dataset_path(dataset_identifier, "collaborators"),
                               parse=list_of(Collaborator)))

    def get_dataset_collaborator(self, dataset_identifier: str, username: str) -> Collaborator:
        """One collaborator of a dataset.

        >>> client.get_dataset_collaborator("jane/flowers", "john").role
        """
        path = dataset_path(dataset_identifier, "collaborators", username, slash=False)
        return self._call(Call("GET", path, parse=model(Collaborator)))

    def add_dataset_collaborator(self, dataset_identifier: str, username: str, role: Role | str = Role.LABELER
                                 ) -> Collaborator:
        """Give ``username`` a role (labeler, reviewer, manager, admin) on a dataset.

        >>> client.add_dataset_collaborator("jane/flowers", "john", "reviewer")
        """
        return self._call(Call("POST", dataset_path(dataset_identifier, "collaborators"),
                               body={"user": username, "role": role}, parse=model(Collaborator)))

    def update_dataset_collaborator(self, dataset_identifier: str, username: str, role: Role | str) -> Collaborator:
        """Change a collaborator's role.

        >>> client.update_dataset_collaborator("jane/flowers", "john", "admin")
        """
        path = dataset_path(dataset_identifier, "collaborators", username, slash=False)
        return self._call(Call("PATCH", path, body={"role": role}, parse=model(Collaborator), idempotent=True))

    def delete_dataset_collaborator(self, dataset_identifier: str, username: str) -> None:
        """Remove a collaborator from a dataset.

        >>> client.delete_dataset_collaborator("jane/flowers", "john")
        """
        return self._call(Call[None]("DELETE", dataset_path(dataset_identifier, "collaborators", username, slash=False)))
