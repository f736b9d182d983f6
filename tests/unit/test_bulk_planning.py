"""Planning /Bulk operations (RFC 7644 §3.7.1, §3.7.2), on plain data."""

from __future__ import annotations

import io

import pytest

from django_scim.bulk import planning, references
from django_scim.bulk.requests import Operation
from django_scim.errors import PayloadTooLarge
from django_scim.views.bulk import BulkParser


def post(index: int, bulk_id: str, *refs: str) -> Operation:
    members = [{"value": f"bulkId:{ref}"} for ref in refs]
    return Operation(index, "POST", "/Groups", bulk_id=bulk_id, data={"members": members})


def order(steps: list[planning.Step]) -> list[list[int]]:
    return [[op.index for op in step.operations] for step in steps]


def test_request_order_when_nothing_refers_forward():
    """RFC 7644 §3.7.2: operations run in the request's order unless references require."""
    steps = planning.plan([post(0, "a"), post(1, "b", "a"), post(2, "c")])
    assert order(steps) == [[0], [1], [2]]
    assert not any(step.circular for step in steps)


def test_a_post_moves_up_to_just_before_its_first_referrer():
    """RFC 7644 §3.7.2: the POST a reference names runs first; nothing else moves."""
    steps = planning.plan([post(0, "a"), post(1, "b", "d"), post(2, "c"), post(3, "d")])
    assert order(steps) == [[0], [3], [1], [2]]


def test_cycles_are_found_and_kept_together():
    """RFC 7644 §3.7.1: Group A <-> Group B is one circle; a self-reference is one too."""
    steps = planning.plan([post(0, "a", "b"), post(1, "b", "a"), post(2, "me", "me")])
    assert order(steps) == [[0, 1], [2]]
    assert [step.circular for step in steps] == [True, True]


def test_a_long_chain_needs_no_recursion():
    """RFC 7644 §3.7.4 lets maxOperations be large: a chain of 5,000 forward references
    plans without recursion (Python's limit is 1,000 frames)."""
    count = 5000
    ops = [post(n, f"n{n}", f"n{n + 1}") for n in range(count - 1)] + [post(count - 1, "last")]
    ops[-1].bulk_id = f"n{count - 1}"
    steps = planning.plan(ops)
    assert order(steps)[0] == [count - 1]
    assert order(steps)[-1] == [0]


def test_references_found_in_values_paths_and_extensions():
    """RFC 7644 §3.7.2: a reference may be any value, a PATCH path's filter, or in an
    extension (the enterprise manager)."""
    data = {
        "Operations": [
            {"op": "remove", "path": 'members[value eq "bulkId:x"]'},
            {"op": "add", "path": "members", "value": [{"value": "bulkId:y"}]},
        ],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "manager": {"value": "bulkId:z"}
        },
        "displayName": "text that mentions bulkId:x",
    }
    assert references.in_value(data) == {"x", "y", "z"}
    replaced = references.replace(data, {"x": "1", "y": "2", "z": "3"})
    assert replaced["Operations"][0]["path"] == 'members[value eq "1"]'
    assert replaced["Operations"][1]["value"] == [{"value": "2"}]
    assert replaced["displayName"] == data["displayName"]
    assert references.replace_in_path("/Groups/bulkId:x", {"x": "1"}) == "/Groups/1"


def test_split_leaves_out_the_circular_values_and_adds_them_later():
    """RFC 7644 §3.7.1: create without the circular values, then add them."""
    manager = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    data = {
        "displayName": "A",
        "members": [{"value": "bulkId:b"}, {"value": "u1"}],
        manager: {"manager": {"value": "bulkId:b"}, "department": "Tour"},
    }
    kept, later = references.split(data, {"b"})
    assert kept == {
        "displayName": "A",
        "members": [{"value": "u1"}],
        manager: {"department": "Tour"},
    }
    assert later == [
        {"op": "add", "path": "members", "value": [{"value": "bulkId:b"}]},
        {"op": "add", "path": f"{manager}:manager", "value": {"value": "bulkId:b"}},
    ]


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.requested = 0

    def read(self, size: int = -1) -> bytes:
        self.requested += size if size >= 0 else 10**9
        return super().read(size)


def test_body_is_never_read_past_max_payload_size(settings):
    """RFC 7644 §3.7.4: a body over maxPayloadSize is refused having read no more of it
    than the limit (and one byte to tell)."""
    settings.SCIM = {"BULK_MAX_PAYLOAD_SIZE": 1000}
    stream = CountingStream(b"[" + b" " * 100_000 + b"]")
    with pytest.raises(PayloadTooLarge, match=r"maxPayloadSize \(1000\)"):
        BulkParser().parse(stream, parser_context={})
    assert stream.requested <= 1001
