"""Sourcing: which locations fill an order, and how much each of them fills.

The order workflow calls `plan_sourcing` with the network's locations and their stock of the
ordered SKUs, then creates the planned fulfilments in Fluent. The module is pure (no I/O, no
clock, no randomness, no Temporal import) and deterministic, so it runs inside workflow code;
every type is a frozen pydantic model and travels through Temporal's pydantic data converter.

Candidates
    A location is a candidate when it is ACTIVE, not in `excluded_location_refs` and, when a
    destination is known, has coordinates. Stock of a SKU the location does not list is 0, and so
    is negative stock (Fluent's on-hand goes negative when it oversells). Distances are haversine
    great-circle kilometres on a sphere of radius `EARTH_RADIUS_KM`. Without destination
    coordinates every distance counts as 0 and `distance_km` is reported as None.

Home delivery (HD)
    1. Demand per SKU is the sum of its lines. The fillable demand is the smaller of the demand
       and the candidates' total stock; the rest of each SKU is unfillable (see step 3).
    2. Choose the source locations: the set whose combined stock covers the fillable demand of
       every SKU and that is smallest by, in order, (a) number of locations, (b) total distance
       to the destination (sum over the chosen locations), (c) the chosen locations compared
       closest-first, position by position, by (distance, ref). Rule (c) is a total order, so the
       optimum is unique; when the distances are equal (always, without a destination) it is
       simply the comparison of the sorted refs. So the closest single location that can fill
       everything wins when one exists; otherwise the order is split over the fewest locations.
    3. Allocate each line, in line order, from the chosen locations closest-first, each time as
       much as the location still holds (a line may be split across locations). What no chosen
       location holds is unfillable; that happens exactly for the quantity of a SKU beyond the
       candidates' total stock, and the last lines of that SKU are the ones left short.

Click and collect (CC)
    The pickup location first fills what it holds, per line in line order, as one `CC_PICKUP`
    fulfilment (distance 0), but only when it is ACTIVE and not excluded. The rest is sourced as
    for HD with the pickup location's coordinates as the destination and the pickup location
    itself left out, as `CC_TRANSFER` fulfilments whose `destination_location_ref` is the pickup
    location (also when the pickup location is inactive or excluded: it is still where the
    customer collects).

Re-sourcing after a rejection is the same call with the rejecting location in
`excluded_location_refs` and only the rejected quantities as lines.

Output order: the `CC_PICKUP` fulfilment first, then the others closest-first (then by ref);
items in line order; `unfillable` holds one item per short line, in line order.

The search and its guarantee
    Choosing the sources is a minimum-cardinality multi-cover problem (NP-hard in general), so
    the exact search runs under a work budget, `max_search_nodes` (default
    `DEFAULT_MAX_SEARCH_NODES`): each candidate set the search examines costs one node and
    O(number of SKUs) time, so the budget bounds the planning time and a workflow never hangs.
    - Reduction: quantities are capped at the fillable demand; locations holding none of it are
      dropped; a greedy cover gives an upper bound U on the optimal count, and a location is
      dropped when at least U locations that rank before it (closer, or as close with a smaller
      ref) hold at least as much of every SKU. In any set of at most U locations that contains
      it, one of those is missing and swapping it in is strictly better, so it is never in the
      optimum (this stays correct for identical locations, where one alone would not do).
    - Search: iterative deepening on the count, skipping counts below a lower bound (per SKU and
      in total units, the fewest locations whose largest quantities reach the demand); for each
      count, a depth-first enumeration of sets in closest-first order with branch and bound: a
      partial set is abandoned when even the closest remaining locations cannot beat the best
      total distance found, or when the largest remaining quantities cannot cover what is still
      missing. Distances are compared as whole nanometres, so totals are exact integers and ties
      are decided by rule (c), not by floating-point rounding.
    - Guarantee: when the search finishes within the budget, `plan.optimal` is True and the
      chosen set is the optimum defined in step 2. When the budget runs out, `plan.optimal` is
      False and the plan uses the best set found for the smallest count not yet ruled out when
      one was found (that count is then optimal, the distance possibly not), else the greedy
      cover: repeatedly the location covering the most missing units, ties to the closest, then
      locations whose removal keeps the cover complete dropped, farthest first. Either way every
      other guarantee holds: each line's planned plus unfillable quantity equals its quantity,
      no location is given more of a SKU than it holds, only candidates are used, and a SKU is
      unfillable only beyond the candidates' total stock. The same input gives the same plan,
      whatever the order of the locations.
"""

