"""The commercetools query predicate language (`where=`): tokenizer, parser and evaluator.

A recursive-descent parser for the subset of the language clients use in practice:

    predicate  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" "(" or_expr ")" | "(" or_expr ")" | condition
    condition  := field ( "(" or_expr ")"                      nested: masterVariant(sku = "x")
                        | ("=" | "!=" | "<>" | ">" | ">=" | "<" | "<=") value
                        | ["not"] "in" list
                        | "is" ["not"] ("defined" | "empty")
                        | "contains" ["any" | "all"] (value | list) )
    value      := string | number | "true" | "false" | :variable
    list       := "(" value ("," value)* ")" | :variable

Strings are double-quoted JSON-style strings; date-time strings compare as instants, so
`lastModifiedAt >= "2026-01-01T00:00:00Z"` works whatever the fraction digits. Input variables
(`:name` bound by `var.name` query parameters) are supported as commercetools does.

Evaluation runs over a resource's JSON: a field that is absent never matches a comparison; a
nested predicate over an array matches when any element matches (`variants(sku = "x")`).
Keywords are case-insensitive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeAlias

Scalar: TypeAlias = str | int | float | bool
CompareOp = Literal["=", "!=", ">", ">=", "<", "<="]
ContainsMode = Literal["one", "any", "all"]

_KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "defined", "empty", "contains", "any", "all", "true", "false"}
)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_VARIABLE = re.compile(r":([A-Za-z_][A-Za-z0-9_-]*)")
_OPERATORS = ("!=", "<>", ">=", "<=", "=", ">", "<")


class PredicateError(ValueError):
    """A predicate that cannot be parsed; `position` is the 0-based character offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position


# --- tokens -------------------------------------------------------------------------------------

