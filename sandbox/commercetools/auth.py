"""OAuth client credentials and scopes, as the commercetools auth service behaves.

`POST /oauth/token` with HTTP Basic client credentials and `grant_type=client_credentials`
(optional `scope`, space-separated `name:{projectKey}`) returns a bearer token valid for
`token_ttl_seconds`. API calls need a live token whose scopes cover the resource:
`manage_project` covers everything, `manage_<group>` covers reads and writes of the group,
`view_<group>` reads only.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.commercetools.errors import auth_error, insufficient_scope, invalid_token

_SCOPE = re.compile(r"^(manage_project|(?:view|manage)_[a-z_]+):([a-z0-9-]+)$")
_BEARER = re.compile(r"^Bearer\s+(\S+)$", re.IGNORECASE)
_BAD_CLIENT = "Please provide valid client credentials using HTTP Basic Authentication."


@dataclass
class Token:
    value: str
    client_id: str
    scopes: frozenset[str]
    scope_text: str
    expires_at: float


class TokenService:
    """Issues and checks tokens for one project and one API client."""

    def __init__(
        self,
        project_key: str,
        client_id: str,
        client_secret: str,
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.project_key = project_key
        self.client_id = client_id
        self._client_secret = client_secret
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self._tokens: dict[str, Token] = {}

    def issue(self, authorization: str | None, form: dict[str, str]) -> dict[str, Any]:
        """The token response for a `POST /oauth/token`, or an auth error."""
        client_id = self._basic_client(authorization)
        if form.get("grant_type") != "client_credentials":
            raise auth_error(
                400,
                "unsupported_grant_type",
                f"Unsupported grant_type '{form.get('grant_type')}': use client_credentials.",
            )
        requested = form.get("scope", "").split()
        scopes = self._check_scopes(requested)
        scope_text = " ".join(requested) or f"manage_project:{self.project_key}"
        token = Token(
            value=secrets.token_urlsafe(24),
            client_id=client_id,
            scopes=scopes,
            scope_text=scope_text,
            expires_at=self.clock() + self.ttl_seconds,
        )
        self._drop_expired()
        self._tokens[token.value] = token
        return {
            "access_token": token.value,
            "token_type": "Bearer",
            "expires_in": int(self.ttl_seconds),
            "scope": scope_text,
        }

    def authenticate(self, authorization: str | None) -> Token:
        match = _BEARER.match(authorization or "")
        if match is None:
            raise invalid_token("Missing or malformed bearer token in the Authorization header.")
        token = self._tokens.get(match.group(1))
        if token is None or token.expires_at <= self.clock():
            raise invalid_token("The token is invalid or has expired.")
        return token

    def authorize(
        self, token: Token, scope_group: str, *, write: bool, also: frozenset[str] = frozenset()
    ) -> None:
        """403 `insufficient_scope` unless the token may read (or write) the scope group;
        `also` names further scopes that suffice (e.g. `view_published_products`)."""
        accepted = {"manage_project", f"manage_{scope_group}", *also}
        if not write:
            accepted.add(f"view_{scope_group}")
        if not token.scopes & accepted:
            raise insufficient_scope(
                "Insufficient scope. One of the following scopes is missing: "
                + ", ".join(sorted(accepted))
            )

    def expire_all(self) -> int:
        """Expire every token now (for tests of refresh-on-401); returns how many were live."""
        live = len(self._tokens)
        self._tokens.clear()
        return live

    def _basic_client(self, authorization: str | None) -> str:
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() != "basic":
            raise auth_error(401, "invalid_client", _BAD_CLIENT)
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise auth_error(401, "invalid_client", _BAD_CLIENT) from None
        client_id, _, secret = decoded.partition(":")
        if not (
            secrets.compare_digest(client_id.encode(), self.client_id.encode())
            and secrets.compare_digest(secret.encode(), self._client_secret.encode())
        ):
            raise auth_error(401, "invalid_client", _BAD_CLIENT)
        return client_id

    def _check_scopes(self, requested: list[str]) -> frozenset[str]:
        if not requested:
            return frozenset({"manage_project"})
        names = set()
        for scope in requested:
            match = _SCOPE.match(scope)
            if match is None or match.group(2) != self.project_key:
                raise auth_error(
                    400,
                    "invalid_scope",
                    f"Invalid scope '{scope}': expected '<scope>:{self.project_key}'.",
                )
            names.add(match.group(1))
        return frozenset(names)

    def _drop_expired(self) -> None:
        now = self.clock()
        for value in [v for v, t in self._tokens.items() if t.expires_at <= now]:
            del self._tokens[value]
