"""conftest.py for the OFFICIAL segments-ai 1.33.0 tests (copied to ``<work dir>/tests/conftest.py`` at run time).

The sdist ships the tests without their conftest and payload fixtures; this file provides every fixture those
test files request, reading the same environment variables as Segments' own CI. The seeded values come from
``upstream_seed.py``; the payloads from ``upstream_payloads.py`` (both ours).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from segments.client import SegmentsClient
from upstream_payloads import bad_image_segmentation_label as _bad_image_segmentation_label
from upstream_payloads import dataset_arguments, label_attributes, sample_attributes

# test_client.py::TestException::test_wrong_api_key and test_random.py construct ``SegmentsClient(<bad key>)``
# without ``api_url``, i.e. against the SDK's built-in default https://api.segments.ai/. Point that default at the
# server under test (what DNS interception of api.segments.ai would do), so those tests check OUR server's answer
# to a wrong key instead of needing the internet.
SegmentsClient.__init__.__defaults__ = (None, os.environ["SEGMENTS_API_URL"])


@pytest.fixture(scope="module")
def API_KEY() -> str:
    return os.environ["SEGMENTS_API_KEY"]


@pytest.fixture(scope="module")
def API_URL() -> str:
    return os.environ["SEGMENTS_API_URL"]


@pytest.fixture(scope="module")
def owner() -> str:
    return os.environ["DATASET_OWNER"]


@pytest.fixture(scope="module")
def client(API_KEY: str, API_URL: str) -> Iterator[SegmentsClient]:
    client = SegmentsClient(api_key=API_KEY, api_url=API_URL)
    yield client
    client.close()


def _json_env(name: str) -> list[str]:
    return json.loads(os.environ[name])


@pytest.fixture(scope="module")
def datasets() -> list[str]:
    return _json_env("DATASETS")


@pytest.fixture(scope="module")
def sample_uuids() -> list[str]:
    """First sample uuid of each dataset, same order as ``datasets``."""
    return _json_env("SAMPLE_UUIDS")


@pytest.fixture(scope="module")
def sample_attribute_types() -> list[str]:
    return _json_env("SAMPLE_ATTRIBUTE_TYPES")


@pytest.fixture(scope="module")
def label_attribute_types() -> list[str]:
    return _json_env("LABEL_ATTRIBUTE_TYPES")


@pytest.fixture(scope="module")
def TIME_INTERVAL() -> float:
    """Upstream sleeps 1 s before deletes to let the hosted service settle; our server answers every write
    synchronously, so a short pause keeps the run fast while still deleting freshly created (e.g. PENDING) items."""
    return float(os.environ.get("LH_UPSTREAM_TIME_INTERVAL", "0.1"))


@pytest.fixture(scope="module")
def ARTIFACTS_DIR() -> str:
    return "./test_artifacts"


@pytest.fixture(scope="class")
def setup_class_client(request: pytest.FixtureRequest, client: SegmentsClient) -> None:
    request.cls.client = client


@pytest.fixture
def add_update_dataset_arguments(owner: str) -> dict[str, Any]:
    return dataset_arguments(owner)


@pytest.fixture
def add_update_sample_arguments() -> dict[str, Any]:
    return sample_attributes()


@pytest.fixture
def label_test_attributes() -> dict[str, Any]:
    return label_attributes()


@pytest.fixture
def bad_image_segmentation_label() -> dict[str, Any]:
    return _bad_image_segmentation_label()
