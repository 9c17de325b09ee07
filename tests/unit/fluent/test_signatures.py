"""Webhook signature verification with keys generated here."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from connector.fluent.signatures import (
    SignatureInvalidError,
    SignatureMissingError,
    WebhookKeyError,
    WebhookSignatureError,
    WebhookVerifier,
)

BODY = json.dumps(
    {
        "id": "0f6c2a4e",
        "name": "fc.connect.order.webhook.status-update",
        "accountId": "ACME",
        "retailerId": "7",
        "entityId": "9001",
        "entityRef": "CT-1001",
        "entityType": "ORDER",
    },
    separators=(",", ":"),
).encode()


@pytest.fixture(scope="module")
def fluent_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def der_base64(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode()


def pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def sign(key: rsa.RSAPrivateKey, body: bytes, algorithm: hashes.HashAlgorithm | None = None) -> str:
    signature = key.sign(body, padding.PKCS1v15(), algorithm or hashes.SHA512())
    return base64.b64encode(signature).decode()


def test_valid_signature_passes(fluent_key: rsa.RSAPrivateKey) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])

    verifier.verify(BODY, {"fluent-signature": sign(fluent_key, BODY)})


def test_header_name_is_case_insensitive(fluent_key: rsa.RSAPrivateKey) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])

    verifier.verify(BODY, {"Fluent-Signature": sign(fluent_key, BODY)})


def test_signature_by_another_key_is_forged(
    fluent_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])

    with pytest.raises(SignatureInvalidError, match="any of the 1 configured"):
        verifier.verify(BODY, {"fluent-signature": sign(other_key, BODY)})


def test_right_signature_over_a_changed_body_fails(fluent_key: rsa.RSAPrivateKey) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])
    signature = sign(fluent_key, BODY)

    with pytest.raises(SignatureInvalidError):
        verifier.verify(BODY.replace(b"CT-1001", b"CT-1002"), {"fluent-signature": signature})


def test_reserialised_json_does_not_verify(fluent_key: rsa.RSAPrivateKey) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])
    reserialised = json.dumps(json.loads(BODY), indent=2).encode()

    with pytest.raises(SignatureInvalidError):
        verifier.verify(reserialised, {"fluent-signature": sign(fluent_key, BODY)})


def test_signature_with_an_unknown_key_fails(
    fluent_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    verifier = WebhookVerifier([der_base64(other_key)])

    with pytest.raises(SignatureInvalidError):
        verifier.verify(BODY, {"fluent-signature": sign(fluent_key, BODY)})


def test_missing_header(fluent_key: rsa.RSAPrivateKey) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])

    with pytest.raises(SignatureMissingError, match="fluent-signature"):
        verifier.verify(BODY, {"content-type": "application/json"})


@pytest.mark.parametrize("garbage", ["not base64!!", "abc", "===="])
def test_malformed_base64_signature(fluent_key: rsa.RSAPrivateKey, garbage: str) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])

    with pytest.raises(SignatureInvalidError, match="not valid base64"):
        verifier.verify(BODY, {"fluent-signature": garbage})


def test_empty_signature(fluent_key: rsa.RSAPrivateKey) -> None:
    verifier = WebhookVerifier([der_base64(fluent_key)])

    with pytest.raises(SignatureInvalidError, match="empty"):
        verifier.verify(BODY, {"fluent-signature": ""})


def test_rotation_the_second_key_matches(
    fluent_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    verifier = WebhookVerifier([der_base64(other_key), der_base64(fluent_key)])

    verifier.verify(BODY, {"fluent-signature": sign(fluent_key, BODY)})
    verifier.verify(BODY, {"fluent-signature": sign(other_key, BODY)})


def test_pem_and_der_keys_are_equivalent(fluent_key: rsa.RSAPrivateKey) -> None:
    signature = sign(fluent_key, BODY)
    der_with_line_breaks = "\n".join(
        der_base64(fluent_key)[i : i + 64] for i in range(0, len(der_base64(fluent_key)), 64)
    )

    for key in (pem(fluent_key), der_base64(fluent_key), der_with_line_breaks):
        WebhookVerifier([key]).verify(BODY, {"fluent-signature": signature})


def test_legacy_md5_only_when_enabled(fluent_key: rsa.RSAPrivateKey) -> None:
    legacy_headers = {"flex.signature": sign(fluent_key, BODY, hashes.MD5())}

    WebhookVerifier([pem(fluent_key)], accept_legacy_md5=True).verify(BODY, legacy_headers)
    with pytest.raises(SignatureMissingError, match="legacy"):
        WebhookVerifier([pem(fluent_key)]).verify(BODY, legacy_headers)


def test_legacy_md5_is_checked_not_just_accepted(
    fluent_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    verifier = WebhookVerifier([pem(fluent_key)], accept_legacy_md5=True)

    with pytest.raises(SignatureInvalidError, match=r"flex\.signature"):
        verifier.verify(BODY, {"flex.signature": sign(other_key, BODY, hashes.MD5())})


def test_legacy_header_is_ignored_when_the_sha512_one_is_present(
    fluent_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    verifier = WebhookVerifier([pem(fluent_key)], accept_legacy_md5=True)
    headers = {
        "fluent-signature": sign(other_key, BODY),
        "flex.signature": sign(fluent_key, BODY, hashes.MD5()),
    }

    with pytest.raises(SignatureInvalidError, match="fluent-signature"):
        verifier.verify(BODY, headers)


def test_both_failures_share_one_base_class_with_a_reason(fluent_key: rsa.RSAPrivateKey) -> None:
    verifier = WebhookVerifier([pem(fluent_key)])

    with pytest.raises(WebhookSignatureError) as caught:
        verifier.verify(BODY, {})

    assert caught.value.reason


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([], "at least one"),
        (["   "], "#1 is empty"),
        (["%%% not base64 %%%"], "neither PEM nor valid base64"),
        ([base64.b64encode(b"random bytes, not DER").decode()], "not a readable public key"),
        (["-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"], "not a readable"),
    ],
)
def test_unusable_key_material_fails_at_construction(keys: list[str], message: str) -> None:
    with pytest.raises(WebhookKeyError, match=message):
        WebhookVerifier(keys)


def test_the_failing_key_is_named(fluent_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(WebhookKeyError, match="#2"):
        WebhookVerifier([pem(fluent_key), "bad!"])


def test_non_rsa_key_is_refused() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    ec_pem = ec_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()

    with pytest.raises(WebhookKeyError, match="RSA"):
        WebhookVerifier([ec_pem])


def test_a_single_string_is_not_a_key_list(fluent_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(TypeError):
        WebhookVerifier(pem(fluent_key))


def test_a_pem_certificate_supplies_its_public_key(fluent_key: rsa.RSAPrivateKey) -> None:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fluent webhooks")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(fluent_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(fluent_key, hashes.SHA256())
    )
    certificate_pem = certificate.public_bytes(serialization.Encoding.PEM).decode()

    WebhookVerifier([certificate_pem]).verify(BODY, {"fluent-signature": sign(fluent_key, BODY)})
