"""The official segments-ai SDK (unmodified) against a real labelhouse server: users, datasets, clone,
collaborators, labelsets — every method succeeds with responses the SDK's strict models accept, and every error
case raises the SDK exception its users expect."""

from __future__ import annotations

import pytest
from segments import SegmentsClient
from segments.exceptions import (
    AlreadyExistsError,
    AuthenticationError,
    AuthorizationError,
    CollaboratorError,
    NetworkError,
    NotFoundError,
)
from segments.typing import Category, Role, TaskType
from support import unique


def test_client_construction_checks_the_key(server):
    _, key = server.create_user()
    SegmentsClient(key, api_url=server.url + "/").close()
    with pytest.raises(AuthenticationError):
        SegmentsClient("lh_wrong-key", api_url=server.url + "/")


def test_revoked_key_is_rejected(server):
    from labelhouse_server.auth.keys import revoke_key
    from labelhouse_server.users.service import get_account

    username, key = server.create_user()
    with server._session() as session:
        revoke_key(session, get_account(session, username), "default")
        session.commit()
    with pytest.raises(AuthenticationError):
        SegmentsClient(key, api_url=server.url + "/")


def test_missing_credentials_text(server):
    r = server.client("x").get("/user", headers={"Authorization": ""})
    assert r.status_code == 401
    assert "authentication credentials were not provided" in r.text.lower()


def test_get_user(server, user, segments_client):
    username, _ = user
    me = segments_client.get_user()
    assert me.username == username
    assert me.is_organization is False
    other, _ = server.create_user()
    assert segments_client.get_user(other).username == other
    with pytest.raises(NotFoundError):
        segments_client.get_user(unique("nobody"))


def test_dataset_lifecycle(server, user, segments_client, name):
    username, _ = user
    categories = {"format_version": "0.1", "categories": [{"id": 1, "name": "car", "color": [255, 0, 0]},
                                                            {"id": 2, "name": "person"}]}
    ds = segments_client.add_dataset(
        name, description="cars", task_type=TaskType.VECTOR, task_attributes=categories,
        category=Category.STREET_SCENERY, public=False, readme="# hi", metadata={"team": "a"},
        labeling_inactivity_timeout_seconds=120, enable_skip_labeling=False, enable_ratings=True,
    )
    assert ds.full_name == f"{username}/{name}"
    assert ds.task_type == "vector"
    assert ds.category == "street_scenery"
    assert ds.enable_skip_labeling is False and ds.enable_ratings is True
    assert ds.labeling_inactivity_timeout_seconds == 120
    assert ds.metadata == {"team": "a"}
    assert [c.name for c in ds.task_attributes.categories] == ["car", "person"]
    assert [ls.name for ls in ds.labelsets] == ["ground-truth"]
    assert ds.label_stats.TOTAL == 0

    got = segments_client.get_dataset(ds.full_name)
    assert got.description == "cars" and got.readme == "# hi" and got.owner.username == username

    updated = segments_client.update_dataset(ds.full_name, description="new", public=True,
                                             enable_confirm_on_commit=True)
    assert updated.description == "new" and updated.public is True
    assert updated.enable_confirm_on_submit is True
    assert updated.task_type == "vector"  # untouched fields keep their values (PATCH)
    assert updated.enable_ratings is True

    names = [d.name for d in segments_client.get_datasets()]
    assert name in names
    assert name in [d.name for d in segments_client.get_datasets(username)]

    segments_client.delete_dataset(ds.full_name)
    with pytest.raises(NotFoundError):
        segments_client.get_dataset(ds.full_name)


def test_dataset_defaults_follow_seed_001(segments_client, name):
    ds = segments_client.add_dataset(name)
    assert ds.task_type == "segmentation-bitmap"
    assert ds.category == "other" and ds.public is False and ds.archived is False
    assert ds.labeling_inactivity_timeout_seconds == 300
    assert ds.enable_skip_labeling is True and ds.enable_skip_reviewing is False
    assert ds.enable_interpolation is True and ds.enable_label_status_verified is False
    assert [(c.id, c.name) for c in ds.task_attributes.categories] == [(1, "object")]


def test_dataset_errors(segments_client, name):
    segments_client.add_dataset(name)
    with pytest.raises(AlreadyExistsError):
        segments_client.add_dataset(name)
    with pytest.raises(NotFoundError):
        segments_client.get_dataset(f"nobody-{name}/{name}")
    with pytest.raises(NotFoundError):
        segments_client.update_dataset(f"{name}/does-not-exist")
    with pytest.raises(NotFoundError):
        segments_client.delete_dataset(f"{name}/does-not-exist")


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"task_type": "not-a-task"}, "task_type"),
        ({"category": "cats"}, "category"),
        ({"task_attributes": {"categories": [{"id": "one", "name": "x"}]}}, "task_attributes.categories[0].id"),
        ({"task_attributes": {"categories": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]}},
         "task_attributes.categories[1].id"),
        ({"name": "has/slash"}, "name"),
        ({"public": "maybe"}, "public"),
    ],
)
def test_bad_dataset_values_are_400_naming_the_field(server, user, name, payload, field):
    body = {"name": name, **payload}
    with server.client(user[1]) as http:
        r = http.post("/user/datasets/", json=body)
        assert r.status_code == 400, r.text
        assert r.json()["field"] == field
        assert field.split(".")[0].split("[")[0] in r.json()["detail"]
        assert http.get(f"/datasets/{user[0]}/{name}/").status_code == 404  # nothing half-written


def test_text_task_types_of_seed_002_are_accepted(server, user, name):
    with server.client(user[1]) as http:
        r = http.post("/user/datasets/", json={"name": name, "task_type": "text-named-entities"})
        assert r.status_code == 201, r.text
        assert r.json()["task_type"] == "text-named-entities"


