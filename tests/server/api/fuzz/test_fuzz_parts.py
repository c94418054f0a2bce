"""The fuzz parts (fuzzing.py ``PARTS``) cover every operation of the API, each exactly once."""

from collections import Counter

import schemathesis
from server.api.fuzz.fuzzing import PARTS, tag_of


def test_every_operation_is_in_exactly_one_part(app) -> None:
    with app.client() as http:
        schema = schemathesis.openapi.from_dict(http.get("/openapi.json").json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    parts_of_tag = Counter(tag for tags in PARTS.values() for tag in tags)
    assert all(count == 1 for count in parts_of_tag.values()), parts_of_tag
    unfuzzed = sorted(f"{op.method.upper()} {op.path} (tag {tag_of(schema, op)!r})" for op in operations
                      if tag_of(schema, op) not in parts_of_tag)
    assert not unfuzzed, f"add these operations' tags to a part of PARTS: {unfuzzed}"
