from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import event, given, settings
from hypothesis import strategies as st

from simfraud.scenario.loader import ScenarioError, load_scenario

CORPUS = Path(__file__).parent / "scenario_corpus"
SUPPORT = CORPUS / "support"
SOURCES = {
    path.name: path.read_text(encoding="utf-8")
    for path in [*sorted((CORPUS / "valid").glob("*.yaml")), SUPPORT / "base.yaml"]
}

# YAML indicators and whitespace that change structure, plus ordinary printable text.
# Control characters are left out: they trip a known multi-line message
# (test_scenario_loader.py::test_bug_multi_line_problem).
SPECIAL = list(":-!&*{}[],#|>?%@`'\"<=.\t\n ")
ALPHABET = st.one_of(
    st.sampled_from(SPECIAL),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(categories=("L", "N", "Zs"), max_codepoint=0xFFFF),
)
# The line breaks PyYAML counts.
YAML_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def delete_span(draw, text: str) -> str:
    start = draw(st.integers(0, len(text)))
    length = draw(st.integers(1, 40))
    return text[:start] + text[start + length:]


def insert_text(draw, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.text(ALPHABET, min_size=1, max_size=8)) + text[at:]


def duplicate_line(draw, text: str) -> str:
    lines = text.splitlines(keepends=True) or [""]
    i = draw(st.integers(0, len(lines) - 1))
    line = lines[i] if lines[i].endswith("\n") else lines[i] + "\n"
    return "".join([*lines[:i], line, *lines[i:]])


def swap_lines(draw, text: str) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) < 2:
        return text
    i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


@st.composite
def corrupted(draw) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(SOURCES)))
    text = SOURCES[name]
    mutations = draw(st.lists(
        st.sampled_from([delete_span, insert_text, duplicate_line, swap_lines]),
        min_size=1, max_size=4,
    ))
    for mutate in mutations:
        text = mutate(draw, text)
    return name, text


@settings(max_examples=150, deadline=None)
@given(corrupted())
def test_corrupted_files_fail_only_with_scenario_error(case):
    name, text = case
    with tempfile.TemporaryDirectory() as tmp:
        # Same layout as the corpus, so extends: ../support/base.yaml still resolves.
        (Path(tmp) / "support").mkdir()
        shutil.copy(SUPPORT / "base.yaml", Path(tmp) / "support" / "base.yaml")
        path = Path(tmp) / "valid" / name
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        try:
            load_scenario(path)
            event("loaded")
        except ScenarioError as err:
            problems = err.problems
            event(f"rejected: {problems[0].path.split('.')[0]}")
            assert problems
            assert str(err).split("\n") == [str(p) for p in problems]
            lines = len(YAML_BREAK.split(text))
            for problem in problems:
                assert "\n" not in str(problem)
                assert problem.line >= 1
                assert problem.column >= 1
                assert problem.path
                assert problem.message
                if Path(problem.file).resolve() == path.resolve():
                    assert problem.line <= lines, (problem, lines)
