"""Verification of the signatures Fluent puts on its webhooks.

Fluent signs the raw request body with the private key of the environment that sent it and
puts the result in `fluent-signature` (base64 RSASSA-PKCS1-v1_5 over SHA-512). Older setups only
check `flex.signature` (the same over MD5), which is accepted only when explicitly enabled and
only when the SHA-512 header is absent. Several public keys can be configured at once (key
rotation, sandbox and production); a signature is good if any of them verifies it.

Always verify the bytes as received: re-serialised JSON differs and will not verify.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_HEADER = "fluent-signature"
LEGACY_SIGNATURE_HEADER = "flex.signature"


class WebhookKeyError(ValueError):
    """A configured public key cannot be used; the message says which one and why."""


class WebhookSignatureError(Exception):
    """A webhook must be rejected; `reason` says why (safe to log, contains no key material)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignatureMissingError(WebhookSignatureError):
    """No usable signature header."""


class SignatureInvalidError(WebhookSignatureError):
    """A signature is present but is not valid for the body under any configured key."""


def _load_key(text: str, position: int) -> rsa.RSAPublicKey:
    label = f"webhook public key #{position}"
    material = text.strip()
    if not material:
        raise WebhookKeyError(f"{label} is empty")
    try:
        if material.startswith("-----BEGIN CERTIFICATE-----"):
            key: object = x509.load_pem_x509_certificate(material.encode()).public_key()
        elif material.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(material.encode())
        else:
            der = base64.b64decode("".join(material.split()), validate=True)
            key = serialization.load_der_public_key(der)
    except binascii.Error:
        raise WebhookKeyError(
            f"{label} is neither PEM nor valid base64 (expected base64 DER SubjectPublicKeyInfo)"
        ) from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise WebhookKeyError(f"{label} is not a readable public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise WebhookKeyError(f"{label} is a {type(key).__name__}, Fluent signs with RSA")
    return key


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


class WebhookVerifier:
    """Checks a webhook's signature against Fluent's public keys. Construction fails on unusable
    key material, so a misconfigured receiver does not start."""

    def __init__(self, public_keys: Sequence[str], *, accept_legacy_md5: bool = False) -> None:
        if isinstance(public_keys, str):
            raise TypeError("public_keys is a sequence of keys, not one string")
        if not public_keys:
            raise WebhookKeyError("at least one webhook public key is needed")
        self._keys = [_load_key(text, number) for number, text in enumerate(public_keys, 1)]
        self._accept_legacy_md5 = accept_legacy_md5

    def verify(self, raw_body: bytes, headers: Mapping[str, str]) -> None:
        """Return if the body is signed by a configured key; raise a `WebhookSignatureError`
        otherwise. Header names are matched case-insensitively."""
        signature = _header(headers, SIGNATURE_HEADER)
        if signature is not None:
            self._check(raw_body, signature, SIGNATURE_HEADER, hashes.SHA512())
            return
        legacy = _header(headers, LEGACY_SIGNATURE_HEADER)
        if legacy is not None and self._accept_legacy_md5:
            self._check(raw_body, legacy, LEGACY_SIGNATURE_HEADER, hashes.MD5())
            return
        if legacy is not None:
            raise SignatureMissingError(
                f"only the legacy {LEGACY_SIGNATURE_HEADER} header is present and legacy MD5 "
                f"signatures are not accepted; {SIGNATURE_HEADER} is required"
            )
        raise SignatureMissingError(f"the {SIGNATURE_HEADER} header is missing")

    def _check(
        self, raw_body: bytes, signature: str, header: str, algorithm: hashes.HashAlgorithm
    ) -> None:
        try:
            signature_bytes = base64.b64decode("".join(signature.split()), validate=True)
        except binascii.Error:
            raise SignatureInvalidError(f"the {header} header is not valid base64") from None
        if not signature_bytes:
            raise SignatureInvalidError(f"the {header} header is empty")
        for key in self._keys:
            try:
                key.verify(signature_bytes, raw_body, padding.PKCS1v15(), algorithm)
            except InvalidSignature:
                continue
            return
        raise SignatureInvalidError(
            f"the {header} signature does not match the body under any of the "
            f"{len(self._keys)} configured public key(s)"
        )
