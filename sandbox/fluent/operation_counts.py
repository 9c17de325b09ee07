"""GraphQL requests counted by operation: `mutation createStandardProduct`, `query categories`.

The shared request counters (`/sandbox/requests`) see every GraphQL call as `POST /graphql`,
reads and writes alike. These counters tell them apart, so a test can assert that a sync over
unchanged data wrote nothing (`mutations == 0`). `GET /sandbox/graphql-operations` reads them,
`DELETE` resets them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from fastapi import APIRouter
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse


@lru_cache(maxsize=512)
def operation_labels(query: str, operation_name: str | None) -> tuple[str, ...]:
    """`<operation type> <root field>` for each root field of the operation the request runs
    (none for a document that does not parse or names no such operation)."""
    try:
        document = parse(query)
    except GraphQLError:
        return ()
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [
        op
        for op in operations
        if operation_name is None or (op.name is not None and op.name.value == operation_name)
    ]
    if len(chosen) != 1:
        return ()
    (operation,) = chosen
    kind = operation.operation.value
    return tuple(
        f"{kind} {selection.name.value}"
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode)
    )


class GraphqlOperationCounts:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def record(self, body: Mapping[str, Any]) -> None:
        query, name = body.get("query"), body.get("operationName")
        if isinstance(query, str) and (name is None or isinstance(name, str)):
            self.counts.update(operation_labels(query, name))

    def snapshot(self) -> dict[str, Any]:
        return {
            "operations": dict(sorted(self.counts.items())),
            "mutations": sum(n for label, n in self.counts.items() if label.startswith("mutation")),
            "queries": sum(n for label, n in self.counts.items() if label.startswith("query")),
        }


def operation_counts_router(counts: GraphqlOperationCounts) -> APIRouter:
    router = APIRouter(prefix="/sandbox", tags=["sandbox"])

    @router.get("/graphql-operations")
    async def read() -> dict[str, Any]:
        return counts.snapshot()

    @router.delete("/graphql-operations")
    async def reset() -> dict[str, Any]:
        counts.counts.clear()
        return counts.snapshot()

    return router
