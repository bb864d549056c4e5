"""Read YAML 1.2 with limits, into plain data and the position of every key and item.

Every YAML text the program reads goes through here: scenario files (and their
``extends:`` parents, uploads included), ``--set`` and ``--grid`` values, and calibration
specs. ruamel.yaml parses and composes (YAML 1.2 core schema: ``yes``, ``no``, ``on`` and
``NO`` are strings, ``010`` is ten); this module turns the composed nodes into Python and
enforces the limits:

- at most ``MAX_TEXT_BYTES`` of UTF-8 text (files are also checked by size before reading);
- at most ``MAX_DEPTH`` levels of nesting, checked by ruamel's composer (``max_depth``:
  it recurses per level) and again here while aliases are expanded (a self-referencing
  alias is infinitely deep);
- at most ``MAX_NODES`` nodes once aliases are expanded (alias bombs);
- only the standard tags (str, int, float, bool, null, timestamp, map, seq): no Python
  objects, no ``!!binary`` or ``!!set``; no merge keys (``<<``); no duplicate keys;
  keys are plain scalars; no ``%YAML`` directive other than 1.2.

Every problem is a :class:`~simfraud.scenario.problems.Problem` at the offending line and
column.
"""

from __future__ import annotations

import io
import stat
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import MaxDepthExceededError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from simfraud.scenario.problems import Located, PathKey, Problem, ScenarioError, dotted

MAX_TEXT_BYTES = 1_000_000
"""Largest YAML text read (a scenario file, a spec or one ``--set`` value)."""
MAX_NODES = 100_000
"""Most nodes a document may expand to, aliases included."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists (a scenario needs 6)."""

_YAML = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp",
                                      "map", "seq")}
_TAGS_HINT = "(allowed: plain YAML scalars, lists, mappings)"


def _problem(origin: str, message: str, line: int = 1, column: int = 1,
             where: str = "(yaml)") -> ScenarioError:
    return ScenarioError([Problem(origin, line, column, where, message)])


def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


