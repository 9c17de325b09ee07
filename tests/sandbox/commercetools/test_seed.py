"""The seed loader: what a fresh demo project holds, and paging through the bench catalog."""

from __future__ import annotations

import time

import httpx
import pytest

from sandbox.commercetools.app import create_app
from sandbox.commercetools.config import CommercetoolsSandboxConfig
from sandbox.commercetools.resources import new_store
from sandbox.commercetools.seed import load_seed
from sandbox.seed import SeedData, SeedSize, generate
from tests.sandbox.commercetools.conftest import fetch_token, ok


def test_demo_seed_contents(demo_seed: SeedData) -> None:
    store = new_store("demo")
    summary = load_seed(store, demo_seed)
    assert (summary.categories, summary.products, summary.variants) == (16, 24, 72)
    assert len(store.collection("message")) == 0
    categories = {c["key"]: c for c in store.collection("category")}
    for seeded in demo_seed.categories:
        category = categories[seeded.key]
        assert category["name"] == seeded.name
        if seeded.parent_key:
            assert category["ancestors"] == [
                {"typeId": "category", "id": categories[seeded.parent_key]["id"]}
            ]
    product = store.collection("product").find("key", demo_seed.products[0].key)
    assert product is not None
    seeded_product = demo_seed.products[0]
    data = product["masterData"]
    assert data["published"] is True
    assert data["current"]["description"] == seeded_product.description
    variant = data["current"]["masterVariant"]
    seeded_variant = seeded_product.variants[0]
    assert variant["sku"] == seeded_variant.sku
    assert {"name": "gtin", "value": seeded_variant.gtin} in variant["attributes"]
    assert [
        (p["value"]["currencyCode"], p["value"]["centAmount"], p.get("country"))
        for p in variant["prices"]
    ] == [(p.currency, p.cent_amount, p.country) for p in seeded_variant.prices]
    assert [c["id"] for c in data["current"]["categories"]] == [
        categories[k]["id"] for k in seeded_product.category_keys
    ]
    shipping = sorted(m["key"] for m in store.collection("shipping-method"))
    assert shipping == ["click-collect", "express", "standard"]
    assert len(store.collection("customer")) == 3


def test_seed_ids_are_stable(demo_seed: SeedData) -> None:
    first, second = new_store("demo"), new_store("demo")
    load_seed(first, demo_seed)
    load_seed(second, demo_seed)
    assert [p["id"] for p in first.collection("product")] == [
        p["id"] for p in second.collection("product")
    ]


def test_loading_twice_is_refused(demo_seed: SeedData) -> None:
    store = new_store("demo")
    load_seed(store, demo_seed)
    with pytest.raises(Exception, match="duplicate"):
        load_seed(store, demo_seed)


async def test_bench_catalog_pages_by_id() -> None:
    """SeedSize.bench (10,000 products x 3 variants) loads and pages as the client iterates."""
    data = generate(SeedSize.bench())
    started = time.perf_counter()
    app = create_app(CommercetoolsSandboxConfig(seed=data))
    load_seconds = time.perf_counter() - started
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ct") as http:
        headers = {"authorization": f"Bearer {await fetch_token(http)}"}
        seen = 0
        last = None
        while True:
            params: dict[str, str | int] = {"limit": 500, "withTotal": "false", "sort": "id asc"}
            if last is not None:
                params["where"] = f'id > "{last}"'
            page = ok(await http.get("/demo/product-projections", params=params, headers=headers))
            seen += page["count"]
            if page["count"] < 500:
                break
            last = page["results"][-1]["id"]
    assert seen == 10_000
    assert load_seconds < 120, f"loading the bench seed took {load_seconds:.1f} s"
