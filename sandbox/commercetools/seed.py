"""Load `sandbox.seed` data into a commercetools sandbox store, straight into memory.

Writes what a shop project holds before the connector starts: a product type with the
attributes the catalog uses (color, size, gtin), the categories (parents before children), the
products with their variants, prices, attributes and categories (all published), the shipping
methods `standard`, `express` and `click-collect`, and a few customers. Everything goes through
the same draft validation and create functions as the HTTP API, with stable ids, and creates no
messages (it is pre-existing data, not news).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.commercetools.resources import (
    categories,
    customers,
    product_types,
    products,
    shipping_methods,
)
from sandbox.commercetools.resources.reference_data import TAX_CATEGORY_KEY, ZONE_KEY
from sandbox.commercetools.store import Store, seeded_id
from sandbox.seed import SeedCategory, SeedData, SeedProduct

PRODUCT_TYPE_KEY = "sandbox-apparel"

# (key, name, {currency: (price, free above)}); click & collect is free everywhere.
SHIPPING_METHODS: tuple[tuple[str, str, dict[str, tuple[int, int | None]]], ...] = (
    ("standard", "Standard delivery", {"EUR": (490, 5000), "CHF": (690, 7000)}),
    ("express", "Express delivery", {"EUR": (990, None), "CHF": (1290, None)}),
    ("click-collect", "Click & collect", {"EUR": (0, None), "CHF": (0, None)}),
)

# (key, first name, last name, street, postal code, city, country)
CUSTOMERS: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("customer-anna", "Anna", "Schmidt", "Friedrichstrasse 12", "10117", "Berlin", "DE"),
    ("customer-lukas", "Lukas", "Gruber", "Mariahilfer Strasse 5", "1060", "Vienna", "AT"),
    ("customer-sophie", "Sophie", "Keller", "Bahnhofstrasse 40", "8001", "Zurich", "CH"),
)


@dataclass(frozen=True)
class SeedSummary:
    product_types: int
    categories: int
    products: int
    variants: int
    shipping_methods: int
    customers: int


def load_seed(store: Store, data: SeedData) -> SeedSummary:
    """Write `data` into `store`; raises the API's own errors if it clashes with what is there."""
    with store.without_messages():
        _product_type(store)
        for category in _parents_first(data.categories):
            _category(store, category)
        for product in data.products:
            _product(store, product)
        for key, name, rates in SHIPPING_METHODS:
            _shipping_method(store, key, name, rates)
        for customer in CUSTOMERS:
            _customer(store, *customer)
    return SeedSummary(
        product_types=1,
        categories=len(data.categories),
        products=len(data.products),
        variants=sum(len(p.variants) for p in data.products),
        shipping_methods=len(SHIPPING_METHODS),
        customers=len(CUSTOMERS),
    )


def _parents_first(items: tuple[SeedCategory, ...]) -> list[SeedCategory]:
    ordered: list[SeedCategory] = []
    placed: set[str] = set()
    remaining = list(items)
    while remaining:
        ready = [c for c in remaining if c.parent_key is None or c.parent_key in placed]
        if not ready:
            missing = sorted({c.parent_key or "" for c in remaining})
            raise ValueError(f"seed categories reference unknown parents: {missing}")
        ordered.extend(ready)
        placed.update(c.key for c in ready)
        remaining = [c for c in remaining if c.key not in placed]
    return ordered


def _product_type(store: Store) -> None:
    def text(name: str, label: str) -> dict[str, Any]:
        return {
            "type": {"name": "text"},
            "name": name,
            "label": {"en": label, "de": label},
            "isRequired": False,
        }

    draft = product_types.SPEC.draft
    assert draft is not None
    body = {
        "key": PRODUCT_TYPE_KEY,
        "name": "Apparel",
        "description": "Seeded product type of the sandbox catalog",
        "attributes": [text("color", "Color"), text("size", "Size"), text("gtin", "GTIN")],
    }
    product_types.create(
        store, draft.validate_python(body), seeded_id("product-type", PRODUCT_TYPE_KEY)
    )


def _category(store: Store, category: SeedCategory) -> None:
    body: dict[str, Any] = {
        "key": category.key,
        "name": category.name,
        "slug": category.slug,
        "orderHint": category.order_hint,
    }
    if category.parent_key is not None:
        body["parent"] = {"typeId": "category", "key": category.parent_key}
    draft = categories.SPEC.draft
    assert draft is not None
    categories.create(store, draft.validate_python(body), seeded_id("category", category.key))


def _product(store: Store, product: SeedProduct) -> None:
    variants = [
        {
            "sku": variant.sku,
            "key": variant.key,
            "prices": [
                {
                    "value": {"currencyCode": p.currency, "centAmount": p.cent_amount},
                    **({"country": p.country} if p.country else {}),
                }
                for p in variant.prices
            ],
            "attributes": [
                *({"name": name, "value": value} for name, value in variant.attributes.items()),
                {"name": "gtin", "value": variant.gtin},
            ],
        }
        for variant in product.variants
    ]
    body = {
        "productType": {"typeId": "product-type", "key": PRODUCT_TYPE_KEY},
        "key": product.key,
        "name": product.name,
        "description": product.description,
        "slug": product.slug,
        "categories": [{"typeId": "category", "key": key} for key in product.category_keys],
        "masterVariant": variants[0],
        "variants": variants[1:],
        "taxCategory": {"typeId": "tax-category", "key": TAX_CATEGORY_KEY},
        "publish": True,
    }
    draft = products.SPEC.draft
    assert draft is not None
    products.create(store, draft.validate_python(body), seeded_id("product", product.key))


def _shipping_method(
    store: Store, key: str, name: str, rates: dict[str, tuple[int, int | None]]
) -> None:
    shipping_rates = []
    for currency, (price, free_above) in rates.items():
        rate: dict[str, Any] = {"price": {"currencyCode": currency, "centAmount": price}}
        if free_above is not None:
            rate["freeAbove"] = {"currencyCode": currency, "centAmount": free_above}
        shipping_rates.append(rate)
    body = {
        "key": key,
        "name": name,
        "taxCategory": {"typeId": "tax-category", "key": TAX_CATEGORY_KEY},
        "zoneRates": [
            {"zone": {"typeId": "zone", "key": ZONE_KEY}, "shippingRates": shipping_rates}
        ],
        "isDefault": key == "standard",
    }
    draft = shipping_methods.SPEC.draft
    assert draft is not None
    shipping_methods.create(store, draft.validate_python(body), seeded_id("shipping-method", key))


def _customer(
    store: Store,
    key: str,
    first_name: str,
    last_name: str,
    street: str,
    postal_code: str,
    city: str,
    country: str,
) -> None:
    street_name, _, street_number = street.rpartition(" ")
    email = f"{first_name}.{last_name}@example.com".lower()
    body = {
        "key": key,
        "email": email,
        "password": f"{first_name.lower()}-sandbox",
        "firstName": first_name,
        "lastName": last_name,
        "customerNumber": f"C-{key.removeprefix('customer-').upper()}",
        "addresses": [
            {
                "key": f"{key}-home",
                "firstName": first_name,
                "lastName": last_name,
                "streetName": street_name,
                "streetNumber": street_number,
                "postalCode": postal_code,
                "city": city,
                "country": country,
                "email": email,
            }
        ],
        "defaultShippingAddress": 0,
        "defaultBillingAddress": 0,
        "isEmailVerified": True,
    }
    draft = customers.SPEC.draft
    assert draft is not None
    customers.create(store, draft.validate_python(body), seeded_id("customer", key))