def parse_yaml(text: str, origin: str, expect: str = "document",
               prefix: PathKey = ()) -> Located:
    """Parse one YAML 1.2 document into plain data with positions.

    Args:
        text: The YAML text.
        origin: Name used in messages (a file name, ``--set PATH=VALUE``...).
        expect: What the text should hold, for the message when it holds several
            documents.
        prefix: Path of the text's value inside the scenario, for messages (e.g.
            ``("days",)`` for ``--set days=...``); positions are keyed without it.

    Returns:
        The data (any YAML value; an empty text gives ``None``) and the position of
        every mapping key and list item, keyed by path (the root's under ``()``).

    Raises:
        ScenarioError: On text over the size limit, syntax errors, more than one
            document, and any limit or rule of this module broken.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_TEXT_BYTES:
        raise _problem(origin, f"YAML text is {size} bytes (allowed: up to {MAX_TEXT_BYTES})",
                       where="(file)")
    yaml = _yaml()
    yaml.max_depth = MAX_DEPTH + 1  # ruamel counts the scalar at the bottom as a level
    yaml.composer.warn_double_anchors = False  # YAML allows redefining an anchor
    try:
        nodes = list(yaml.compose_all(text))
    except MaxDepthExceededError as exc:
        mark = exc.problem_mark
        raise _problem(origin, f"nesting is deeper than {MAX_DEPTH} levels (allowed: up to "
                       f"{MAX_DEPTH})", mark.line + 1, mark.column + 1) from None
    except ReaderError as exc:
        line, column = _line_column(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise _problem(origin, f"character U+{code:04X} is not allowed in YAML "
                       "(allowed: printable text, tabs and line breaks)", line, column) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise _problem(origin, f"YAML syntax error: {what}", line, column) from None
    except YAMLError as exc:
        raise _problem(origin, f"YAML error: {exc}") from None
    if yaml.resolver.processing_version != (1, 2):
        version = ".".join(str(v) for v in yaml.resolver.processing_version)
        raise _problem(origin, f"%YAML {version} directive (allowed: none, or %YAML 1.2)")
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        raise _problem(origin, f"expected one YAML {expect}, found {len(nodes)} documents",
                       mark.line + 1, mark.column + 1, "(top level)")
    converter = _Converter(origin, yaml, prefix)
    if not nodes:
        return Located(None, {})
    converter.mark(nodes[0], ())
    data = converter.convert(nodes[0], (), 0)
    return Located(data, converter.positions)


def dump_yaml(data: Any, *, flow: bool = False) -> str:
    """Write plain data as YAML 1.2 that :func:`parse_yaml` reads back to equal values.

    Text that YAML 1.2 would read as another type (``'1e3'``, ``'0o10'``, ``'true'``) is
    quoted. Keys keep their order.

    Args:
        data: Plain dicts, lists, text, numbers, booleans, dates and ``None``.
        flow: One line in flow style (``[a, b]``, ``{k: v}``) instead of block style.

    Returns:
        The YAML text; a lone scalar has no document end marker.
    """
    yaml = _yaml()
    yaml.default_flow_style = flow
    yaml.sort_base_mapping_type_on_output = False
    yaml.width = 1_000_000 if flow else 88
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue().removesuffix("...\n")


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def unreadable_file(path: Path, kind: str = "a YAML file") -> str | None:
    """Why ``path`` may not be read as an input file, or None when it may.

    It must be a regular file of at most ``MAX_TEXT_BYTES`` (a FIFO would block,
    ``/dev/zero`` never end).

    Args:
        path: The file.
        kind: What it should be, for the message.

    Raises:
        OSError: When it cannot be examined (not found, permission, a name too long).
        ValueError: When its name holds a NUL byte.
    """
    info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a file"
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file (allowed: {kind}; not a device, pipe or socket)"
    if info.st_size > MAX_TEXT_BYTES:
        return f"file is {info.st_size} bytes (allowed: up to {MAX_TEXT_BYTES})"
    return None


def read_yaml_file(path: Path, what: str = "scenario fields") -> Located:
    """Read a YAML file whose top level is a mapping.

    Only regular files are opened (a FIFO would block, ``/dev/zero`` never end); the size
    is checked before reading.

    Args:
        path: File to read.
        what: What the mapping holds, for the message when the top level is not one.

    Returns:
        The mapping and its positions.

    Raises:
        ScenarioError: On unreadable or oversized files, non-UTF-8 text, any problem of
            :func:`parse_yaml`, or a top level that is not a mapping.
    """
    name = str(path)
    try:
        problem = unreadable_file(path)
        if problem:
            raise _problem(name, problem, where="(file)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _problem(name, "file not found", where="(file)") from None
    except UnicodeDecodeError as exc:
        raise _not_utf8(name, path, exc) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        reason = getattr(exc, "strerror", None) or str(exc)
        raise _problem(name, f"cannot read: {reason}", where="(file)") from None
    located = parse_yaml(text, name, "mapping")
    if located.data is None and not located.positions:
        raise _problem(name, f"the whole file is empty (allowed: a mapping of {what})",
                       where="(file)")
    if not isinstance(located.data, dict):
        _, line, column = located.positions[()]
        raise _problem(name, f"expected a mapping of {what}, found {_kind(located.data)}",
                       line, column, "(top level)")
    return located


def _kind(value: Any) -> str:
    """What a top-level YAML value is, in words."""
    if value is None:
        return "null (a document with no mapping)"
    kinds = {list: "a list", str: "text", bool: "a boolean", int: "a number", float: "a number"}
    return kinds.get(type(value), type(value).__name__)


def _not_utf8(name: str, path: Path, exc: UnicodeDecodeError) -> ScenarioError:
    """The problem of a file that is not UTF-8, at the line and column of the bad byte."""
    before = exc.object[:exc.start]
    line = before.count(b"\n") + 1
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    return _problem(name, f"not UTF-8 text: {exc.reason} (byte {exc.start + 1} of the file; "
                    "allowed: UTF-8 text)", line, column, where="(file)")


class _Converter:
    """Turn a composed YAML node tree into plain Python, recording positions."""

    def __init__(self, origin: str, yaml: YAML, prefix: PathKey = ()):
        self.origin = origin
        self.prefix = prefix
        self.nodes = 0
        self.positions: dict[PathKey, tuple[str, int, int]] = {}
        self._constructor = yaml.constructor

    def fail(self, node: Node, path: PathKey, message: str) -> ScenarioError:
        mark = node.start_mark
        return _problem(self.origin, message, mark.line + 1, mark.column + 1,
                        dotted((*self.prefix, *path)))

    def convert(self, node: Node, path: PathKey, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(node, path, f"document expands to more than {MAX_NODES} nodes "
                            "(aliases are bounded)")
        if depth > MAX_DEPTH:
            raise self.fail(node, (*path[:4], "..."),
                            f"nesting is deeper than {MAX_DEPTH} levels once aliases are "
                            f"expanded (a self-referencing alias?) (allowed: up to {MAX_DEPTH})")
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(node, path, f"tag {node.tag!r} is not allowed {_TAGS_HINT}")
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            out = []
            for index, item in enumerate(node.value):
                self.mark(item, (*path, index))
                out.append(self.convert(item, (*path, index), depth + 1))
            return out
        try:
            return self._constructor.construct_object(node, deep=True)
        except (YAMLError, ValueError, KeyError, AttributeError, IndexError, TypeError,
                OverflowError):
            tag = node.tag.rsplit(":", 1)[-1]
            raise self.fail(node, path, f"cannot read {node.value!r} as {tag}") from None

    def _mapping(self, node: MappingNode, path: PathKey, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _YAML + "merge":
                raise self.fail(key_node, path, "merge keys (<<) are not supported; use "
                                "extends:")
            if key_node.tag not in _ALLOWED_TAGS:
                raise self.fail(key_node, path, f"tag {key_node.tag!r} is not allowed "
                                f"{_TAGS_HINT}")
            if not isinstance(key_node, ScalarNode):
                raise self.fail(key_node, path, "keys must be plain names")
            key = str(key_node.value)
            child = (*path, key)
            if key in out:
                raise self.fail(key_node, child, f"duplicate key {key!r}")
            self.mark(key_node, child)
            out[key] = self.convert(value_node, child, depth + 1)
        return out

    def mark(self, node: Node, path: PathKey) -> None:
        self.positions[path] = (self.origin, node.start_mark.line + 1,
                                node.start_mark.column + 1)
