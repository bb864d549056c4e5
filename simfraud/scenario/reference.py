"""The parameter reference (``docs/parameters.md``), generated from the schema.

    python -m simfraud.scenario.reference > docs/parameters.md

One table per block: dotted path, unit, default, allowed values, description and the
source of the default. ``tests/test_parameter_reference.py`` keeps the file in sync.
"""

from __future__ import annotations

import sys
import typing
from typing import Any

from pydantic import BaseModel

from simfraud.scenario.document import _bounds, _extra, _kind, _scalar
from simfraud.scenario.schema import Scenario

HEADER = """# Parameter reference

Every parameter of a scenario file, generated from the schema
(`python -m simfraud.scenario.reference > docs/parameters.md`; a test keeps this page in
sync). Money is in integer minor units. `[]` marks list items (`platforms[]` means every
platform: address one as `platforms.0...`). See [scenarios.md](scenarios.md) for how to
write scenario files and `scenarios/baseline.yaml` for every default in place.
"""


FIXED_CONSTANTS = (
    ("`HIGH_PRIVACY`", "`simfraud/users/census.py`", "0.5",
     "a reporting threshold: it splits the `facepay_high_privacy` / `facepay_low_privacy` "
     "metrics and changes no behaviour"),
    ("`BACKLASH_SCALE`", "`simfraud/model/regulator.py`", "100,000",
     "the unit of the backlash index (frauds per 100,000 users); the weights on it are "
     "parameters"),
    ("`CHUNK`", "`simfraud/users/engines.py`", "4,096 users",
     "the order in which kernel totals are added; integer totals do not depend on it, float "
     "sums (trust, risk) only in the last bits"),
    ("`NO_THRESHOLD`", "`simfraud/users/authentication.py`", "2^62",
     "the step-up threshold that stands for \"step-up off\""),
    ("draw slots, streams, pseudo-days", "`simfraud/core/draws.py`", "-",
     "the coordinates of random numbers: they choose which numbers are drawn, not how many "
     "or what they mean"),
)
"""Constants that are not parameters, with the reason (listed in the reference)."""
FIXED = "\n".join([
    "## Fixed constants", "",
    "Every number that changes results is a parameter above. These constants are fixed on "
    "purpose; none of them changes what is simulated:", "",
    "| constant | where | value | why it is not a parameter |", "| --- | --- | --- | --- |",
    *(f"| {name} | {where} | {value} | {why} |" for name, where, value, why in FIXED_CONSTANTS),
    "",
])


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model class inside an annotation, and whether it is a list of them."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if origin is list and args:
        inner, _ = _model_of(args[0])
        return inner, True
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in args:
            inner, is_list = _model_of(arg)
            if inner is not None:
                return inner, is_list
    return None, False


def parameter_unit(path: str) -> str:
    """The schema's unit of the parameter at a dotted path (``platforms.0.liveness.apcer``).

    List items are addressed by their index, as in ``--set``; a dated value
    (``timeline.K.set.PATH``, the value rule change K sets) has the unit of ``PATH``.
    Returns ``""`` when the path leads to no parameter of the schema or the parameter has
    no unit.
    """
    parts = path.split(".")
    if len(parts) > 3 and parts[0] == "timeline" and parts[1].isdigit() and parts[2] == "set":
        return parameter_unit(".".join(parts[3:]))
    model: type[BaseModel] | None = Scenario
    while parts and model is not None:
        field = model.model_fields.get(parts.pop(0))
        if field is None:
            return ""
        inner, is_list = _model_of(field.annotation)
        if inner is None:
            return "" if parts else str(_extra(field).get("unit", ""))
        if is_list and parts and parts[0].isdigit():
            parts.pop(0)
        model = inner
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(model: type[BaseModel], instance: BaseModel | None, prefix: str,
          tables: dict[str, list[str]]) -> None:
    rows = tables.setdefault(prefix or "(top level)", [])
    for name, field in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        inner, is_list = _model_of(field.annotation)
        value = getattr(instance, name) if instance is not None else None
        if inner is not None and name != "timeline":
            item = (value[0] if is_list and value else value) if instance is not None else None
            if item is None and not is_list:
                try:
                    item = inner()
                except Exception:  # a block with required fields: no default instance
                    item = None
            _rows(inner, item if isinstance(item, BaseModel) else None,
                  f"{path}[]" if is_list else path, tables)
            continue
        extra = _extra(field)
        allowed = _bounds(field) or _kind(field.annotation) or "text"
        if field.is_required():
            default = "required"
        elif instance is not None:
            default = _scalar(value)
        else:
            default = _scalar(field.get_default(call_default_factory=True))
        rows.append(f"| `{path}` | {_cell(extra.get('unit', ''))} | `{_cell(default)}` | "
                    f"{_cell(allowed)} | {_cell(field.description or '')} | "
                    f"{_cell(extra.get('source', ''))} |")


def parameter_reference() -> str:
    """The Markdown reference of every scenario parameter."""
    tables: dict[str, list[str]] = {}
    _rows(Scenario, Scenario(), "", tables)
    out = [HEADER]
    for block, rows in tables.items():
        if not rows:
            continue
        out += [f"## `{block}`", "",
                "| parameter | unit | default | allowed | description | source |",
                "| --- | --- | --- | --- | --- | --- |", *rows, ""]
    out += ["## `timeline[]`", "",
            "Events (`tool_release`, `breach`, `rule_change`, `attacker_cost_drop`): see "
            "[scenarios.md](scenarios.md) and the commented template at the end of "
            "`scenarios/baseline.yaml`.", ""]
    out += [FIXED]
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(parameter_reference())
