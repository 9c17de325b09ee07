"""The Fluent sandbox's SDL against Fluent's real schema, and the connector's operations against
the sandbox's SDL.

(1) Everything the sandbox declares exists in the real schema with the same type, so whatever
works against the sandbox is at least well-formed for Fluent. (2) Every operation the connector
sends validates against the sandbox, so the sandbox serves all of them.
"""

from __future__ import annotations

import pytest
from graphql import (
    DocumentNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    parse,
    validate,
)

from connector.fluent.operations import operations
from sandbox.fluent.graphql_api import SCHEMA_PATH
from tests.contract.fluent_schema import load_fluent_schema

pytestmark = pytest.mark.contract


@pytest.fixture(scope="module")
def real_schema() -> GraphQLSchema:
    return load_fluent_schema()


@pytest.fixture(scope="module")
def sandbox_schema() -> GraphQLSchema:
    return build_schema(SCHEMA_PATH.read_text())


def subset_violations(sandbox: GraphQLSchema, real: GraphQLSchema) -> list[str]:
    """Every way `sandbox` is not a strict subset of `real`."""
    problems: list[str] = []
    for name, sandbox_type in sandbox.type_map.items():
        if name.startswith("__"):
            continue
        real_type = real.type_map.get(name)
        if real_type is None:
            problems.append(f"type {name} is not in the real schema")
            continue
        if type(real_type) is not type(sandbox_type):
            problems.append(
                f"{name} is a {type(sandbox_type).__name__} here but a "
                f"{type(real_type).__name__} in the real schema"
            )
            continue
        if isinstance(sandbox_type, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(real_type, GraphQLObjectType | GraphQLInterfaceType)
            real_interfaces = {i.name for i in real_type.interfaces}
            for interface in sandbox_type.interfaces:
                if interface.name not in real_interfaces:
                    problems.append(f"{name} implements {interface.name}, the real one does not")
            for field_name, field in sandbox_type.fields.items():
                real_field = real_type.fields.get(field_name)
                if real_field is None:
                    problems.append(f"{name}.{field_name} is not in the real schema")
                    continue
                if str(field.type) != str(real_field.type):
                    problems.append(
                        f"{name}.{field_name}: {field.type} here, {real_field.type} in reality"
                    )
                for arg_name, arg in field.args.items():
                    real_arg = real_field.args.get(arg_name)
                    if real_arg is None:
                        problems.append(f"{name}.{field_name}({arg_name}) is not real")
                    elif str(arg.type) != str(real_arg.type):
                        problems.append(
                            f"{name}.{field_name}({arg_name}): {arg.type} here, "
                            f"{real_arg.type} in reality"
                        )
                for arg_name, real_arg in real_field.args.items():
                    if arg_name not in field.args and str(real_arg.type).endswith("!"):
                        problems.append(
                            f"{name}.{field_name} lacks the required argument {arg_name}"
                        )
        elif isinstance(sandbox_type, GraphQLInputObjectType):
            assert isinstance(real_type, GraphQLInputObjectType)
            for field_name, input_field in sandbox_type.fields.items():
                real_input = real_type.fields.get(field_name)
                if real_input is None:
                    problems.append(f"input {name}.{field_name} is not in the real schema")
                elif str(input_field.type) != str(real_input.type):
                    problems.append(
                        f"input {name}.{field_name}: {input_field.type} here, "
                        f"{real_input.type} in reality"
                    )
            for field_name, real_input in real_type.fields.items():
                if field_name not in sandbox_type.fields and str(real_input.type).endswith("!"):
                    problems.append(f"input {name} lacks the required field {field_name}")
        elif isinstance(sandbox_type, GraphQLEnumType):
            assert isinstance(real_type, GraphQLEnumType)
            for value in sandbox_type.values:
                if value not in real_type.values:
                    problems.append(f"enum value {name}.{value} is not real")
        elif isinstance(sandbox_type, GraphQLUnionType):
            assert isinstance(real_type, GraphQLUnionType)
            real_members = {t.name for t in real_type.types}
            for member in sandbox_type.types:
                if member.name not in real_members:
                    problems.append(f"union {name} has {member.name}, the real one does not")
        else:
            assert isinstance(sandbox_type, GraphQLScalarType)
    for root in ("query_type", "mutation_type"):
        sandbox_root, real_root = getattr(sandbox, root), getattr(real, root)
        if sandbox_root is not None and (real_root is None or sandbox_root.name != real_root.name):
            problems.append(f"the {root} is {sandbox_root.name} here but not in reality")
    return problems


def test_the_sandbox_sdl_is_a_strict_subset_of_the_real_schema(sandbox_schema, real_schema):
    assert subset_violations(sandbox_schema, real_schema) == []


_SMALL_REAL = """
type Query { a(x: Int, y: String!): A }
interface I { id: ID! }
interface J { id: ID! }
type A implements I { id: ID! n: String e: E }
input In { a: Int! b: String }
enum E { X Y }
"""


@pytest.mark.parametrize(
    ("sandbox_sdl", "expected"),
    [
        ("type Query { a(y: String!): A } type A { id: ID! extra: Int }", "A.extra is not in"),
        ("type Query { a(y: String!): A } type A { id: ID n: String }", "A.id: ID here, ID!"),
        ("type Query { a(y: String!, z: Int): A } type A { id: ID! }", "Query.a(z) is not real"),
        ("type Query { a(y: Int): A } type A { id: ID! }", "Query.a(y): Int here, String!"),
        ("type Query { a: A } type A { id: ID! }", "Query.a lacks the required argument y"),
        ("type Query { a(y: String!): B } type B { id: ID! }", "type B is not in the real"),
        (
            "type Query { a(y: String!): A } interface J { id: ID! } "
            "type A implements J { id: ID! }",
            "A implements J, the real one does not",
        ),
        (
            "type Query { a(y: String!, i: In): A } type A { id: ID! } input In { a: Int! c: Int }",
            "input In.c is not in the real schema",
        ),
        (
            "type Query { a(y: String!, i: In): A } type A { id: ID! } input In { b: String }",
            "input In lacks the required field a",
        ),
        (
            "type Query { a(y: String!): A } type A { id: ID! e: E } enum E { X Z }",
            "enum value E.Z is not real",
        ),
        (
            "type Query { a(y: String!): A } type A { id: ID! } type In { a: Int! }",
            "In is a GraphQLObjectType here but a GraphQLInputObjectType",
        ),
    ],
)
def test_the_subset_check_catches_each_kind_of_difference(sandbox_sdl, expected):
    problems = subset_violations(build_schema(sandbox_sdl), build_schema(_SMALL_REAL))
    assert any(problem.startswith(expected) or expected in problem for problem in problems), (
        problems
    )


def test_the_subset_check_accepts_a_true_subset():
    sandbox_sdl = (
        "type Query { a(y: String!): A } interface I { id: ID! } type A implements I { id: ID! }"
    )
    assert subset_violations(build_schema(sandbox_sdl), build_schema(_SMALL_REAL)) == []


def _operations() -> dict[str, DocumentNode]:
    """Each named operation of the connector with exactly the fragments it uses, as sent."""
    return {name: parse(operation.document) for name, operation in operations().items()}


def test_the_connector_has_operations_to_check():
    assert len(_operations()) >= 10


@pytest.mark.parametrize("name", sorted(_operations()))
def test_every_connector_operation_validates_against_the_sandbox_sdl(sandbox_schema, name):
    errors = validate(sandbox_schema, _operations()[name])
    assert [error.message for error in errors] == []


def test_an_operation_the_sandbox_does_not_serve_fails_validation(sandbox_schema):
    document = parse("query { orderById(id: 1) { financialTransactions { edges { cursor } } } }")
    assert validate(sandbox_schema, document)
