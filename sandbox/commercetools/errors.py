"""commercetools' error responses, as exceptions the routes turn into JSON.

Every failure the sandbox reports has the platform's shape,
`{statusCode, message, errors: [{code, message, ...}]}`, with the error codes and extra fields of
the OpenAPI `ErrorObject` variants (`currentVersion` on ConcurrentModification, `field` and
`duplicateValue` on DuplicateField, ...). Auth failures add `error` and `error_description`
(`AuthErrorResponse`). Clients classify by status and code, so both must match the real API.
"""

from __future__ import annotations

import json
from typing import Any

JsonObject = dict[str, Any]

INVALID_JSON_MESSAGE = "Request body does not contain valid JSON."


class ApiError(Exception):
    """One HTTP error response: status, the error objects, and optional extra headers."""

    def __init__(
        self,
        status_code: int,
        errors: list[JsonObject],
        *,
        headers: dict[str, str] | None = None,
        extra: JsonObject | None = None,
    ) -> None:
        if not errors:
            raise ValueError("an ApiError needs at least one error object")
        super().__init__(errors[0]["message"])
        self.status_code = status_code
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}

    @property
    def code(self) -> str:
        return str(self.errors[0]["code"])

    @property
    def message(self) -> str:
        return str(self.errors[0]["message"])

    def body(self) -> JsonObject:
        return {
            "statusCode": self.status_code,
            "message": self.message,
            "errors": self.errors,
            **self.extra,
        }


def _error(status: int, code: str, message: str, **fields: Any) -> ApiError:
    return ApiError(status, [{"code": code, "message": message, **fields}])


def invalid_json(detail: str) -> ApiError:
    """A body that is not JSON or does not deserialize into the expected draft or action."""
    return _error(400, "InvalidJsonInput", INVALID_JSON_MESSAGE, detailedErrorMessage=detail)


def invalid_input(message: str) -> ApiError:
    return _error(400, "InvalidInput", message)


def malformed_parameter(name: str, problem: str) -> ApiError:
    return invalid_input(f"Malformed parameter: {name}: {problem}")


def invalid_operation(message: str) -> ApiError:
    return _error(400, "InvalidOperation", message)


def invalid_field(
    field: str, value: Any, message: str, allowed: list[Any] | None = None
) -> ApiError:
    extra: JsonObject = {"allowedValues": allowed} if allowed is not None else {}
    return _error(400, "InvalidField", message, field=field, invalidValue=value, **extra)


def required_field(field: str, message: str | None = None) -> ApiError:
    return _error(
        400, "RequiredField", message or f"A value is required for field {field}.", field=field
    )


def duplicate_field(field: str, value: Any, message: str | None = None) -> ApiError:
    text = message or f"A duplicate value '{json.dumps(value)}' exists for field '{field}'."
    return _error(400, "DuplicateField", text, field=field, duplicateValue=value)


def concurrent_modification(resource_id: str, expected: int, actual: int) -> ApiError:
    message = (
        f"Object {resource_id} has a different version than expected. "
        f"Expected: {expected} - Actual: {actual}."
    )
    return _error(409, "ConcurrentModification", message, currentVersion=actual)


def not_found(
    *, resource_id: str | None = None, key: str | None = None, what: str = ""
) -> ApiError:
    if resource_id is not None:
        message = f"The Resource with ID '{resource_id}' was not found."
    elif key is not None:
        message = f"The Resource with key '{key}' was not found."
    else:
        message = what or "The Resource was not found."
    return _error(404, "ResourceNotFound", message)


def referenced_not_found(
    type_id: str, *, resource_id: str | None = None, key: str | None = None
) -> ApiError:
    fields: JsonObject = {"typeId": type_id}
    if resource_id is not None:
        fields["id"] = resource_id
        message = (
            f"The referenced object of type '{type_id}' with id '{resource_id}' was not found."
        )
    else:
        fields["key"] = key
        message = f"The referenced object of type '{type_id}' with key '{key}' was not found."
    return _error(400, "ReferencedResourceNotFound", message, **fields)


def missing_role_on_channel(channel: JsonObject, role: str) -> ApiError:
    message = (
        f"Channel '{channel.get('key', channel['id'])}' does not have the required role '{role}'."
    )
    identifier = {"typeId": "channel", "id": channel["id"]}
    return _error(400, "MissingRoleOnChannel", message, channel=identifier, missingRole=role)


def matching_price_not_found(
    product_id: str, variant_id: int, currency: str, country: str | None
) -> ApiError:
    where = f"currency '{currency}'" + (f" and country '{country}'" if country else "")
    message = f"The variant {variant_id} of product '{product_id}' has no price for {where}."
    fields: JsonObject = {"productId": product_id, "variantId": variant_id, "currency": currency}
    if country:
        fields["country"] = country
    return _error(400, "MatchingPriceNotFound", message, **fields)


def max_resource_limit_exceeded(type_id: str, limit: int) -> ApiError:
    message = f"You have exceeded the limit of {limit} resources of type '{type_id}'."
    return _error(400, "MaxResourceLimitExceeded", message, exceededResource=type_id)


def invalid_token(message: str = "invalid_token") -> ApiError:
    """Missing, unknown or expired bearer token (401, in the auth error format)."""
    return ApiError(
        401,
        [{"code": "invalid_token", "message": message}],
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        extra={"error": "invalid_token", "error_description": message},
    )


def insufficient_scope(message: str) -> ApiError:
    return ApiError(
        403,
        [{"code": "insufficient_scope", "message": message}],
        extra={"error": "insufficient_scope", "error_description": message},
    )


def auth_error(status: int, error: str, message: str) -> ApiError:
    """Errors of the token endpoint (`invalid_client`, `invalid_scope`, ...)."""
    return ApiError(
        status,
        [{"code": error, "message": message}],
        extra={"error": error, "error_description": message},
    )


def route_not_found(method: str, path: str) -> ApiError:
    return _error(404, "ResourceNotFound", f"The endpoint '{method} {path}' does not exist.")


def method_not_allowed(method: str, path: str) -> ApiError:
    return _error(405, "General", f"The method {method} is not allowed on '{path}'.")
