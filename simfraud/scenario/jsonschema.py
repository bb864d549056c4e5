"""The JSON Schema of scenario files, for editors (completion and validation)."""

from __future__ import annotations

from typing import Any

from simfraud.scenario.schema import Scenario


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file.

    Generated from the pydantic models, so units, ranges, defaults and descriptions match
    the loader. ``extends`` is added: the loader accepts it (the parent file's path).

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
    return schema
