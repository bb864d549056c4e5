"""The JSON Schema of scenario files, for editors (completion and validation)."""

from __future__ import annotations

from typing import Any

from simfraud.scenario.schema import Scenario


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file.

    Generated from the pydantic models, so units, ranges, defaults and descriptions match
    the loader. ``extends`` is added: the loader accepts it (the parent file's path).
    Timeline events are chosen by their ``type`` with ``if``/``then`` (pydantic writes a
    ``discriminator``, which standard validators ignore): an unknown type is reported
    against the list of types, and a known one against its own fields only.

    Returns:
        The schema as a dict.
    """
    schema = Scenario.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://simfraud.invalid/scenario.schema.json"
    schema["title"] = "simfraud scenario"
    schema.setdefault("properties", {})["extends"] = {
        "type": ["string", "null"],
        "description": "Scenario file this one extends (relative to this file); "
                       "mappings merge key by key, lists replace.",
    }
    return _tagged_unions(schema)


def _tagged_unions(node: Any) -> Any:
    """Replace every ``oneOf`` + ``discriminator`` by a tag enum and ``if``/``then``."""
    if isinstance(node, list):
        return [_tagged_unions(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _tagged_unions(value) for key, value in node.items()}
    discriminator = node.pop("discriminator", None)
    if discriminator is None:
        return node
    tag, mapping = discriminator["propertyName"], discriminator["mapping"]
    node.pop("oneOf", None)
    node.update({
        "type": "object",
        "required": [tag],
        "properties": {tag: {"enum": list(mapping),
                             "description": f"Kind of item: {', '.join(mapping)}."}},
        "allOf": [{"if": {"properties": {tag: {"const": name}}, "required": [tag]},
                   "then": {"$ref": ref}} for name, ref in mapping.items()],
    })
    return node
