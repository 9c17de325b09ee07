"""Check sandbox responses against the official commercetools OpenAPI description.

Two checks per response: the JSON validates against the named component schema (types,
required fields, enums; `$ref` and `allOf` resolved by jsonschema), and every property the
sandbox sends is declared by that schema, following `allOf`, arrays and `discriminator`
mappings (so `Message` dispatches on `type`, `FieldType` on `name`, ...). Map-like schemas
(LocalizedString, FieldContainer, ...) accept any keys. The description's generator artifacts
(`required: ["/^pattern$/"]`, `additionalProperties: {type: string}` on maps) are cleaned first.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

Schema = dict[str, Any]
PREFIX = "#/components/schemas/"


class OpenApi:
    def __init__(self, path: Path) -> None:
        with path.open() as handle:
            document = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        self.schemas: dict[str, Schema] = document["components"]["schemas"]
        self._cleaned = {"components": {"schemas": _clean(copy.deepcopy(self.schemas))}}
        self._validators: dict[str, Draft202012Validator] = {}

    def problems(self, instance: Any, name: str, *, undeclared: bool = True) -> list[str]:
        """Every schema violation (and undeclared property) of `instance` as schema `name`."""
        validator = self._validators.get(name)
        if validator is None:
            validator = Draft202012Validator({**self._cleaned, "$ref": PREFIX + name})
            self._validators[name] = validator
        found = [
            f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
            for error in validator.iter_errors(instance)
        ]
        if undeclared:
            found.extend(
                self._undeclared(instance, {"$ref": PREFIX + name}, name, dispatched=False)
            )
        return found

    def _resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].removeprefix(PREFIX)]
        return schema

    def _flatten(self, schema: Schema) -> tuple[dict[str, Schema], bool, Schema | None, Schema]:
        """(properties, allows extra keys, discriminator, items) merged over allOf."""
        schema = self._resolve(schema)
        properties: dict[str, Schema] = {}
        extra = "additionalProperties" in schema
        discriminator = schema.get("discriminator")
        items = schema.get("items", {})
        for part in schema.get("allOf", []):
            props, part_extra, part_discriminator, part_items = self._flatten(part)
            properties.update(props)
            extra = extra or part_extra
            discriminator = discriminator or part_discriminator
            items = items or part_items
        properties.update(schema.get("properties", {}))
        return properties, extra, discriminator, items

    def _undeclared(
        self, instance: Any, schema: Schema, path: str, *, dispatched: bool
    ) -> list[str]:
        properties, extra, discriminator, items = self._flatten(schema)
        if isinstance(instance, list):
            return [
                problem
                for index, element in enumerate(instance)
                for problem in self._undeclared(
                    element, items, f"{path}[{index}]", dispatched=False
                )
            ]
        if not isinstance(instance, dict) or (not properties and not discriminator):
            return []
        if discriminator and not dispatched:
            target = discriminator.get("mapping", {}).get(
                instance.get(discriminator["propertyName"])
            )
            if target is not None:
                return self._undeclared(instance, {"$ref": target}, path, dispatched=True)
        problems = []
        for key, value in instance.items():
            if key in properties:
                problems.extend(
                    self._undeclared(value, properties[key], f"{path}.{key}", dispatched=False)
                )
            elif not extra:
                problems.append(f"{path}.{key}: not declared by the schema")
        return problems


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        if isinstance(node.get("required"), list):
            node["required"] = [r for r in node["required"] if not r.startswith("/")]
        if node.get("additionalProperties") == {"type": "string"}:
            del node["additionalProperties"]
        node.pop("discriminator", None)
        for value in node.values():
            _clean(value)
    elif isinstance(node, list):
        for value in node:
            _clean(value)
    return node


@cache
def load(path: Path) -> OpenApi:
    return OpenApi(path)