from __future__ import annotations

import math
from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    model_validator,
)

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG)."""

DEFAULT_MAX_SEARCH_NODES = 25_000
"""Work budget of the exact search. A node costs about 5-8 microseconds of CPU with 20 SKUs, so
the budget keeps one planning call around 0.2 s at worst: planning runs inside a workflow task,
and the SDK flags a task that does not yield for 2 s as a potential deadlock, which a loaded
machine must not get near."""

_NANOMETRES_PER_KM = 1_000_000_000_000

OrderType = Literal["HD", "CC"]
FulfilmentKind = Literal["HD", "CC_PICKUP", "CC_TRANSFER"]


class SourcingError(ValueError):
    """A sourcing request or network that cannot be planned; the message says what is wrong."""


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{where}: {message}" if where else message)
    return f"invalid {exc.title}: " + "; ".join(problems)


class _Model(BaseModel):
    """Frozen, so a plan cannot change after it is made; unknown fields are ignored so a payload
    written by a newer worker still reads."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise SourcingError(_describe(exc)) from exc


class Coordinates(_Model):
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)


def haversine_km(origin: Coordinates, destination: Coordinates) -> float:
    """Great-circle distance in kilometres."""
    lat1, lon1 = math.radians(origin.latitude), math.radians(origin.longitude)
    lat2, lon2 = math.radians(destination.latitude), math.radians(destination.longitude)
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    # Rounding can push `a` a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


class SourcingLocation(_Model):
    """A location of the network with its stock per SKU (on hand, as Fluent reports it)."""

    ref: str = Field(min_length=1)
    coordinates: Coordinates | None
    active: bool
    stock: dict[str, int]

    def available(self, sku: str) -> int:
        """What the location can give of `sku`: unlisted or negative stock is 0."""
        return max(0, self.stock.get(sku, 0))


class OrderLine(_Model):
    ref: str = Field(min_length=1)
    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0)


class SourcingRequest(_Model):
    """What to source. HD may carry the delivery coordinates; CC names the pickup location, whose
    own coordinates are the destination (so a CC request carries no `destination`)."""

    order_type: OrderType
    lines: tuple[OrderLine, ...]
    destination: Coordinates | None = None
    pickup_location_ref: str | None = Field(default=None, min_length=1)
    excluded_location_refs: frozenset[str] = frozenset()

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        if not self.lines:
            raise ValueError("a request needs at least one line")
        refs = [line.ref for line in self.lines]
        duplicates = sorted({ref for ref in refs if refs.count(ref) > 1})
        if duplicates:
            raise ValueError(f"line refs must be unique, repeated: {', '.join(duplicates)}")
        if self.order_type == "CC":
            if self.pickup_location_ref is None:
                raise ValueError("a CC request needs pickup_location_ref")
            if self.destination is not None:
                raise ValueError(
                    "a CC request takes its destination from the pickup location; "
                    "destination must be empty"
                )
        elif self.pickup_location_ref is not None:
            raise ValueError("an HD request has no pickup_location_ref")
        return self

    @field_serializer("excluded_location_refs")
    def _serialise_sorted(self, refs: frozenset[str]) -> list[str]:
        """Sorted, so the same request always gives the same payload bytes."""
        return sorted(refs)


class PlannedItem(_Model):
    line_ref: str = Field(min_length=1)
    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0)


class PlannedFulfilment(_Model):
    """One fulfilment to create: `location_ref` fills `items`. `distance_km` is from the location
    to the destination (the delivery address, or the pickup location), None when unknown."""

    location_ref: str = Field(min_length=1)
    kind: FulfilmentKind
    items: tuple[PlannedItem, ...]
    distance_km: float | None
    destination_location_ref: str | None = None

    @model_validator(mode="after")
    def _check_items(self) -> Self:
        if not self.items:
            raise ValueError("a fulfilment needs at least one item")
        return self


