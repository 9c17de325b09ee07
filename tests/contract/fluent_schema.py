"""Fluent's real schema (the 2022 SDL in ../shared/reference) for the contract tests, and the
coercion of an operation's variables against it."""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLSchema, OperationDefinitionNode, build_schema, get_variable_values, parse

from connector.fluent.operations import get_operation
from tests.conftest import reference_file

_LEGACY_IMPLEMENTS = re.compile(r"(implements\s+)([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)")


def modernise_implements(sdl: str) -> str:
    """`implements A, B` (pre-2018 SDL, which graphql-core refuses) -> `implements A & B`."""
    return _LEGACY_IMPLEMENTS.sub(
        lambda match: match.group(1) + " & ".join(re.split(r"\s*,\s*", match.group(2))), sdl
    )


def load_fluent_schema() -> GraphQLSchema:
    """The reference SDL as a schema (skips, or fails in CI, when the file is absent)."""
    text = reference_file("fluent-schema.graphql").read_text(encoding="utf-8")
    return build_schema(modernise_implements(text))


def coercion_errors(schema: GraphQLSchema, name: str, variables: dict[str, Any]) -> list[str]:
    """What is wrong with `variables` as the variables of the registered operation `name`."""
    document = parse(get_operation(name).document)
    definition = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    result = get_variable_values(schema, definition.variable_definitions or (), variables)
    return [error.message for error in result] if isinstance(result, list) else []
