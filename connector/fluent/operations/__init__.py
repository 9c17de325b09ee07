"""The registry of the GraphQL documents the connector sends to Fluent.

Every `*.graphql` file in this folder holds named operations and the fragments they use;
fragments may be shared across files (e.g. `FulfilmentFields` is used by orders and fulfilments).
The registry parses the folder once and gives each operation a self-contained document: the
operation followed by exactly the fragments it spreads, directly or transitively. Keeping the
documents as files lets the contract tests validate them against Fluent's schema and lets the
Fluent sandbox see exactly what it must serve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    parse,
    print_ast,
    visit,
)

OPERATIONS_DIR = Path(__file__).resolve().parent


class UnknownOperationError(KeyError):
    """A caller asked for an operation that no `.graphql` file defines: a programming error."""


class OperationRegistryError(Exception):
    """The `.graphql` files are inconsistent (duplicate names, missing fragments, anonymous
    operations): a programming error caught at first use and by the contract tests."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One named operation, ready to send."""

    name: str
    kind: OperationType
    document: str
    source_file: str


class _SpreadCollector(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spreads(node: OperationDefinitionNode | FragmentDefinitionNode) -> set[str]:
    collector = _SpreadCollector()
    visit(node, collector)
    return collector.names


def _fragment_closure(
    root: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> list[FragmentDefinitionNode]:
    """The fragments `root` needs, in a stable order (by name)."""
    needed: set[str] = set()
    pending = list(_spreads(root))
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        fragment = fragments.get(name)
        if fragment is None:
            raise OperationRegistryError(
                f"operation {root.name.value if root.name else '?'} uses undefined fragment {name}"
            )
        needed.add(name)
        pending.extend(_spreads(fragment))
    return [fragments[name] for name in sorted(needed)]


def load_operations(directory: Path = OPERATIONS_DIR) -> dict[str, Operation]:
    """Parse every `.graphql` file of `directory` into self-contained operations by name."""
    operations: dict[str, tuple[OperationDefinitionNode, str]] = {}
    fragments: dict[str, FragmentDefinitionNode] = {}
    fragment_files: dict[str, str] = {}
    for path in sorted(directory.glob("*.graphql")):
        document: DocumentNode = parse(path.read_text(encoding="utf-8"))
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                if definition.name is None:
                    raise OperationRegistryError(f"{path.name}: anonymous operation")
                name = definition.name.value
                if name in operations:
                    raise OperationRegistryError(
                        f"operation {name} defined in {operations[name][1]} and {path.name}"
                    )
                operations[name] = (definition, path.name)
            elif isinstance(definition, FragmentDefinitionNode):
                name = definition.name.value
                if name in fragments:
                    raise OperationRegistryError(
                        f"fragment {name} defined in {fragment_files[name]} and {path.name}"
                    )
                fragments[name] = definition
                fragment_files[name] = path.name
            else:
                raise OperationRegistryError(f"{path.name}: only operations and fragments allowed")
    registry: dict[str, Operation] = {}
    for name, (definition, source_file) in operations.items():
        parts = [definition, *_fragment_closure(definition, fragments)]
        registry[name] = Operation(
            name=name,
            kind=definition.operation,
            document="\n\n".join(print_ast(part) for part in parts),
            source_file=source_file,
        )
    return registry


@cache
def operations() -> Mapping[str, Operation]:
    """The registry of this package's documents, loaded once per process."""
    return load_operations()


def get_operation(name: str) -> Operation:
    """The operation called `name`; an unknown name is a programming error."""
    try:
        return operations()[name]
    except KeyError:
        known = ", ".join(sorted(operations()))
        raise UnknownOperationError(f"no Fluent operation named {name!r}; known: {known}") from None