class SourcingPlan(_Model):
    """The fulfilments to create and what no candidate can fill. `optimal` is False when the
    search budget ran out and a valid but possibly not optimal choice of locations was made."""

    fulfilments: tuple[PlannedFulfilment, ...]
    unfillable: tuple[PlannedItem, ...]
    optimal: bool

    @property
    def is_complete(self) -> bool:
        """Everything ordered is planned somewhere."""
        return not self.unfillable


@dataclass(frozen=True)
class _Candidate:
    location: SourcingLocation
    distance_km: float | None

    @property
    def rank(self) -> tuple[int, str]:
        """Closest first, then by ref: the order of allocation, of output, and of tie-breaks."""
        if self.distance_km is None:
            return (0, self.location.ref)
        return (round(self.distance_km * _NANOMETRES_PER_KM), self.location.ref)


def plan_sourcing(
    request: SourcingRequest,
    locations: Iterable[SourcingLocation],
    *,
    max_search_nodes: int = DEFAULT_MAX_SEARCH_NODES,
) -> SourcingPlan:
    """Plan which locations fill `request` (see the module docstring for rules and guarantees).

    Raises `SourcingError` for a negative budget, repeated location refs, or a CC pickup location
    that is not among `locations`.
    """
    if max_search_nodes < 0:
        raise SourcingError(f"max_search_nodes must be >= 0, got {max_search_nodes}")
    network = _index_by_ref(locations)
    demands = [
        PlannedItem(line_ref=ln.ref, sku=ln.sku, quantity=ln.quantity) for ln in request.lines
    ]
    excluded = request.excluded_location_refs

    if request.order_type == "HD":
        fulfilments, unfillable, optimal = _source_from_network(
            demands,
            network.values(),
            destination=request.destination,
            excluded=excluded,
            kind="HD",
            destination_ref=None,
            max_search_nodes=max_search_nodes,
        )
        return SourcingPlan(fulfilments=fulfilments, unfillable=unfillable, optimal=optimal)

    pickup_ref = request.pickup_location_ref
    assert pickup_ref is not None  # guaranteed by SourcingRequest's validation of CC requests
    pickup = network.get(pickup_ref)
    if pickup is None:
        raise SourcingError(f"pickup location {pickup_ref!r} is not among the locations")
    picked: list[PlannedFulfilment] = []
    if pickup.active and pickup.ref not in excluded:
        picked, demands = _allocate(
            demands, [_Candidate(pickup, 0.0)], kind="CC_PICKUP", destination_ref=pickup_ref
        )
    transfers, unfillable, optimal = _source_from_network(
        demands,
        network.values(),
        destination=pickup.coordinates,
        excluded=excluded | {pickup_ref},
        kind="CC_TRANSFER",
        destination_ref=pickup_ref,
        max_search_nodes=max_search_nodes,
    )
    return SourcingPlan(fulfilments=(*picked, *transfers), unfillable=unfillable, optimal=optimal)


def _index_by_ref(locations: Iterable[SourcingLocation]) -> dict[str, SourcingLocation]:
    network: dict[str, SourcingLocation] = {}
    repeated: set[str] = set()
    for location in locations:
        if location.ref in network:
            repeated.add(location.ref)
        network[location.ref] = location
    if repeated:
        raise SourcingError(
            f"location refs must be unique, repeated: {', '.join(sorted(repeated))}"
        )
    return network


def _source_from_network(
    demands: Sequence[PlannedItem],
    locations: Iterable[SourcingLocation],
    *,
    destination: Coordinates | None,
    excluded: frozenset[str],
    kind: FulfilmentKind,
    destination_ref: str | None,
    max_search_nodes: int,
) -> tuple[list[PlannedFulfilment], list[PlannedItem], bool]:
    """Choose the sources among the candidates and allocate `demands` to them."""
    candidates = sorted(
        (
            _Candidate(loc, _distance(destination, loc.coordinates))
            for loc in locations
            if loc.active
            and loc.ref not in excluded
            and (destination is None or loc.coordinates is not None)
        ),
        key=lambda candidate: candidate.rank,
    )
    demand_by_sku: dict[str, int] = {}
    for demand in demands:
        demand_by_sku[demand.sku] = demand_by_sku.get(demand.sku, 0) + demand.quantity
    skus = sorted(demand_by_sku)
    fillable = tuple(
        min(demand_by_sku[sku], sum(c.location.available(sku) for c in candidates)) for sku in skus
    )
    # Quantities beyond the fillable demand make no difference to any choice.
    capped = [
        tuple(
            min(c.location.available(sku), need) for sku, need in zip(skus, fillable, strict=True)
        )
        for c in candidates
    ]
    useful = [index for index, caps in enumerate(capped) if any(caps)]
    chosen, optimal = _choose_sources(
        fillable,
        [capped[i] for i in useful],
        [candidates[i].rank[0] for i in useful],
        max_search_nodes,
    )
    sources = [candidates[useful[i]] for i in chosen]
    fulfilments, unfillable = _allocate(
        demands, sources, kind=kind, destination_ref=destination_ref
    )
    return fulfilments, unfillable, optimal


