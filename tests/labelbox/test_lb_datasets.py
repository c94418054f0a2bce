"""§2.2 through the official Labelbox SDK: create, get, list with ``where``, update, delete, other organizations."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import labelbox as lb
import pytest
from lbox.exceptions import AuthorizationError, InvalidQueryError, ResourceNotFoundError
from lbsupport import gql, labelbox_client
from support import unique


def test_dataset_lifecycle(lb_client):
    name = unique("photos")
    ds = lb_client.create_dataset(name=name, description="Photos.")
    assert ds.name == name and ds.description == "Photos." and ds.row_count == 0 and len(ds.uid) == 25
    got = lb_client.get_dataset(ds.uid)
    assert (got.uid, got.name, got.created_at) == (ds.uid, name, ds.created_at)
    assert [d.uid for d in lb_client.get_datasets(where=lb.Dataset.name == name)] == [ds.uid]
    ds.update(description="Photos, v2.", name=name + " (renamed)")
    got = lb_client.get_dataset(ds.uid)
    assert (got.name, got.description) == (name + " (renamed)", "Photos, v2.")
    assert got.updated_at >= got.created_at
    ds.delete()
    with pytest.raises(ResourceNotFoundError):
        lb_client.get_dataset(ds.uid)
    assert ds.uid not in [d.uid for d in lb_client.get_datasets()]


def test_free_text_and_duplicate_names(lb_client, segments_client, user):
    name = "My photos / 2026"
    first = lb_client.create_dataset(name=name)
    second = lb_client.create_dataset(name=name)
    assert first.uid != second.uid
    assert {d.uid for d in lb_client.get_datasets(where=lb.Dataset.name == name)} == {first.uid, second.uid}
    # the same datasets through the Segments API, under unique slugs
    names = {d.name for d in segments_client.get_datasets()}
    assert {"My-photos-2026", "My-photos-2026-2"} <= names


def _create_many(server, user, prefix, numbers):
    document = "mutation M { " + " ".join(
        f'd{i}: createDataset(data: {{name: "{prefix}-{i:03d}"}}) {{ id }}' for i in numbers) + " }"
    assert gql(server, user[1], document).status_code == 200


def test_list_filters_and_pages(server, user, lb_client):
    prefix = unique("many")
    # 103 datasets in two requests (aliases), then read them back through the SDK's offset pages
    _create_many(server, user, prefix, range(53))
    # The SDK sends DateTime filters with whole seconds (trap 5), so the pivot must lie a full second after the
    # first group: `created_at > pivot` then holds for the second group only.
    time.sleep(1.1)
    pivot = datetime.now(timezone.utc)
    _create_many(server, user, prefix, range(53, 103))
    made = sorted((d for d in lb_client.get_datasets(where=lb.Dataset.name >= prefix) if d.name.startswith(prefix)),
                  key=lambda d: d.name)
    assert len(made) == 103
    listed = [d.uid for d in lb_client.get_datasets() if d.name.startswith(prefix)]
    assert sorted(listed) == sorted(d.uid for d in made)  # 2 pages of the SDK's offset pagination
    later = {d.uid for d in lb_client.get_datasets(where=lb.Dataset.created_at > pivot) if d.name.startswith(prefix)}
    assert later == {d.uid for d in made[53:]}
    earlier = {d.uid for d in lb_client.get_datasets(where=lb.Dataset.created_at < pivot) if d.name.startswith(prefix)}
    assert earlier == {d.uid for d in made[:53]}


def test_empty_name_is_invalid(lb_client):
    with pytest.raises(InvalidQueryError):
        lb_client.create_dataset(name="")


def test_other_organizations_datasets(server, lb_client):
    ds = lb_client.create_dataset(name=unique("mine"))
    _, other_key = server.create_user()
    other = labelbox_client(server, other_key)
    with pytest.raises(ResourceNotFoundError):
        other.get_dataset(ds.uid)
    assert ds.uid not in [d.uid for d in other.get_datasets()]
    assert ds.uid not in [d.uid for d in other.get_datasets(where=lb.Dataset.name == ds.name)]
    foreign = other.create_dataset(name="theirs")
    foreign.uid = ds.uid  # the other client aims at our dataset
    with pytest.raises(AuthorizationError):
        foreign.update(description="hijacked")
    with pytest.raises(AuthorizationError):
        foreign.delete()
    assert lb_client.get_dataset(ds.uid).description == ""


def test_labelers_read_but_do_not_write(server):
    admin, admin_key = server.create_user()
    labeler, labeler_key = server.create_user()
    server.create_org(unique("org"), admin, {labeler: "labeler"})
    ds = labelbox_client(server, admin_key).create_dataset(name="shared")
    client = labelbox_client(server, labeler_key)
    assert client.get_dataset(ds.uid).name == "shared"
    with pytest.raises(AuthorizationError):
        client.create_dataset(name="nope")
    with pytest.raises(AuthorizationError):
        client.get_dataset(ds.uid).delete()
