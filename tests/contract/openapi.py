"""Checks requests against the official commercetools OpenAPI description.

The OpenAPI 3.0 schemas are translated, lazily and once, into a JSON Schema (2020-12) document:
- `$ref`s become references into `$defs`, so recursive types (a Set of Sets) stay finite;
- `allOf` is merged into one object, and every object that declares properties but no
  `additionalProperties` is closed: a field the spec does not declare (a misspelling) fails;
- a `discriminator` with a `mapping` dispatches on its property (`action`, `typeId`, `name`, ...)
  to the mapped subtype with `if`/`then`; a base reached through a subtype's `allOf` is merged
  without dispatching again (that would recurse forever), and the subtype's discriminator value
  is pinned to the values that map to it (a channel identifier must say `typeId: "channel"`);
- `format: datetime` must be an ISO 8601 timestamp with a time zone.

Two artefacts of the spec's generation from RAML are corrected, both named here:
- pattern properties appear as a `required` entry like `/^[a-z]{2}(-[A-Z]{2})?$/`; those are
  not field names and are dropped from `required` (the value schema stays in
  `additionalProperties`);
- the pattern property values of `FieldContainer` (custom fields) are typed `string`, but the
  API takes any JSON value there (a Number field takes a number, a Set an array), as the
  generator's rendering of `ProductVariantChannelAvailabilityMap` (objects typed `string`)
  shows; they are accepted as any value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

SCHEMA_REF_PREFIX = "#/components/schemas/"
ANY_VALUE_CONTAINERS = frozenset({"FieldContainer"})
DATETIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
_COPIED_KEYWORDS = (
    "type",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
)
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


class ContractViolationError(AssertionError):
    """A request that the OpenAPI description does not allow; the message lists every problem."""


def _schema_name(ref: str) -> str:
    if not ref.startswith(SCHEMA_REF_PREFIX):
        raise ValueError(f"unsupported $ref {ref!r}")
    return ref.removeprefix(SCHEMA_REF_PREFIX)


def _is_pattern_name(name: str) -> bool:
    return len(name) > 1 and name.startswith("/") and name.endswith("/")


def _own_discriminator(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The discriminator a schema declares itself, directly or in an inline `allOf` part (the
    spec does both); one inherited through a `$ref` does not count."""
    if "discriminator" in schema:
        return dict(schema["discriminator"])
    for part in schema.get("allOf", []):
        if "$ref" not in part and "discriminator" in part:
            return dict(part["discriminator"])
    return None


@dataclass
class _MergedObject:
    properties: dict[str, Any] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    additional: Any = None
    has_additional: bool = False
    inherited_discriminators: list[dict[str, Any]] = field(default_factory=list)


