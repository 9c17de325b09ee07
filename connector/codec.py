"""Payload encryption, so personal data (names, addresses, e-mails) in workflow histories is
unreadable without the key. AES-256-GCM; the key id travels in the metadata so keys can rotate:
payloads written under an old key stay readable while that key is still configured."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

ENCODING = b"binary/encrypted"
_NONCE_BYTES = 12


def _derive(secret: str) -> tuple[bytes, bytes]:
    key = hashlib.sha256(secret.encode()).digest()
    key_id = hashlib.sha256(b"key-id:" + key).hexdigest()[:16].encode()
    return key_id, key


class EncryptionCodec(PayloadCodec):
    """Encrypts with the first secret; decrypts with any of them."""

    def __init__(self, secret: str, *older_secrets: str) -> None:
        derived = [_derive(s) for s in (secret, *older_secrets)]
        self._current_id, current_key = derived[0]
        self._current = AESGCM(current_key)
        self._by_id = {key_id: AESGCM(key) for key_id, key in derived}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self._encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return list(self._decrypt_all(payloads))

    def _encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._current.encrypt(nonce, payload.SerializeToString(), None)
        return Payload(
            metadata={"encoding": ENCODING, "encryption-key-id": self._current_id},
            data=nonce + sealed,
        )

    def _decrypt_all(self, payloads: Iterable[Payload]) -> Iterable[Payload]:
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                yield payload
                continue
            key_id = payload.metadata.get("encryption-key-id", b"")
            cipher = self._by_id.get(key_id)
            if cipher is None:
                raise ValueError(f"payload encrypted with unknown key id {key_id.decode()!r}")
            data = payload.data
            plain = cipher.decrypt(data[:_NONCE_BYTES], data[_NONCE_BYTES:], None)
            decoded = Payload()
            decoded.ParseFromString(plain)
            yield decoded