def test_paths_without_trailing_slash_are_served(server, user, name):
    """Seed 003 spells paths without the trailing slash; both spellings answer directly, without redirects."""
    with server.client(user[1]) as http:
        assert http.post("/user/datasets", json={"name": name}).status_code == 201
        assert http.get(f"/datasets/{user[0]}/{name}").status_code == 200
        assert http.get(f"/datasets/{user[0]}/{name}/labelsets").status_code == 200
        assert http.get("/user/").status_code == 200


def test_pagination(segments_client, user):
    created = [segments_client.add_dataset(unique("p")).name for _ in range(5)]
    page1 = segments_client.get_datasets(per_page=2, page=1)
    page2 = segments_client.get_datasets(per_page=2, page=2)
    page3 = segments_client.get_datasets(per_page=2, page=3)
    assert [len(page1), len(page2), len(page3)] == [2, 2, 1]
    assert sorted(d.name for d in page1 + page2 + page3) == sorted(created)
    assert segments_client.get_datasets(per_page=2, page=4) == []


def test_clone(server, user, segments_client, name):
    username, _ = user
    segments_client.add_dataset(name, task_type="vector", metadata={"k": 1})
    segments_client.add_labelset(f"{username}/{name}", "predictions")
    clone = segments_client.clone_dataset(f"{username}/{name}")
    assert clone.name == f"{name}-clone" and clone.task_type == "vector" and clone.public is False
    assert clone.cloned_from == f"{username}/{name}"
    assert sorted(ls.name for ls in clone.labelsets) == ["ground-truth", "predictions"]
    other = segments_client.clone_dataset(f"{username}/{name}", new_name=f"{name}-b", new_task_type="bboxes",
                                          new_public=True, clone_labels=True)
    assert other.task_type == "bboxes" and other.public is True
    with pytest.raises(AlreadyExistsError):
        segments_client.clone_dataset(f"{username}/{name}")


def test_clone_into_organization(server, user, segments_client, name):
    username, _ = user
    org = server.create_org(unique("org"), username)
    segments_client.add_dataset(name)
    clone = segments_client.clone_dataset(f"{username}/{name}", organization=org)
    assert clone.full_name == f"{org}/{name}-clone"
    assert clone.owner.username == org


def test_organization_datasets(server, user, segments_client, name):
    username, _ = user
    org = server.create_org(unique("org"), username)
    ds = segments_client.add_dataset(name, organization=org)
    assert ds.full_name == f"{org}/{name}"
    assert name in [d.name for d in segments_client.get_datasets()]
    org_user = segments_client.get_user(org)
    assert org_user.is_organization is True
    _, key = server.create_user()
    with server.segments(key) as c, pytest.raises(NotFoundError):
        c.add_dataset(unique("x"), organization=org)


def test_collaborators(server, user, segments_client, name):
    username, _ = user
    full = f"{username}/{name}"
    segments_client.add_dataset(name)
    friend, friend_key = server.create_user()
    collab = segments_client.add_dataset_collaborator(full, friend, Role.LABELER)
    assert collab.user.username == friend and collab.role == "labeler"
    assert segments_client.get_dataset_collaborator(full, friend).role == "labeler"
    assert segments_client.update_dataset_collaborator(full, friend, Role.MANAGER).role == "manager"
    with server.segments(friend_key) as c:
        assert c.get_dataset(full).role == "manager"
        assert name in [d.name for d in c.get_datasets()]
    with pytest.raises(CollaboratorError):
        segments_client.add_dataset_collaborator(full, friend, "admin")
    with pytest.raises(CollaboratorError):
        segments_client.add_dataset_collaborator(full, username, "admin")
    with pytest.raises(NotFoundError):
        segments_client.add_dataset_collaborator(full, unique("ghost"), "admin")
    with pytest.raises(NetworkError):
        segments_client.add_dataset_collaborator(full, server.create_user()[0], "emperor")
    segments_client.delete_dataset_collaborator(full, friend)
    with pytest.raises(NotFoundError):
        segments_client.get_dataset_collaborator(full, friend)
    with server.segments(friend_key) as c, pytest.raises(NotFoundError):
        c.get_dataset(full)


def test_labelsets(segments_client, user, name):
    full = f"{user[0]}/{name}"
    segments_client.add_dataset(name)
    ls = segments_client.add_labelset(full, "predictions", description="model v1")
    assert ls.name == "predictions" and ls.description == "model v1" and ls.is_groundtruth is False
    assert segments_client.get_labelset(full, "predictions").description == "model v1"
    assert [x.name for x in segments_client.get_labelsets(full)] == ["ground-truth", "predictions"]
    assert segments_client.get_labelset(full, "ground-truth").is_groundtruth is True
    with pytest.raises(AlreadyExistsError):
        segments_client.add_labelset(full, "predictions")
    segments_client.delete_labelset(full, "predictions")
    with pytest.raises(NotFoundError):
        segments_client.get_labelset(full, "predictions")
    with pytest.raises(NetworkError):
        segments_client.delete_labelset(full, "ground-truth")


def test_forbidden_write_raises_authorization_error(server, user, segments_client, name):
    full = f"{user[0]}/{name}"
    segments_client.add_dataset(name)
    labeler, key = server.create_user()
    segments_client.add_dataset_collaborator(full, labeler, "labeler")
    with server.segments(key) as c:
        with pytest.raises(AuthorizationError):
            c.update_dataset(full, description="hijack")
        with pytest.raises(AuthorizationError):
            c.delete_dataset(full)
    assert segments_client.get_dataset(full).description == ""