class _Translator:
    """OpenAPI component schemas to JSON Schema `$defs`, built on first use."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self._schemas = schemas
        self.defs: dict[str, Any] = {}

    def reference(self, name: str) -> dict[str, Any]:
        if name not in self._schemas:
            raise KeyError(f"schema {name!r} is not in the OpenAPI description")
        if name not in self.defs:
            self.defs[name] = True  # placeholder while translating, for recursive types
            self.defs[name] = self._named(name)
        return {"$ref": f"#/$defs/{name}"}

    def translate(self, schema: dict[str, Any], name: str | None = None) -> dict[str, Any]:
        if "$ref" in schema:
            return self.reference(_schema_name(schema["$ref"]))
        if "allOf" in schema or self._is_object(schema):
            return self._object(schema, name)
        result = {key: schema[key] for key in _COPIED_KEYWORDS if key in schema}
        if schema.get("format") == "datetime":
            result["pattern"] = DATETIME_PATTERN
        if "items" in schema:
            result["items"] = self.translate(schema["items"])
        for key in ("oneOf", "anyOf"):
            if key in schema:
                result[key] = [self.translate(option) for option in schema[key]]
        return result

    @staticmethod
    def _is_object(schema: dict[str, Any]) -> bool:
        return schema.get("type") == "object" or "properties" in schema

    def _named(self, name: str) -> dict[str, Any]:
        schema = self._schemas[name]
        discriminator = _own_discriminator(schema)
        if discriminator and discriminator.get("mapping"):
            return self._dispatch(name, discriminator)
        return self.translate(schema, name)

    def _dispatch(self, name: str, discriminator: dict[str, Any]) -> dict[str, Any]:
        prop = discriminator["propertyName"]
        mapping: dict[str, str] = discriminator["mapping"]
        branches = []
        for value, target_ref in sorted(mapping.items()):
            target = _schema_name(target_ref)
            then = (
                self.translate(self._schemas[name], name)
                if target == name
                else self.reference(target)
            )
            condition = {"properties": {prop: {"const": value}}, "required": [prop]}
            branches.append({"if": condition, "then": then})
        return {
            "type": "object",
            "required": [prop],
            "properties": {prop: {"enum": sorted(mapping)}},
            "allOf": branches,
        }

    def _collect(self, schema: dict[str, Any], merged: _MergedObject, seen: set[str]) -> None:
        if "$ref" in schema:
            base_name = _schema_name(schema["$ref"])
            if base_name in seen:
                return
            seen.add(base_name)
            base = self._schemas[base_name]
            discriminator = _own_discriminator(base)
            if discriminator:
                merged.inherited_discriminators.append(discriminator)
            self._collect(base, merged, seen)
            return
        for part in schema.get("allOf", []):
            self._collect(part, merged, seen)
        merged.properties.update(schema.get("properties", {}))
        merged.required.extend(schema.get("required", []))
        if "additionalProperties" in schema:
            merged.additional = schema["additionalProperties"]
            merged.has_additional = True

    def _object(self, schema: dict[str, Any], name: str | None) -> dict[str, Any]:
        merged = _MergedObject()
        self._collect(schema, merged, seen={name} if name else set())
        properties = {prop: self.translate(value) for prop, value in merged.properties.items()}
        for discriminator in merged.inherited_discriminators:
            values = sorted(
                value
                for value, target in discriminator.get("mapping", {}).items()
                if _schema_name(target) == name
            )
            if values:
                properties[discriminator["propertyName"]] = {"enum": values}
        result: dict[str, Any] = {"type": "object", "properties": properties}
        required = sorted({prop for prop in merged.required if not _is_pattern_name(prop)})
        if required:
            result["required"] = required
        if name in ANY_VALUE_CONTAINERS:
            result["additionalProperties"] = True
        elif merged.has_additional:
            additional = merged.additional
            result["additionalProperties"] = (
                additional if isinstance(additional, bool) else self.translate(additional)
            )
        elif properties:
            result["additionalProperties"] = False
        return result


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    definition: dict[str, Any]
    path_parameters: tuple[dict[str, Any], ...]


class OpenApiSpec:
    """The parts of an OpenAPI description needed to check requests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._paths: dict[str, Any] = document["paths"]
        self._translator = _Translator(document["components"]["schemas"])
        self._validators: dict[str, Draft202012Validator] = {}
        matchers = [(template, *self._matcher(template)) for template in self._paths]
        # The most literal template wins: `/orders/order-number={n}` over `/orders/{ID}`.
        self._templates = sorted(matchers, key=lambda item: -item[2])

    @staticmethod
    def _matcher(template: str) -> tuple[re.Pattern[str], int]:
        parts = re.split(r"(\{[^}]+\})", template)
        literal = [part for part in parts if not part.startswith("{")]
        regex = "".join(
            "[^/]+" if part.startswith("{") else re.escape(part) for part in parts if part
        )
        return re.compile(f"^{regex}$"), sum(len(part) for part in literal)

    def operation(self, method: str, path: str) -> Operation:
        """The operation for a request path as sent (e.g. `/demo/orders/42`)."""
        for template, regex, _ in self._templates:
            if regex.match(path):
                item = self._paths[template]
                definition = item.get(method.lower())
                if definition is None:
                    raise ContractViolationError(f"{method} is not defined for {template} ({path})")
                return Operation(
                    template, method.upper(), definition, tuple(item.get("parameters", []))
                )
        raise ContractViolationError(f"no path of the OpenAPI description matches {path}")

    def query_parameter_names(self, method: str, path: str) -> set[str]:
        operation = self.operation(method, path)
        parameters = [*operation.path_parameters, *operation.definition.get("parameters", [])]
        return {param["name"] for param in parameters if param.get("in") == "query"}

    def validate_query(self, method: str, path: str, names: Iterable[str]) -> None:
        declared = self.query_parameter_names(method, path)
        patterns = [re.compile(name[1:-1]) for name in declared if _is_pattern_name(name)]
        unknown = sorted(
            name
            for name in set(names)
            if name not in declared and not any(pattern.match(name) for pattern in patterns)
        )
        if unknown:
            template = self.operation(method, path).template
            raise ContractViolationError(
                f"{method} {template}: undeclared query parameters {unknown}; "
                f"declared: {sorted(declared)}"
            )

    def request_schema(self, method: str, path: str) -> dict[str, Any]:
        operation = self.operation(method, path)
        try:
            content = operation.definition["requestBody"]["content"]
            return dict(content["application/json"]["schema"])
        except KeyError:
            raise ContractViolationError(
                f"{operation.method} {operation.template} takes no JSON request body"
            ) from None

    def validate_request(self, method: str, path: str, body: Any) -> None:
        schema = self.request_schema(method, path)
        key = f"{method.upper()} {self.operation(method, path).template}"
        self._check(key, lambda: self._translator.translate(schema), body, f"{method} {path}")

    def check_translation(self, schema_names: Iterable[str]) -> None:
        """Raise unless the JSON Schema translated for these component schemas is itself valid
        JSON Schema. All translations share one `$defs`, so it is checked once, after building."""
        for name in schema_names:
            self._translator.reference(name)
        Draft202012Validator.check_schema({"$defs": self._translator.defs})

    def validate(self, schema_name: str, instance: Any) -> None:
        """Check an instance against a named component schema (e.g. `ChannelDraft`)."""
        self._check(
            schema_name, lambda: self._translator.reference(schema_name), instance, schema_name
        )

    def _check(
        self, key: str, build: Callable[[], dict[str, Any]], instance: Any, label: str
    ) -> None:
        validator = self._validators.get(key)
        if validator is None:
            root = build()
            document = {"$defs": self._translator.defs, **root}
            validator = Draft202012Validator(document)
            self._validators[key] = validator
        problems = sorted(
            f"{error.json_path}: {error.message}" for error in validator.iter_errors(instance)
        )
        if problems:
            raise ContractViolationError(
                f"{label} violates the OpenAPI description:\n  " + "\n  ".join(problems)
            )


@functools.cache
def load_spec(path: Path) -> OpenApiSpec:
    """Parse the (large) YAML once per process, with the C loader when PyYAML has it."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as stream:
        document = yaml.load(stream, Loader=loader)
    return OpenApiSpec(document)
