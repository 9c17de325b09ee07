"""Payload encryption: personal data in histories is unreadable without the key."""

from __future__ import annotations

import pytest
from temporalio.api.common.v1 import Payload

from connector.codec import EncryptionCodec


def _payload(text: str) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=text.encode())


async def test_round_trip_hides_the_plain_text() -> None:
    codec = EncryptionCodec("k1")
    [encoded] = await codec.encode([_payload('{"email": "ann@example.com"}')])
    assert b"ann@example.com" not in encoded.data
    assert encoded.metadata["encoding"] == b"binary/encrypted"
    [decoded] = await codec.decode([encoded])
    assert decoded == _payload('{"email": "ann@example.com"}')


async def test_rotated_key_still_reads_old_payloads() -> None:
    [old] = await EncryptionCodec("old").encode([_payload("x")])
    [decoded] = await EncryptionCodec("new", "old").decode([old])
    assert decoded.data == b"x"


async def test_unknown_key_is_a_clear_error() -> None:
    [old] = await EncryptionCodec("old").encode([_payload("x")])
    with pytest.raises(ValueError, match="unknown key id"):
        await EncryptionCodec("other").decode([old])


async def test_plain_payloads_pass_through_decode() -> None:
    [decoded] = await EncryptionCodec("k").decode([_payload("x")])
    assert decoded.data == b"x"
