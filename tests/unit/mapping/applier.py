"""A strict, in-memory commercetools for order update actions: applies the wire JSON of each
action to the order's wire JSON the way the API does, and refuses what the API refuses
(unknown delivery, parcel or line item, repeated keys, a custom field without a custom type).
The convergence tests use it to check that building actions again after applying them yields
nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from connector.commercetools.actions import OrderUpdateAction
from connector.commercetools.models import Order

Json = dict[str, Any]
SYNCED_AT = "2026-03-02T12:00:00.000Z"


class RefusedError(AssertionError):
    """What commercetools would answer with a 400 (InvalidOperation / DuplicateField)."""


def _custom(draft: Json | None) -> Json | None:
    """A CustomFieldsDraft (type by key) as the API stores it (type by id; the key stands in)."""
    if draft is None:
        return None
    return {
        "type": {"typeId": "type", "id": draft["type"]["key"]},
        "fields": draft.get("fields", {}),
    }


def _set_custom_type(target: Json, action: Json) -> None:
    if "type" in action:
        target["custom"] = _custom({"type": action["type"], "fields": action.get("fields", {})})
    else:
        target.pop("custom", None)


def _set_custom_field(target: Json, action: Json, what: str) -> None:
    custom = target.get("custom")
    if custom is None:
        raise RefusedError(f"{what} has no custom type; cannot set field {action['name']}")
    if "value" in action:
        custom["fields"][action["name"]] = action["value"]
    else:
        custom["fields"].pop(action["name"], None)


def _deliveries(order: Json) -> list[Json]:
    info = order.get("shippingInfo")
    if info is None:
        raise RefusedError("the order has no shippingInfo, so it cannot have deliveries")
    deliveries: list[Json] = info.setdefault("deliveries", [])
    return deliveries


def _delivery(order: Json, key: str) -> Json:
    for delivery in _deliveries(order):
        if delivery.get("key") == key:
            found: Json = delivery
            return found
    raise RefusedError(f"no delivery with key {key}")


def _parcel(order: Json, key: str) -> Json:
    for delivery in _deliveries(order):
        for parcel in delivery["parcels"]:
            if parcel.get("key") == key:
                found: Json = parcel
                return found
    raise RefusedError(f"no parcel with key {key}")


def _line_item(order: Json, line_id: str) -> Json:
    for item in order["lineItems"]:
        if item["id"] == line_id:
            found: Json = item
            return found
    raise RefusedError(f"no line item {line_id}")


def _check_items(order: Json, items: list[Json]) -> list[Json]:
    for item in items:
        _line_item(order, item["id"])
    return items


def _new_parcel(order: Json, key: str | None, draft: Json) -> Json:
    if key is not None and any(
        parcel.get("key") == key for d in _deliveries(order) for parcel in d["parcels"]
    ):
        raise RefusedError(f"a parcel with key {key} exists")
    parcel: Json = {"id": f"parcel-{key}", "items": _check_items(order, draft.get("items", []))}
    if key is not None:
        parcel["key"] = key
    if "trackingData" in draft:
        parcel["trackingData"] = draft["trackingData"]
    if "measurements" in draft:
        parcel["measurements"] = draft["measurements"]
    custom = _custom(draft.get("custom"))
    if custom is not None:
        parcel["custom"] = custom
    return parcel


def _add_delivery(order: Json, action: Json) -> None:
    deliveries = _deliveries(order)
    key = action.get("deliveryKey")
    if key is not None and any(d.get("key") == key for d in deliveries):
        raise RefusedError(f"a delivery with key {key} exists")
    delivery: Json = {
        "id": f"delivery-{len(deliveries) + 1}",
        "items": _check_items(order, action.get("items", [])),
        "parcels": [],
    }
    if key is not None:
        delivery["key"] = key
    if "address" in action:
        delivery["address"] = action["address"]
    custom = _custom(action.get("custom"))
    if custom is not None:
        delivery["custom"] = custom
    deliveries.append(delivery)
    for parcel in action.get("parcels", []):
        delivery["parcels"].append(_new_parcel(order, parcel.get("key"), parcel))


def _add_parcel(order: Json, action: Json) -> None:
    delivery = _delivery(order, action["deliveryKey"])
    delivery["parcels"].append(_new_parcel(order, action.get("parcelKey"), action))


def _set_tracking(order: Json, action: Json) -> None:
    parcel = _parcel(order, action["parcelKey"])
    if "trackingData" in action:
        parcel["trackingData"] = action["trackingData"]
    else:
        parcel.pop("trackingData", None)


def _update_sync_info(order: Json, action: Json) -> None:
    entry: Json = {"channel": {"typeId": "channel", "id": action["channel"]["id"]}}
    if "externalId" in action:
        entry["externalId"] = action["externalId"]
    entry["syncedAt"] = SYNCED_AT
    order.setdefault("syncInfo", []).append(entry)


_HANDLERS: dict[str, Callable[[Json, Json], None]] = {
    "setCustomType": _set_custom_type,
    "setCustomField": lambda order, a: _set_custom_field(order, a, "the order"),
    "changeOrderState": lambda order, a: order.__setitem__("orderState", a["orderState"]),
    "changeShipmentState": lambda order, a: order.__setitem__("shipmentState", a["shipmentState"]),
    "addDelivery": _add_delivery,
    "addParcelToDelivery": _add_parcel,
    "setParcelTrackingData": _set_tracking,
    "setDeliveryCustomType": lambda o, a: _set_custom_type(_delivery(o, a["deliveryKey"]), a),
    "setDeliveryCustomField": lambda o, a: _set_custom_field(
        _delivery(o, a["deliveryKey"]), a, f"delivery {a['deliveryKey']}"
    ),
    "setParcelCustomType": lambda o, a: _set_custom_type(_parcel(o, a["parcelKey"]), a),
    "setParcelCustomField": lambda o, a: _set_custom_field(
        _parcel(o, a["parcelKey"]), a, f"parcel {a['parcelKey']}"
    ),
    "setLineItemCustomType": lambda o, a: _set_custom_type(_line_item(o, a["lineItemId"]), a),
    "setLineItemCustomField": lambda o, a: _set_custom_field(
        _line_item(o, a["lineItemId"]), a, f"line item {a['lineItemId']}"
    ),
    "updateSyncInfo": _update_sync_info,
}


def apply_actions(order: Order, actions: Sequence[OrderUpdateAction]) -> Order:
    """The order after `actions`, one new version; each action goes through its wire JSON."""
    data = order.model_dump(by_alias=True, mode="json", exclude_none=True)
    for action in actions:
        wire = action.to_wire()
        handler = _HANDLERS.get(wire["action"])
        if handler is None:
            raise RefusedError(f"the applier does not know action {wire['action']}")
        handler(data, wire)
    data["version"] = order.version + 1
    return Order.model_validate(data)