TokenKind = Literal["ident", "string", "number", "op", "lparen", "rparen", "comma", "var", "end"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    position: int
    value: Any = None

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "ident" and self.text.lower() in words

    def describe(self) -> str:
        return "end of input" if self.kind == "end" else f"token '{self.text}'"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            tokens.append(Token("lparen", char, i))
            i += 1
        elif char == ")":
            tokens.append(Token("rparen", char, i))
            i += 1
        elif char == ",":
            tokens.append(Token("comma", char, i))
            i += 1
        elif char == '"':
            end = _string_end(text, i)
            raw = text[i : end + 1]
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                raise PredicateError(f"invalid escape sequence in string {raw}", i) from None
            tokens.append(Token("string", raw, i, value))
            i = end + 1
        elif (op := next((o for o in _OPERATORS if text.startswith(o, i)), None)) is not None:
            tokens.append(Token("op", op, i, "!=" if op == "<>" else op))
            i += len(op)
        elif (match := _NUMBER.match(text, i)) and (char.isdigit() or char == "-"):
            raw = match.group()
            number: int | float = float(raw) if any(c in raw for c in ".eE") else int(raw)
            tokens.append(Token("number", raw, i, number))
            i = match.end()
        elif match := _IDENT.match(text, i):
            tokens.append(Token("ident", match.group(), i))
            i = match.end()
        elif match := _VARIABLE.match(text, i):
            tokens.append(Token("var", match.group(), i, match.group(1)))
            i = match.end()
        else:
            raise PredicateError(f"unexpected character '{char}'", i)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _string_end(text: str, start: int) -> int:
    i = start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    raise PredicateError("unterminated string", start)


# --- syntax tree --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A literal value; date-time strings carry their parsed instant for comparisons."""

    value: Scalar
    instant: datetime | None = None

    @classmethod
    def of(cls, value: Scalar) -> Value:
        return cls(value, _instant(value) if isinstance(value, str) else None)


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class Nested:
    field: str
    item: Node


@dataclass(frozen=True)
class Compare:
    field: str
    op: CompareOp
    value: Value


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[Value, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsDefined:
    field: str
    negated: bool = False


@dataclass(frozen=True)
class IsEmpty:
    field: str
    negated: bool = False


@dataclass(frozen=True)
class Contains:
    field: str
    mode: ContainsMode
    values: tuple[Value, ...]


Node: TypeAlias = Or | And | Not | Nested | Compare | In | IsDefined | IsEmpty | Contains


# --- parser -------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, variables: Mapping[str, Sequence[str]]) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.variables = variables

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def fail(self, expected: str) -> PredicateError:
        token = self.current
        return PredicateError(f"unexpected {token.describe()}, expected {expected}", token.position)

    def expect(self, kind: TokenKind, expected: str) -> Token:
        if self.current.kind != kind:
            raise self.fail(expected)
        return self.advance()

    def parse(self) -> Node:
        node = self.or_expr()
        if self.current.kind != "end":
            raise self.fail("'and', 'or' or end of input")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.current.is_keyword("or"):
            self.advance()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while self.current.is_keyword("and"):
            self.advance()
            items.append(self.unary())
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        token = self.current
        following = self.tokens[min(self.index + 1, len(self.tokens) - 1)]
        if token.is_keyword("not") and following.kind == "lparen":
            self.advance()
            self.advance()
            inner = self.or_expr()
            self.expect("rparen", "')'")
            return Not(inner)
        if token.kind == "lparen":
            self.advance()
            inner = self.or_expr()
            self.expect("rparen", "')'")
            return inner
        return self.condition()

    def condition(self) -> Node:
        token = self.current
        if token.kind != "ident" or token.text.lower() in _KEYWORDS - {"any", "all", "empty"}:
            raise self.fail("a field name")
        field = self.advance().text
        token = self.current
        if token.kind == "lparen":
            self.advance()
            inner = self.or_expr()
            self.expect("rparen", "')'")
            return Nested(field, inner)
        if token.kind == "op":
            self.advance()
            return Compare(field, token.value, self.value())
        if token.is_keyword("in"):
            self.advance()
            return In(field, self.value_list())
        if token.is_keyword("not"):
            self.advance()
            if not self.current.is_keyword("in"):
                raise self.fail("'in' after 'not'")
            self.advance()
            return In(field, self.value_list(), negated=True)
        if token.is_keyword("is"):
            self.advance()
            negated = self.current.is_keyword("not")
            if negated:
                self.advance()
            if self.current.is_keyword("defined"):
                self.advance()
                return IsDefined(field, negated)
            if self.current.is_keyword("empty"):
                self.advance()
                return IsEmpty(field, negated)
            raise self.fail("'defined' or 'empty'")
        if token.is_keyword("contains"):
            self.advance()
            if self.current.is_keyword("any", "all"):
                mode: ContainsMode = "any" if self.advance().text.lower() == "any" else "all"
                return Contains(field, mode, self.value_list())
            return Contains(field, "one", (self.value(),))
        raise self.fail("an operator, '(', 'in', 'not in', 'is' or 'contains'")

    def value(self) -> Value:
        token = self.current
        if token.kind in ("string", "number"):
            self.advance()
            return Value.of(token.value)
        if token.is_keyword("true", "false"):
            self.advance()
            return Value.of(token.text.lower() == "true")
        if token.kind == "var":
            values = self.variable(token)
            if len(values) != 1:
                raise PredicateError(
                    f"input variable '{token.text}' must have exactly one value here",
                    token.position,
                )
            return values[0]
        raise self.fail("a value (string, number, true, false or :variable)")

    def value_list(self) -> tuple[Value, ...]:
        if self.current.kind == "var":
            return self.variable(self.current)
        self.expect("lparen", "'(' to start a list of values")
        values = [self.value()]
        while self.current.kind == "comma":
            self.advance()
            values.append(self.value())
        self.expect("rparen", "',' or ')'")
        return tuple(values)

    def variable(self, token: Token) -> tuple[Value, ...]:
        self.advance()
        values = self.variables.get(token.value)
        if not values:
            raise PredicateError(
                f"input variable '{token.text}' has no value (pass it as var.{token.value})",
                token.position,
            )
        return tuple(Value.of(v) for v in values)


def parse(text: str, variables: Mapping[str, Sequence[str]] | None = None) -> Node:
    """Parse one predicate. Raises `PredicateError` naming the problem and its position."""
    if not text.strip():
        raise PredicateError("empty predicate", 0)
    return _Parser(text, variables or {}).parse()


# --- evaluation ---------------------------------------------------------------------------------


def pinned_fields(nodes: Sequence[Node]) -> list[tuple[str, frozenset[str]]]:
    """The `field = "v"` and `field in ("v", ...)` terms of the AND of `nodes` whose values
    are plain strings (not date-times, which compare as instants), as (field, values): a
    resource matches all `nodes` only if its `field` equals one of the values or is not a
    string. What an index can narrow a query to before `matches` decides."""
    pinned: list[tuple[str, frozenset[str]]] = []
    for term in _conjuncts(nodes):
        if isinstance(term, Compare) and term.op == "=":
            literals: tuple[Value, ...] = (term.value,)
        elif isinstance(term, In) and not term.negated:
            literals = term.values
        else:
            continue
        if all(isinstance(v.value, str) and v.instant is None for v in literals):
            pinned.append((term.field, frozenset(str(v.value) for v in literals)))
    return pinned


def _conjuncts(nodes: Sequence[Node]) -> list[Node]:
    flat: list[Node] = []
    for node in nodes:
        flat.extend(_conjuncts(node.items) if isinstance(node, And) else [node])
    return flat


def matches(node: Node, resource: Any) -> bool:
    """Whether `resource` (a JSON object) satisfies the predicate."""
    if isinstance(node, Or):
        return any(matches(item, resource) for item in node.items)
    if isinstance(node, And):
        return all(matches(item, resource) for item in node.items)
    if isinstance(node, Not):
        return not matches(node.item, resource)
    if not isinstance(resource, dict):
        return False
    value = resource.get(node.field)
    if isinstance(node, Nested):
        if isinstance(value, list):
            return any(isinstance(e, dict) and matches(node.item, e) for e in value)
        return isinstance(value, dict) and matches(node.item, value)
    if isinstance(node, IsDefined):
        return (value is not None) != node.negated
    if isinstance(node, IsEmpty):
        empty = value is None or (isinstance(value, list | dict | str) and len(value) == 0)
        return empty != node.negated
    if value is None:
        return False
    if isinstance(node, Compare):
        candidates = value if isinstance(value, list) else [value]
        return any(_compare(c, node.op, node.value) for c in candidates)
    if isinstance(node, In):
        found = any(_compare(value, "=", literal) for literal in node.values)
        return found != node.negated
    # Contains
    if not isinstance(value, list):
        return False
    hits = [any(_compare(e, "=", literal) for e in value) for literal in node.values]
    return all(hits) if node.mode == "all" else any(hits)


def _instant(text: str) -> datetime | None:
    if not _DATETIME.match(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _compare(actual: Any, op: CompareOp, literal: Value) -> bool:
    expected = literal.value
    left: Any
    right: Any
    if isinstance(actual, bool) or isinstance(expected, bool):
        if not (isinstance(actual, bool) and isinstance(expected, bool)):
            return False
        left, right = actual, expected
    elif isinstance(actual, int | float):
        if isinstance(expected, str):
            try:
                expected = float(expected)
            except ValueError:
                return False
        left, right = actual, expected
    elif isinstance(actual, str):
        if not isinstance(expected, str):
            return False
        instant = _instant(actual) if literal.instant is not None else None
        left, right = (instant, literal.instant) if instant is not None else (actual, expected)
    else:
        return False
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if isinstance(left, bool):
        return False
    if op == ">":
        return bool(left > right)
    if op == ">=":
        return bool(left >= right)
    if op == "<":
        return bool(left < right)
    return bool(left <= right)
