"""Tax categories, zones and states: read-only, created with the project.

Shipping methods must reference a tax category and zones, so the sandbox provides a
`standard` tax category (the configured rate, for every country of `COUNTRIES`) and a `world`
zone (the same countries). Line items start in the built-in `Initial` line item state. These can
be queried and expanded but not created or changed.
"""

from __future__ import annotations

from typing import Any

from sandbox.commercetools.resources.base import KEY_UNIQUE, ResourceSpec
from sandbox.commercetools.store import Resource, Store, seeded_id

COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "CH",
    "GB",
    "NO",
    "IS",
    "LI",
    "US",
    "CA",
    "AU",
]
TAX_CATEGORY_KEY = "standard"
ZONE_KEY = "world"
INITIAL_STATE_KEY = "Initial"


def initial_line_item_state_id() -> str:
    return seeded_id("state", INITIAL_STATE_KEY)


def tax_rate(store: Store, country: str) -> Resource:
    """The sandbox's single rate for `country`, as the tax category holds it and carts use it."""
    pricing = store.pricing
    return {
        "id": seeded_id("tax-rate", country),
        "name": pricing.rate_name,
        "amount": pricing.tax_rate,
        "includedInPrice": pricing.included_in_price,
        "country": country,
        "subRates": [],
    }


def install(store: Store) -> None:
    """Create the project's tax category and zone (idempotent)."""
    if store.collection("tax-category").find("key", TAX_CATEGORY_KEY) is None:
        tax_category = store.base_fields(seeded_id("tax-category", TAX_CATEGORY_KEY))
        tax_category.update(
            key=TAX_CATEGORY_KEY,
            name="Standard",
            description="The sandbox's single tax rate (CommercetoolsSandboxConfig.tax_rate).",
            rates=[tax_rate(store, country) for country in COUNTRIES],
        )
        store.insert("tax-category", tax_category)
    if store.collection("zone").find("key", ZONE_KEY) is None:
        zone = store.base_fields(seeded_id("zone", ZONE_KEY))
        zone.update(
            key=ZONE_KEY,
            name="World",
            description="Every country the sandbox ships to.",
            locations=[{"country": country} for country in COUNTRIES],
        )
        store.insert("zone", zone)
    if store.collection("state").find("key", INITIAL_STATE_KEY) is None:
        state = store.base_fields(initial_line_item_state_id())
        state.update(
            key=INITIAL_STATE_KEY,
            type="LineItemState",
            name={"en": "Initial"},
            initial=True,
            builtIn=True,
            roles=[],
        )
        store.insert("state", state)


def zone_countries(zone: Resource) -> set[str]:
    return {location["country"] for location in zone["locations"]}


TAX_CATEGORY_SPEC: ResourceSpec[Any, Any] = ResourceSpec(
    path="tax-categories",
    type_id="tax-category",
    scope="tax_categories",
    unique=(KEY_UNIQUE,),
    deletable=False,
)
ZONE_SPEC: ResourceSpec[Any, Any] = ResourceSpec(
    path="zones",
    type_id="zone",
    scope="shipping_methods",
    unique=(KEY_UNIQUE,),
    deletable=False,
)
STATE_SPEC: ResourceSpec[Any, Any] = ResourceSpec(
    path="states",
    type_id="state",
    scope="states",
    unique=(KEY_UNIQUE,),
    deletable=False,
)