def _distance(destination: Coordinates | None, origin: Coordinates | None) -> float | None:
    if destination is None or origin is None:
        return None
    return haversine_km(origin, destination)


def _allocate(
    demands: Sequence[PlannedItem],
    sources: Sequence[_Candidate],
    *,
    kind: FulfilmentKind,
    destination_ref: str | None,
) -> tuple[list[PlannedFulfilment], list[PlannedItem]]:
    """Fill each demand in order from `sources` in their order; return the fulfilments of the
    sources that give something, and what is left of each demand."""
    left = [{d.sku: source.location.available(d.sku) for d in demands} for source in sources]
    items: list[list[PlannedItem]] = [[] for _ in sources]
    remainders: list[PlannedItem] = []
    for demand in demands:
        missing = demand.quantity
        for stock, given in zip(left, items, strict=True):
            take = min(missing, stock[demand.sku])
            if take:
                given.append(PlannedItem(line_ref=demand.line_ref, sku=demand.sku, quantity=take))
                stock[demand.sku] -= take
                missing -= take
        if missing:
            remainders.append(demand.model_copy(update={"quantity": missing}))
    fulfilments = [
        PlannedFulfilment(
            location_ref=source.location.ref,
            kind=kind,
            items=tuple(given),
            distance_km=source.distance_km,
            destination_location_ref=destination_ref,
        )
        for source, given in zip(sources, items, strict=True)
        if given
    ]
    return fulfilments, remainders


# --- choosing the sources: the pool is indexed closest-first; caps are per SKU, capped at demand


def _choose_sources(
    demand: tuple[int, ...],
    caps: Sequence[tuple[int, ...]],
    distances: Sequence[int],
    max_search_nodes: int,
) -> tuple[list[int], bool]:
    """Indices (ascending) of the chosen pool members, and whether the choice is proven optimal.

    `distances` are in nanometres and ascending (the pool's order); every member holds something
    of the demand and the pool together covers it.
    """
    if not any(demand):
        return [], True
    greedy = _greedy_cover(demand, caps)
    kept = _undominated(caps, bound=len(greedy))
    search = _CoverSearch(
        demand,
        [caps[i] for i in kept],
        [distances[i] for i in kept],
        max_size=len(greedy),
        max_nodes=max_search_nodes,
    )
    try:
        for size in range(1, len(greedy) + 1):
            best = search.best_of_size(size)
            if best is not None:
                return [kept[i] for i in best], True
    except _BudgetExhaustedError:
        if search.best is not None:
            return [kept[i] for i in search.best], False
        return greedy, False
    raise AssertionError("the greedy cover proves that a cover of its size exists")


def _covers(
    demand: tuple[int, ...], caps: Sequence[tuple[int, ...]], members: Iterable[int]
) -> bool:
    supplied = [0] * len(demand)
    for member in members:
        supplied = [have + cap for have, cap in zip(supplied, caps[member], strict=True)]
    return all(have >= need for have, need in zip(supplied, demand, strict=True))


def _greedy_cover(demand: tuple[int, ...], caps: Sequence[tuple[int, ...]]) -> list[int]:
    """Most missing units covered first (ties to the closest), then redundant members dropped,
    farthest first. Every member of the result is needed."""
    missing = list(demand)
    chosen: list[int] = []
    while any(missing):
        pick = max(
            (i for i in range(len(caps)) if i not in chosen),
            key=lambda i: (sum(map(min, caps[i], missing)), -i),
        )
        chosen.append(pick)
        missing = [max(0, need - cap) for need, cap in zip(missing, caps[pick], strict=True)]
    for member in sorted(chosen, reverse=True):
        rest = [i for i in chosen if i != member]
        if _covers(demand, caps, rest):
            chosen = rest
    return sorted(chosen)


