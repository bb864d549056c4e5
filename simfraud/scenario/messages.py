"""Turn pydantic validation errors into located, one-line messages with what is allowed."""

from __future__ import annotations

import difflib
import types
import typing
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from simfraud.scenario.problems import Located, Location, PathKey, Problem, dotted
from simfraud.scenario.schema import Scenario


def _unwrap(annotation: Any) -> list[Any]:
    """Candidate inner types of an annotation (through Annotated, Optional, unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_for(root: type[BaseModel],
               loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, Any]:
    """Walk the schema along a pydantic error location.

    Returns:
        The model class that owns the last location element and that element's field
        info (or None when the walk leaves the schema).
    """
    model: Any = root
    field = None
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            if part not in model.model_fields:
                return model, None
            field = model.model_fields[part]
            model = field.annotation
            continue
        candidates = _unwrap(model)
        chosen = None
        for cand in candidates:
            origin = typing.get_origin(cand)
            if origin in (list, dict):
                chosen = _unwrap(typing.get_args(cand)[-1])
                break
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                tag = cand.model_fields.get("type")
                if tag is not None and part in typing.get_args(tag.annotation):
                    chosen = [cand]
                    break
        if chosen is None:
            return None, None
        model = chosen[0] if len(chosen) == 1 else typing.Union[tuple(chosen)]  # noqa: UP007
    return None, field


def _allowed(field: Any) -> str | None:
    """Human-readable allowed values or range of a field."""
    if field is None:
        return None
    candidates = _unwrap(field.annotation)
    for cand in list(candidates):
        if typing.get_origin(cand) is list:
            candidates.extend(_unwrap(typing.get_args(cand)[0]))
    for cand in candidates:
        if isinstance(cand, type) and issubclass(cand, Enum):
            return ", ".join(str(m.value) for m in cand)
        if typing.get_origin(cand) is typing.Literal:
            return ", ".join(str(a) for a in typing.get_args(cand))
    if bool in candidates:
        return "true, false"
    low = high = None
    for meta in field.metadata:
        for attr, is_low in (("ge", True), ("gt", True), ("le", False), ("lt", False)):
            value = getattr(meta, attr, None)
            if value is not None:
                shown = f"{int(value):_}" if float(value).is_integer() else f"{value:g}"
                text = f"{'>' if attr == 'gt' else '<' if attr == 'lt' else ''}{shown}"
                if is_low:
                    low = text
                else:
                    high = text
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f">= {low}" if low[0] != ">" else low
    if high is not None:
        return f"<= {high}" if high[0] != "<" else high
    return None


def clean_path(data: Any, loc: tuple[Any, ...]) -> tuple[PathKey, tuple[Any, ...]]:
    """Split a pydantic location into the data path (for positions) and schema path.

    Discriminated unions add their tag to the location; it is kept for the schema walk
    but dropped from the data path.
    """
    data_path: list[Any] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            data_path.append(part)
        elif isinstance(node, dict) and node.get("type") == part:
            continue
        else:
            data_path.append(part)
            node = None
    return tuple(data_path), loc


def message(error: dict[str, Any], schema_loc: tuple[Any, ...],
            root: type[BaseModel] = Scenario) -> str:
    """One line saying what is wrong with a value and what is allowed.

    Args:
        error: One error of a pydantic ``ValidationError``.
        schema_loc: Its location in the schema (see :func:`clean_path`).
        root: The model validated.

    Returns:
        The message, e.g. ``'x' is not allowed; did you mean 'y'? (allowed: y, z)``.
    """
    kind = error["type"]
    owner, field = _model_for(root, schema_loc)
    if kind == "extra_forbidden":
        key = str(schema_loc[-1])
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r}{hint} (allowed: {', '.join(allowed)})"
    if kind == "missing":
        if len(schema_loc) == 1:
            return (f"required field is missing (allowed: add {schema_loc[0]}: at the top "
                    "level of the file)")
        return "required field is missing"
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        expected = expected.replace("'", "")
        return f"unknown event type {error['input'].get('type')!r} (allowed: {expected})"
    if kind == "union_tag_not_found":
        return ("event needs a 'type' "
                "(allowed: tool_release, breach, rule_change, attacker_cost_drop)")
    message = error["msg"].removeprefix("Value error, ")
    allowed = _allowed(field)
    got = error.get("input")
    if kind in ("enum", "literal_error") and allowed:
        close = difflib.get_close_matches(str(got), allowed.split(", "), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{got!r} is not allowed{hint} (allowed: {allowed})"
    if kind != "value_error" and not isinstance(got, dict | list):
        message += f" (got {got!r}"
        message += f"; allowed: {allowed})" if allowed else ")"
    elif allowed:
        message += f" (allowed: {allowed})"
    return message


def locate_errors(exc: ValidationError, located: Located, fallback: Location,
                  root: type[BaseModel] = Scenario) -> list[Problem]:
    """One located problem per error of ``exc``.

    An error raised by a whole-model rule that names the field it is about (a
    :class:`~simfraud.scenario.schema.FieldRuleError`) is located at that field.

    Args:
        exc: The validation error of ``located.data`` against ``root``.
        located: The data validated and its positions.
        fallback: Position used when a path has no recorded position.
        root: The model validated.

    Returns:
        The problems, in pydantic's order.
    """
    problems = []
    for error in exc.errors():
        data_path, schema_loc = clean_path(located.data, error["loc"])
        cause = error.get("ctx", {}).get("error")
        field_path = getattr(cause, "path", None)
        if field_path is not None:
            data_path = (*data_path, *field_path)
        file, line, col = located.where(data_path, fallback)
        problems.append(Problem(file, line, col, dotted(data_path),
                                message(error, schema_loc, root)))
    return problems
