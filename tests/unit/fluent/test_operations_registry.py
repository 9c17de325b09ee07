"""The registry of GraphQL documents: self-contained documents, consistency checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    parse,
    visit,
)

from connector.fluent.operations import (
    OperationRegistryError,
    UnknownOperationError,
    get_operation,
    load_operations,
    operations,
)


def spread_names(document: DocumentNode) -> set[str]:
    names: set[str] = set()

    class Collector(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
            names.add(node.name.value)

    visit(document, Collector())
    return names


def test_every_document_holds_one_operation_and_exactly_the_fragments_it_uses() -> None:
    for operation in operations().values():
        document = parse(operation.document)
        defined = {
            d.name.value for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        named = [
            d.name.value if d.name else None
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        ]

        assert named == [operation.name]
        assert spread_names(document) == defined, operation.name


def test_shared_fragments_travel_with_each_operation() -> None:
    details = get_operation("OrderDetails").document

    for fragment in ("OrderFields", "FulfilmentFields", "ArticleFields", "ConsignmentFields"):
        assert f"fragment {fragment} on" in details
    assert "fragment LocationFields" not in details


def test_kinds_and_sources() -> None:
    assert get_operation("CreateOrder").kind is OperationType.MUTATION
    assert get_operation("OrderDetails").kind is OperationType.QUERY
    assert get_operation("NetworkLocations").source_file == "locations.graphql"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownOperationError, match="OrderDetails"):
        get_operation("OrderDetail")


def write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def test_duplicate_operation_names_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.graphql", "query Same { __typename }")
    write(tmp_path, "b.graphql", "query Same { __typename }")

    with pytest.raises(OperationRegistryError, match=r"Same defined in a\.graphql and b\.graphql"):
        load_operations(tmp_path)


def test_duplicate_fragment_names_are_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.graphql", "fragment F on Query { __typename }")
    write(tmp_path, "b.graphql", "fragment F on Query { __typename }")

    with pytest.raises(OperationRegistryError, match="fragment F"):
        load_operations(tmp_path)


def test_undefined_fragment_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.graphql", "query Q { ...Missing }")

    with pytest.raises(OperationRegistryError, match="Q uses undefined fragment Missing"):
        load_operations(tmp_path)


def test_anonymous_operation_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "a.graphql", "{ __typename }")

    with pytest.raises(OperationRegistryError, match="anonymous"):
        load_operations(tmp_path)


def test_transitive_fragments_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.graphql", "query Q { ...Outer }\nfragment Unused on Query { __typename }")
    write(tmp_path, "b.graphql", "fragment Outer on Query { ...Inner }")
    write(tmp_path, "c.graphql", "fragment Inner on Query { __typename }")

    document = load_operations(tmp_path)["Q"].document

    assert "fragment Outer" in document
    assert "fragment Inner" in document
    assert "Unused" not in document
