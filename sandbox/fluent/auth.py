"""OAuth password grant as Fluent serves it, and the bearer check for the API.

Tokens are opaque random strings valid for `token_ttl_seconds` of the sandbox clock; an expired
or unknown token is refused with 401 and Spring-OAuth-style bodies like Fluent's.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.fluent.clock import SandboxClock
from sandbox.fluent.config import FluentSandboxConfig


@dataclass(frozen=True, slots=True)
class IssuedToken:
    value: str
    expires_at: datetime


class AuthError(Exception):
    """A refused token request or API call; `body` is what Fluent answers with 401."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.body = {"error": error, "error_description": description}


class TokenIssuer:
    def __init__(self, config: FluentSandboxConfig, clock: SandboxClock) -> None:
        self._config = config
        self._clock = clock
        self._tokens: dict[str, IssuedToken] = {}

    def grant(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The token response for a password grant, or AuthError."""
        config = self._config
        grant_type = params.get("grant_type")
        if grant_type != "password":
            raise AuthError(
                "unsupported_grant_type", f"Unsupported grant type: {grant_type or '(missing)'}"
            )
        if params.get("client_id") != config.client_id or (
            params.get("client_secret") != config.client_secret
        ):
            raise AuthError("invalid_client", "Bad client credentials")
        if params.get("username") != config.username or params.get("password") != config.password:
            raise AuthError("invalid_grant", "Bad credentials")
        scope = params.get("scope", "api")
        if scope != "api":
            raise AuthError("invalid_scope", f"Invalid scope: {scope}")
        token = IssuedToken(
            value=secrets.token_urlsafe(32),
            expires_at=self._clock.now() + timedelta(seconds=config.token_ttl_seconds),
        )
        self._drop_expired()
        self._tokens[token.value] = token
        return {
            "access_token": token.value,
            "token_type": "bearer",
            "expires_in": config.token_ttl_seconds,
            "scope": "api",
            "Retailer_id": config.retailer_id,
        }

    def check(self, authorization: str | None) -> None:
        """Raises AuthError unless the header carries a live token."""
        scheme, _, value = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise AuthError(
                "unauthorized", "Full authentication is required to access this resource"
            )
        token = self._tokens.get(value.strip())
        if token is None:
            raise AuthError("invalid_token", "Invalid access token")
        if self._clock.now() >= token.expires_at:
            raise AuthError("invalid_token", f"Access token expired: {value[:8]}...")

    def _drop_expired(self) -> None:
        now = self._clock.now()
        for value in [v for v, token in self._tokens.items() if now >= token.expires_at]:
            del self._tokens[value]