def _undominated(caps: Sequence[tuple[int, ...]], *, bound: int) -> list[int]:
    """Members with fewer than `bound` (an upper bound on the optimal count) better-ranked
    members holding at least as much of every SKU; the others cannot be in the optimum."""
    kept = []
    for index, own in enumerate(caps):
        dominators = 0
        for better in caps[:index]:
            if all(mine <= theirs for mine, theirs in zip(own, better, strict=True)):
                dominators += 1
                if dominators >= bound:
                    break
        if dominators < bound:
            kept.append(index)
    return kept


class _BudgetExhaustedError(Exception):
    """The exact search used up its node budget."""


class _CoverSearch:
    """Best cover of a given size by branch and bound over closest-first combinations.

    Combinations are enumerated in lexicographic order of pool indices, so among covers with the
    same total distance the first one found is the one rule (c) prefers; that is why a branch
    whose distance bound merely equals the best total can be abandoned.
    """

    def __init__(
        self,
        demand: tuple[int, ...],
        caps: list[tuple[int, ...]],
        distances: list[int],
        *,
        max_size: int,
        max_nodes: int,
    ) -> None:
        self._demand = demand
        self._caps = caps
        self._distances = distances
        self._prefix_distance = [0, *accumulate(distances)]
        # Per SKU, and for the total units last: from each index on, the sum of the r largest
        # quantities for every r up to `max_size`. No r members from there can supply more.
        columns = [*zip(*caps, strict=True), tuple(map(sum, caps))]
        per_column = [_suffix_top_sums(column, max_size) for column in columns]
        self._reach = [list(at_start) for at_start in zip(*per_column, strict=True)]
        self._nodes_left = max_nodes
        self._chosen: list[int] = []
        self._best_distance = 0
        self.best: list[int] | None = None

    def can_cover(self, missing: tuple[int, ...], start: int, picks: int) -> bool:
        """Whether `picks` members from `start` on could still supply `missing`."""
        reach = self._reach[start]
        return sum(missing) <= reach[-1][picks] and all(
            need <= sums[picks] for need, sums in zip(missing, reach, strict=False)
        )

    def best_of_size(self, size: int) -> list[int] | None:
        """The best cover with exactly `size` members, or None if there is none."""
        self.best = None
        if self.can_cover(self._demand, 0, size):
            self._extend(0, size, self._demand, 0)
        return self.best

    def _extend(self, start: int, picks: int, missing: tuple[int, ...], distance: int) -> None:
        prefix = self._prefix_distance
        for index in range(start, len(self._caps) - picks + 1):
            # The closest completion through `index`; it only grows with `index`.
            bound = distance + prefix[index + picks] - prefix[index]
            if self.best is not None and bound >= self._best_distance:
                return
            if self._nodes_left == 0:
                raise _BudgetExhaustedError
            self._nodes_left -= 1
            still = tuple(
                max(0, need - cap) for need, cap in zip(missing, self._caps[index], strict=True)
            )
            self._chosen.append(index)
            if picks == 1:
                if not any(still):
                    self.best = list(self._chosen)
                    self._best_distance = distance + self._distances[index]
            elif self.can_cover(still, index + 1, picks - 1):
                self._extend(index + 1, picks - 1, still, distance + self._distances[index])
            self._chosen.pop()


def _suffix_top_sums(column: Sequence[int], depth: int) -> list[list[int]]:
    """For each start index (and the end), the sums of the 0..`depth` largest values from there
    on; past the last value the sums stay flat."""
    sums = [[0] * (depth + 1)]
    largest: list[int] = []  # negated, ascending: the largest values first
    for value in reversed(column):
        insort(largest, -value)
        del largest[depth:]
        running = [0, *accumulate(-negated for negated in largest)]
        sums.append(running + [running[-1]] * (depth + 1 - len(running)))
    sums.reverse()
    return sums
