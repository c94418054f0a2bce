"""Every document the SDK sends for an implemented domain validates against our schema (the exact type names of
its variable declarations included). ``sdk_documents.json`` holds the documents of the wire contract
(shared/contract/labelbox-graphql.md §2), extracted verbatim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graphql import parse, validate
from labelhouse_server.labelbox.schema import labelbox_schema

DOCUMENTS = json.loads((Path(__file__).parent / "sdk_documents.json").read_text())
IMPLEMENTED = {"2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14"}  # sections of the contract served so far (add yours as they land)
NOT_YET: set[str] = set()  # operations of those sections that come with a later domain
CASES = [d for d in DOCUMENTS if d["section"] in IMPLEMENTED and d["operation"].strip("`").split("`")[0] not in NOT_YET]


def test_the_documents_are_there():
    assert len(DOCUMENTS) == 123 and CASES


@pytest.mark.parametrize("case", CASES, ids=[f"{c['section']}-{c['operation'].split()[0]}-{i}"
                                             for i, c in enumerate(CASES)])
def test_sdk_document_validates(case):
    errors = validate(labelbox_schema(), parse(case["document"]))
    assert errors == [], [e.message for e in errors]
