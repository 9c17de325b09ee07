"""Custom fields checked against their Type, as the platform does.

A `CustomFieldsDraft` must name a Type whose `resourceTypeIds` include the customized resource
(`order`, `line-item`, `order-delivery`, `order-parcel`, `channel`, ...); every field must be
defined by the Type and carry a value of its field type; required fields must be present.
Failures are 400s: `ReferencedResourceNotFound` for the Type, `InvalidField` for unknown fields
and wrong values, `RequiredField` for missing ones, `InvalidOperation` for removing a field that
is not set.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from sandbox.commercetools.errors import (
    invalid_field,
    invalid_input,
    invalid_operation,
    required_field,
)
from sandbox.commercetools.money import typed_money
from sandbox.commercetools.resources.base import resolve
from sandbox.commercetools.store import Resource, Store, reference, timestamp
from sandbox.commercetools.wire import (
    BaseAddress,
    CustomFieldsDraft,
    ResourceIdentifier,
    WireModel,
)

_CURRENCY = re.compile(r"^[A-Z]{3}$")


class SetCustomType(WireModel):
    """`setCustomType` as most resources have it; no `type` removes the custom fields."""

    action: Literal["setCustomType"]
    type: ResourceIdentifier | None = None
    fields: dict[str, Any] | None = None


class SetCustomField(WireModel):
    """`setCustomField`; no (or a null) `value` removes the field."""

    action: Literal["setCustomField"]
    name: str
    value: Any = None


def apply_custom_type(
    store: Store,
    target: Resource,
    type_: ResourceIdentifier | None,
    fields: dict[str, Any] | None,
    resource_type_id: str,
) -> None:
    """Set (or, without a type, remove) `target["custom"]`."""
    if type_ is None:
        target.pop("custom", None)
        return
    target["custom"] = build_custom(
        store, CustomFieldsDraft(type=type_, fields=fields), resource_type_id
    )


def apply_custom_field(store: Store, target: Resource, name: str, value: Any, where: str) -> None:
    target["custom"], _ = set_custom_field(store, target.get("custom"), name, value, where)


def build_custom(
    store: Store, draft: CustomFieldsDraft | None, resource_type_id: str
) -> Resource | None:
    """The `custom` object of a resource from its draft, validated; None without a draft."""
    if draft is None:
        return None
    type_ = resolve(store, draft.type, "type")
    if resource_type_id not in type_["resourceTypeIds"]:
        raise invalid_input(
            f"The type '{type_.get('key', type_['id'])}' is not defined for resources of type "
            f"'{resource_type_id}' (its resourceTypeIds: {type_['resourceTypeIds']})."
        )
    definitions = {d["name"]: d for d in type_["fieldDefinitions"]}
    fields: Resource = {}
    for name, value in (draft.fields or {}).items():
        if value is None:
            continue
        fields[name] = _checked_value(definitions, name, value)
    for definition in type_["fieldDefinitions"]:
        if definition["required"] and definition["name"] not in fields:
            raise required_field(
                definition["name"],
                f"The custom field '{definition['name']}' of type "
                f"'{type_.get('key', type_['id'])}' is required.",
            )
    return {"type": reference("type", type_["id"]), "fields": fields}


def stored_address(store: Store, address: BaseAddress | None) -> Resource | None:
    """An address as the platform stores it: its custom fields (if any) checked against their
    Type, which must serve resource `address`; None without an address."""
    if address is None:
        return None
    stored = address.model_copy(update={"custom": None}).wire()
    custom = build_custom(store, address.custom, "address")
    if custom is not None:
        stored["custom"] = custom
    return stored


def set_custom_field(
    store: Store, custom: Resource | None, name: str, value: Any, where: str
) -> tuple[Resource, Any]:
    """`custom` with field `name` set to `value` (removed when None) and the previous value."""
    if custom is None:
        raise invalid_operation(
            f"The {where} has no custom type; set one with setCustomType first."
        )
    type_ = store.lookup("type", custom["type"]["id"])
    if type_ is None:
        raise invalid_operation(f"The custom type of the {where} no longer exists.")
    definitions = {d["name"]: d for d in type_["fieldDefinitions"]}
    fields = dict(custom["fields"])
    previous = fields.get(name)
    if value is None:
        if name not in fields:
            raise invalid_operation(f"The custom field '{name}' of the {where} is not set.")
        if definitions.get(name, {}).get("required"):
            raise required_field(name, f"The custom field '{name}' is required.")
        del fields[name]
    else:
        fields[name] = _checked_value(definitions, name, value)
    return {**custom, "fields": fields}, previous


def _checked_value(definitions: dict[str, Resource], name: str, value: Any) -> Any:
    definition = definitions.get(name)
    if definition is None:
        raise invalid_field(
            name,
            value,
            f"The custom field '{name}' is not defined by the type "
            f"(defined: {sorted(definitions)}).",
        )
    return _check(definition["type"], name, value)


def _check(field_type: Resource, name: str, value: Any) -> Any:
    kind = field_type["name"]
    checker = _CHECKERS.get(kind)
    if kind == "Set":
        if not isinstance(value, list):
            raise _wrong(name, value, "a JSON array")
        return [_check(field_type["elementType"], name, element) for element in value]
    if kind in ("Enum", "LocalizedEnum"):
        allowed = [v["key"] for v in field_type["values"]]
        if not isinstance(value, str) or value not in allowed:
            raise invalid_field(
                name, value, f"The value '{value}' is not valid for field '{name}'.", allowed
            )
        return value
    if kind == "Reference":
        expected = field_type["referenceTypeId"]
        if not (
            isinstance(value, dict)
            and value.get("typeId") == expected
            and isinstance(value.get("id"), str)
        ):
            raise _wrong(name, value, f"a reference {{typeId: '{expected}', id}}")
        return {"typeId": expected, "id": value["id"]}
    if checker is None:
        raise invalid_field(name, value, f"Field type '{kind}' is not supported by the sandbox.")
    return checker(name, value)


def _wrong(name: str, value: Any, expected: str) -> Exception:
    return invalid_field(
        name, value, f"The value '{value}' is not valid for field '{name}': expected {expected}."
    )


def _boolean(name: str, value: Any) -> Any:
    if not isinstance(value, bool):
        raise _wrong(name, value, "a boolean")
    return value


def _string(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        raise _wrong(name, value, "a string")
    return value


def _number(name: str, value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(name, value, "a number")
    return value


def _localized_string(name: str, value: Any) -> Any:
    if not (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
        raise _wrong(name, value, "a localized string object")
    return value


def _money(name: str, value: Any) -> Any:
    if not (
        isinstance(value, dict)
        and isinstance(value.get("currencyCode"), str)
        and _CURRENCY.match(value["currencyCode"])
        and isinstance(value.get("centAmount"), int)
        and not isinstance(value.get("centAmount"), bool)
    ):
        raise _wrong(name, value, "money {currencyCode, centAmount}")
    return typed_money(value["currencyCode"], value["centAmount"])


def _date(name: str, value: Any) -> Any:
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise _wrong(name, value, "a date YYYY-MM-DD") from None


def _time(name: str, value: Any) -> Any:
    try:
        parsed = time.fromisoformat(value)
    except (TypeError, ValueError):
        raise _wrong(name, value, "a time hh:mm:ss.sss") from None
    return f"{parsed:%H:%M:%S}.{parsed.microsecond // 1000:03d}"


def _date_time(name: str, value: Any) -> Any:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise _wrong(name, value, "an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise _wrong(name, value, "a date-time with a time zone (e.g. Z)")
    return timestamp(parsed.astimezone(UTC))


_CHECKERS = {
    "Boolean": _boolean,
    "String": _string,
    "Number": _number,
    "LocalizedString": _localized_string,
    "Money": _money,
    "Date": _date,
    "Time": _time,
    "DateTime": _date_time,
}
