"""Deterministic seed data for both sandboxes.

One generator, one fixed RNG seed: the same sizes always give the same catalog, network and
stock, so the demo, the integration tests and the benchmarks are repeatable. The data is plain
(frozen dataclasses); each sandbox has its own loader that writes it into its store.

Sizes are parameters: `SeedSize.demo()` is small enough to read; `SeedSize.bench()` is at least
10,000 products x 3 variants and 200 locations. Stock is sparse for large networks (each SKU is
held by a bounded number of locations) so memory stays proportional to what a real network holds.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

DEFAULT_SEED = 20261129
NETWORK_REF = "NETWORK_DEMO"


@dataclass(frozen=True)
class SeedSize:
    products: int
    variants_per_product: int
    locations: int
    root_categories: int = 4
    subcategories_per_root: int = 3
    # How many locations hold each SKU; None means every location.
    stock_locations_per_sku: int | None = None
    inactive_every: int = 7  # every n-th location is INACTIVE

    @classmethod
    def demo(cls) -> SeedSize:
        return cls(products=24, variants_per_product=3, locations=8)

    @classmethod
    def bench(cls) -> SeedSize:
        return cls(
            products=10_000,
            variants_per_product=3,
            locations=200,
            root_categories=8,
            subcategories_per_root=6,
            stock_locations_per_sku=12,
        )


@dataclass(frozen=True)
class SeedCategory:
    key: str
    name: dict[str, str]
    slug: dict[str, str]
    order_hint: str
    parent_key: str | None = None


@dataclass(frozen=True)
class SeedPrice:
    currency: str
    cent_amount: int
    country: str | None = None


@dataclass(frozen=True)
class SeedVariant:
    sku: str
    key: str
    gtin: str
    prices: tuple[SeedPrice, ...]
    attributes: dict[str, str]


@dataclass(frozen=True)
class SeedProduct:
    key: str
    name: dict[str, str]
    description: dict[str, str]
    slug: dict[str, str]
    category_keys: tuple[str, ...]
    variants: tuple[SeedVariant, ...]  # the first is the master variant


@dataclass(frozen=True)
class SeedAddress:
    street: str
    city: str
    postcode: str
    state: str
    country: str
    latitude: float
    longitude: float
    time_zone: str


@dataclass(frozen=True)
class SeedLocation:
    ref: str
    name: str
    type: str  # STORE or WAREHOUSE
    status: str  # ACTIVE or INACTIVE
    phone: str
    address: SeedAddress
    opening_hours: tuple[int, int] | None  # (open, close) as HHMM every day; None: all hours


@dataclass(frozen=True)
class SeedStock:
    location_ref: str
    sku: str
    on_hand: int


@dataclass(frozen=True)
class SeedData:
    size: SeedSize
    seed: int
    network_ref: str
    categories: tuple[SeedCategory, ...]
    products: tuple[SeedProduct, ...]
    locations: tuple[SeedLocation, ...]
    stock: tuple[SeedStock, ...] = field(repr=False)

    @property
    def skus(self) -> Iterator[str]:
        return (v.sku for p in self.products for v in p.variants)


# Real cities (name, country, state, latitude, longitude, IANA time zone). Large networks place
# further locations around these at small offsets.
_CITIES: tuple[tuple[str, str, str, float, float, str], ...] = (
    ("Berlin", "DE", "BE", 52.5200, 13.4050, "Europe/Berlin"),
    ("Munich", "DE", "BY", 48.1351, 11.5820, "Europe/Berlin"),
    ("Hamburg", "DE", "HH", 53.5511, 9.9937, "Europe/Berlin"),
    ("Cologne", "DE", "NW", 50.9375, 6.9603, "Europe/Berlin"),
    ("Frankfurt", "DE", "HE", 50.1109, 8.6821, "Europe/Berlin"),
    ("Stuttgart", "DE", "BW", 48.7758, 9.1829, "Europe/Berlin"),
    ("Leipzig", "DE", "SN", 51.3397, 12.3731, "Europe/Berlin"),
    ("Dresden", "DE", "SN", 51.0504, 13.7373, "Europe/Berlin"),
    ("Hanover", "DE", "NI", 52.3759, 9.7320, "Europe/Berlin"),
    ("Nuremberg", "DE", "BY", 49.4521, 11.0767, "Europe/Berlin"),
    ("Vienna", "AT", "W", 48.2082, 16.3738, "Europe/Vienna"),
    ("Zurich", "CH", "ZH", 47.3769, 8.5417, "Europe/Zurich"),
    ("Amsterdam", "NL", "NH", 52.3676, 4.9041, "Europe/Amsterdam"),
    ("Brussels", "BE", "BRU", 50.8503, 4.3517, "Europe/Brussels"),
    ("Paris", "FR", "IDF", 48.8566, 2.3522, "Europe/Paris"),
    ("Copenhagen", "DK", "84", 55.6761, 12.5683, "Europe/Copenhagen"),
)
_STREETS = ("Hauptstrasse", "Bahnhofstrasse", "Marktplatz", "Lindenallee", "Schillerstrasse")
_COLORS = ("black", "white", "red", "blue", "green", "grey")
_SIZES = ("S", "M", "L", "XL")
_NOUNS = ("Shirt", "Jacket", "Sneaker", "Backpack", "Cap", "Scarf", "Hoodie", "Dress")
_ADJECTIVES = ("Classic", "Urban", "Alpine", "Coastal", "Everyday", "Trail", "Studio", "Nordic")
_NOUNS_DE = {
    "Shirt": "Hemd",
    "Jacket": "Jacke",
    "Sneaker": "Turnschuh",
    "Backpack": "Rucksack",
    "Cap": "Muetze",
    "Scarf": "Schal",
    "Hoodie": "Kapuzenpulli",
    "Dress": "Kleid",
}


def generate(size: SeedSize | None = None, seed: int = DEFAULT_SEED) -> SeedData:
    """The whole data set for `size`, identical for identical arguments."""
    size = size or SeedSize.demo()
    rng = random.Random(seed)
    categories = _categories(size)
    leaf_keys = [c.key for c in categories if c.parent_key is not None]
    products = tuple(_product(rng, i, size, leaf_keys) for i in range(size.products))
    locations = tuple(_location(rng, i, size) for i in range(size.locations))
    stock = tuple(_stock(rng, size, products, locations))
    return SeedData(
        size=size,
        seed=seed,
        network_ref=NETWORK_REF,
        categories=categories,
        products=products,
        locations=locations,
        stock=stock,
    )


def _categories(size: SeedSize) -> tuple[SeedCategory, ...]:
    result: list[SeedCategory] = []
    for r in range(size.root_categories):
        root_key = f"cat-{r:02d}"
        result.append(
            SeedCategory(
                key=root_key,
                name={"en": f"Department {r + 1}", "de": f"Abteilung {r + 1}"},
                slug={"en": f"department-{r + 1}", "de": f"abteilung-{r + 1}"},
                order_hint=f"0.{r + 1}",
            )
        )
        for s in range(size.subcategories_per_root):
            key = f"{root_key}-{s:02d}"
            result.append(
                SeedCategory(
                    key=key,
                    name={"en": f"Range {r + 1}.{s + 1}", "de": f"Sortiment {r + 1}.{s + 1}"},
                    slug={"en": f"range-{r + 1}-{s + 1}", "de": f"sortiment-{r + 1}-{s + 1}"},
                    order_hint=f"0.{r + 1}{s + 1}",
                    parent_key=root_key,
                )
            )
    return tuple(result)


def _gtin(rng: random.Random) -> str:
    """A 13-digit GTIN with a valid check digit."""
    digits = [rng.randrange(10) for _ in range(12)]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def _product(rng: random.Random, index: int, size: SeedSize, leaf_keys: list[str]) -> SeedProduct:
    noun = _NOUNS[index % len(_NOUNS)]
    adjective = _ADJECTIVES[(index // len(_NOUNS)) % len(_ADJECTIVES)]
    key = f"prod-{index:05d}"
    base_price = rng.randrange(990, 19990, 100)
    variants = []
    for v in range(size.variants_per_product):
        sku = f"SKU-{index:05d}-{v + 1}"
        color = _COLORS[(index + v) % len(_COLORS)]
        variants.append(
            SeedVariant(
                sku=sku,
                key=f"{key}-v{v + 1}",
                gtin=_gtin(rng),
                prices=(
                    SeedPrice("EUR", base_price + 100 * v),
                    SeedPrice("EUR", base_price + 100 * v + 200, "AT"),
                    SeedPrice("CHF", (base_price + 100 * v) * 11 // 10, "CH"),
                ),
                attributes={"color": color, "size": _SIZES[v % len(_SIZES)]},
            )
        )
    categories = tuple(sorted({rng.choice(leaf_keys) for _ in range(rng.randint(1, 2))}))
    return SeedProduct(
        key=key,
        name={"en": f"{adjective} {noun} {index}", "de": f"{adjective} {_NOUNS_DE[noun]} {index}"},
        description={
            "en": f"The {adjective.lower()} {noun.lower()} for every day.",
            "de": f"Der {adjective} {_NOUNS_DE[noun]} fuer jeden Tag.",
        },
        slug={"en": f"{key}-en", "de": f"{key}-de"},
        category_keys=categories,
        variants=tuple(variants),
    )


def _location(rng: random.Random, index: int, size: SeedSize) -> SeedLocation:
    city, country, state, lat, lng, tz = _CITIES[index % len(_CITIES)]
    ring = index // len(_CITIES)
    # Further rings sit a few kilometres around the city centre.
    if ring:
        lat += rng.uniform(-0.08, 0.08)
        lng += rng.uniform(-0.12, 0.12)
    is_warehouse = index % 5 == 4
    kind = "WAREHOUSE" if is_warehouse else "STORE"
    every = size.inactive_every
    status = "INACTIVE" if every and index % every == every - 1 else "ACTIVE"
    ref = f"{'WH' if is_warehouse else 'ST'}-{index + 1:03d}"
    return SeedLocation(
        ref=ref,
        name=f"{city} {'Warehouse' if is_warehouse else 'Store'} {ring + 1}",
        type=kind,
        status=status,
        phone=f"+49 30 {rng.randrange(1000000, 9999999)}",
        address=SeedAddress(
            street=f"{_STREETS[index % len(_STREETS)]} {rng.randint(1, 120)}",
            city=city,
            postcode=f"{rng.randrange(10000, 99999)}",
            state=state,
            country=country,
            latitude=round(lat, 6),
            longitude=round(lng, 6),
            time_zone=tz,
        ),
        opening_hours=None if is_warehouse else (900, 2000),
    )


def _stock(
    rng: random.Random,
    size: SeedSize,
    products: tuple[SeedProduct, ...],
    locations: tuple[SeedLocation, ...],
) -> Iterator[SeedStock]:
    refs = [loc.ref for loc in locations]
    per_sku = size.stock_locations_per_sku
    for product in products:
        for variant in product.variants:
            held_by = refs if per_sku is None or per_sku >= len(refs) else rng.sample(refs, per_sku)
            for ref in held_by:
                yield SeedStock(location_ref=ref, sku=variant.sku, on_hand=rng.randint(0, 25))
