from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from simfraud.scenario.loader import (
    MAX_FILE_BYTES,
    ScenarioError,
    load_scenario,
    resolve_extends,
)
from simfraud.scenario.schema import AttemptCost, LivenessTable

CORPUS = Path(__file__).parent / "scenario_corpus"
BROKEN = sorted((CORPUS / "broken").glob("*.yaml"))
VALID = sorted((CORPUS / "valid").glob("*.yaml"))
SUPPORT = CORPUS / "support"
MINIMAL = CORPUS / "valid" / "minimal.yaml"
ALL_EVENTS = CORPUS / "valid" / "all_events.yaml"
EXTENDS = CORPUS / "valid" / "extends_base.yaml"

# FILE:LINE:COL: field.path: message. Problems about the whole file use the path
# "(top level)", which is the only path the loader writes with a space in it.
PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: (?:\S+|\(top level\)): .+$")


def header(path: Path) -> tuple[list[str], str | None]:
    """The `# expect:` fragments and the `# at:` location of a corpus file."""
    expects: list[str] = []
    at = None
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect: "):
            expects.append(line.removeprefix("# expect: "))
        elif line.startswith("# at: "):
            at = line.removeprefix("# at: ").strip()
    return expects, at


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path | str, overrides: list[str] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides or [])
    return info.value


# --- the corpus ---------------------------------------------------------------------------


def test_corpus_is_complete():
    assert len(BROKEN) >= 25
    assert len(VALID) >= 3
    for path in BROKEN:
        expects, _ = header(path)
        assert expects, f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_file_is_rejected(path: Path):
    expects, at = header(path)
    err = problems_of(path)
    text = str(err)
    for fragment in expects:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    lines = text.split("\n")
    assert len(lines) == len(err.problems)
    for line in lines:
        assert PROBLEM_LINE.match(line), line
    if at is not None:
        first = err.problems[0]
        *file, line, column = at.split(":")
        expected_file = file[0] if file else path.name
        assert (Path(first.file).name, first.line, first.column) == (
            expected_file, int(line), int(column)
        ), str(first)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_file_loads(path: Path):
    scenario = load_scenario(path)
    assert scenario.name


def test_valid_timeline_has_every_event_type():
    scenario = load_scenario(ALL_EVENTS)
    kinds = {event.type for event in scenario.timeline}
    assert kinds == {"tool_release", "breach", "rule_change", "attacker_cost_drop"}


# --- file-level safety --------------------------------------------------------------------


def test_file_over_size_limit_is_refused(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("description: " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    err = problems_of(path)
    assert err.problems[0].path == "(file)"
    assert f"allowed: up to {MAX_FILE_BYTES}" in str(err)


def test_missing_file(tmp_path):
    err = problems_of(tmp_path / "absent.yaml")
    assert "file not found" in str(err)


def test_directory_instead_of_file(tmp_path):
    err = problems_of(tmp_path)
    assert "is a directory" in str(err)


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_only_regular_files_are_read(tmp_path, special):
    import os

    if special == "fifo":
        special = tmp_path / "pipe.yaml"
        os.mkfifo(special)
    err = problems_of(Path(special))  # a FIFO would block, /dev/zero grow without end
    assert "not a regular file" in str(err)


def test_python_tag_is_not_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = write(tmp_path / "evil.yaml", f"""\
        name: !!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path
          ["{marker}"]]
        """)
    err = problems_of(path)
    assert "is not allowed" in str(err)
    assert not marker.exists()


def test_alias_bomb_is_refused_quickly():
    err = problems_of(CORPUS / "broken" / "alias_bomb.yaml")
    assert len(err.problems) == 1


def test_every_problem_is_reported(tmp_path):
    path = write(tmp_path / "many.yaml", """\
        days: 0
        population:
          users: -1
        behaviour:
          drop_rate: 2
        """)
    err = problems_of(path)
    assert [p.path for p in err.problems] == [
        "days", "population.users", "behaviour.drop_rate"
    ]
    assert [p.line for p in err.problems] == [1, 3, 5]


# --- --set overrides ----------------------------------------------------------------------

def test_set_changes_value():
    scenario = load_scenario(MINIMAL, ["platforms.0.liveness.level=depth_3d", "days=90"])
    assert scenario.platforms[0].liveness.level == "depth_3d"
    assert scenario.days == 90


def test_set_applies_in_order():
    assert load_scenario(MINIMAL, ["days=10", "days=20"]).days == 20


def test_set_is_validated_after_every_assignment_in_either_order():
    # Ten million users need fewer than 365 days (worst-case money past int64): the
    # result of all the assignments is checked, not the state after each one.
    for overrides in (["population.users=10000000", "days=30"],
                      ["days=30", "population.users=10000000"]):
        scenario = load_scenario(MINIMAL, overrides)
        assert (scenario.population.users, scenario.days) == (10_000_000, 30)
    err = problems_of(MINIMAL, ["population.users=10000000", "days=365"])
    [problem] = err.problems
    assert problem.file == "--set population.users=10000000"
    assert "worst-case money of the run" in problem.message


def test_set_reports_every_bad_assignment_at_its_own_origin():
    err = problems_of(MINIMAL, ["seed=-3", "platforms.0.liveness.level=bogus", "days=7",
                                "platforms.0.liveness={level: nope}"])
    assert sorted((p.file, p.path) for p in err.problems) == [
        ("--set platforms.0.liveness={level: nope}", "platforms.0.liveness.level"),
        ("--set seed=-3", "seed"),
    ]


def test_set_list_index_out_of_range():
    err = problems_of(MINIMAL, ["platforms.3.liveness.level=active"])
    [problem] = err.problems
    assert problem.file == "--set platforms.3.liveness.level=active"
    assert problem.path == "platforms.3.liveness.level"
    assert "platforms has 1 item(s): index 3 is out of range (allowed: 0 to 0)" in str(err)


def test_set_index_into_something_that_is_not_a_list():
    err = problems_of(MINIMAL, ["platforms.bank.fee_bps=10"])
    assert "platforms is a list: address its items by index, not 'bank'" in str(err)


def test_set_unknown_key_suggests_a_name():
    err = problems_of(MINIMAL, ["population.userz=500"])
    [problem] = err.problems
    assert problem.path == "population.userz"
    assert "unknown key 'userz'; did you mean 'users'?" in problem.message


def test_set_bad_value_lists_allowed_values():
    err = problems_of(MINIMAL, ["regulator.stance=strict"])
    assert "'strict' is not allowed (allowed: laissez_faire, reactive, proactive)" in str(err)


def test_set_out_of_range_value_gives_range():
    err = problems_of(MINIMAL, ["behaviour.adoption_rate=1.5"])
    assert "(got 1.5; allowed: 0 to 1)" in str(err)


def test_set_value_is_parsed_as_yaml():
    scenario = load_scenario(MINIMAL, ["days=3", "platforms.0.step_up.enabled=false"])
    assert scenario.days == 3
    assert scenario.platforms[0].step_up.enabled is False
    # 3 and true are an int and a bool, so a string field refuses them...
    assert "(got 3)" in str(problems_of(MINIMAL, ["name=3"]))
    assert "(got True)" in str(problems_of(MINIMAL, ["name=true"]))
    # ...unless quoted.
    assert load_scenario(MINIMAL, ["name='3'"]).name == "3"
    assert load_scenario(MINIMAL, ["name=a b"]).name == "a b"


def test_set_accepts_flow_collections():
    scenario = load_scenario(MINIMAL, [
        "platforms=[{name: a, market_share: 0.7}, {name: b, market_share: 0.3}]",
        "platforms.1.reimbursement.vectors=[social_engineering]",
    ])
    assert [p.market_share for p in scenario.platforms] == [0.7, 0.3]
    assert scenario.platforms[1].reimbursement.vectors == ["social_engineering"]


def test_set_through_a_value_is_refused():
    err = problems_of(MINIMAL, ["days.total=3"])
    assert "days is a value, not a block: cannot set 'total' inside it" in str(err)


def test_set_needs_an_equals_sign():
    err = problems_of(MINIMAL, ["days"])
    assert "expected PATH=VALUE" in str(err)


def test_set_rechecks_rule_changes(tmp_path):
    # The rule_change addresses platforms.1, which the override removes.
    path = write(tmp_path / "x.yaml", """\
        platforms:
          - {name: a, market_share: 0.5}
          - {name: b, market_share: 0.5}
        timeline:
          - type: rule_change
            day: 10
            set:
              platforms.1.liveness.level: active
        """)
    load_scenario(path)
    [problem] = problems_of(path, ["platforms=[{name: solo}]"]).problems
    assert problem.path == "timeline.0.set.platforms.1.liveness.level"
    assert "platforms has 1 item(s): index 1 is out of range" in problem.message


def test_set_on_top_of_extends():
    scenario = load_scenario(EXTENDS, ["population.contacts=8"])
    assert scenario.population.contacts == 8
    assert scenario.population.users == 3000


# --- extends ------------------------------------------------------------------------------


def test_extends_child_overrides_parent():
    scenario = load_scenario(EXTENDS)
    assert scenario.name == "child"
    assert scenario.population.users == 3000
    # Not set in the child: inherited.
    assert scenario.days == 120
    assert scenario.seed == 7
    assert scenario.description.startswith("Two platforms")


def test_extends_merges_nested_mappings():
    scenario = load_scenario(EXTENDS)
    assert scenario.population.contacts == 4
    assert scenario.population.initial_trust == 0.8
    assert scenario.regulator.stance == "reactive"
    assert scenario.regulator.threshold == 2.5
    assert scenario.regulator.instruments.mandatory_reimbursement.enabled is True
    assert scenario.attackers.initial == 10
    assert scenario.attackers.attempt_cost.mask_3d == 4000


def test_extends_replaces_lists():
    scenario = load_scenario(EXTENDS)
    [platform] = scenario.platforms
    assert platform.name == "solo"
    # Nothing of the parent's first platform (bank, active, 0.6) leaks into the item.
    assert platform.market_share == 1.0
    assert platform.liveness.level == "depth_3d"
    assert platform.liveness.injection_detection is True


def test_extends_positions_point_into_the_file_that_set_the_value():
    located = resolve_extends(EXTENDS)
    parent = (SUPPORT / "base.yaml").resolve()
    assert "extends" not in located.data

    def where(*path):
        file, line, column = located.positions[path]
        return Path(file).resolve(), line, column

    assert where("population", "contacts") == (parent, 8, 3)
    assert where("days") == (parent, 4, 1)
    assert where("population", "users") == (EXTENDS.resolve(), 5, 3)
    assert where("platforms", 0) == (EXTENDS.resolve(), 7, 5)
    # The parent's second platform was replaced along with the list.
    assert ("platforms", 1) not in located.positions
    assert ("platforms", 1, "name") not in located.positions


def test_inherited_error_is_located_in_the_parent(tmp_path):
    parent = write(tmp_path / "parent.yaml", """\
        name: parent
        population:
          users: 100
          contacts: 99
        """)
    child = write(tmp_path / "child.yaml", """\
        extends: parent.yaml
        population:
          users: 200
        """)
    [problem] = problems_of(child).problems
    assert problem.path == "population.contacts"
    assert (Path(problem.file).resolve(), problem.line, problem.column) == (parent, 4, 3)


def test_overriding_error_is_located_in_the_child(tmp_path):
    write(tmp_path / "parent.yaml", "population:\n  contacts: 10\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\npopulation:\n  contacts: 99\n")
    [problem] = problems_of(child).problems
    assert (Path(problem.file).resolve(), problem.line, problem.column) == (child, 3, 3)


def test_extends_chain_of_three(tmp_path):
    write(tmp_path / "a.yaml", "name: a\ndays: 10\nseed: 1\n")
    write(tmp_path / "sub" / "b.yaml", "extends: ../a.yaml\ndays: 20\n")
    c = write(tmp_path / "sub" / "c.yaml", "extends: b.yaml\nname: c\n")
    scenario = load_scenario(c)
    assert (scenario.name, scenario.days, scenario.seed) == ("c", 20, 1)


def test_extends_is_relative_to_the_child_not_the_cwd(tmp_path, monkeypatch):
    write(tmp_path / "deep" / "parent.yaml", "days: 42\n")
    child = write(tmp_path / "deep" / "child.yaml", "extends: parent.yaml\n")
    monkeypatch.chdir(tmp_path)
    assert load_scenario(child.relative_to(tmp_path)).days == 42


def test_extends_self_is_a_cycle(tmp_path):
    path = write(tmp_path / "self.yaml", "extends: self.yaml\n")
    assert "extends cycle: self.yaml -> self.yaml" in str(problems_of(path))


def test_extends_can_be_confined_to_a_folder(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "outside.yaml").write_text("days: 7\n")
    write(inner / "parent.yaml", "days: 9\n")
    child = write(inner / "child.yaml", "extends: ../outside.yaml\n")
    assert load_scenario(child).days == 7
    with pytest.raises(ScenarioError, match="outside the scenarios folder") as err:
        load_scenario(child, root=inner)
    assert err.value.problems[0].path == "extends" and err.value.problems[0].line == 1
    (inner / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    linked = write(inner / "linked.yaml", "extends: link.yaml\n")
    with pytest.raises(ScenarioError, match="outside the scenarios folder"):
        load_scenario(linked, root=inner)
    good = write(inner / "good.yaml", "extends: parent.yaml\n")
    assert load_scenario(good, root=inner).days == 9


def test_extends_null_means_no_parent(tmp_path):
    path = write(tmp_path / "x.yaml", "extends: null\ndays: 5\n")
    assert load_scenario(path).days == 5


# --- partial tables keep their defaults ---------------------------------------------------


def test_partial_liveness_level_keeps_its_defaults(tmp_path):
    path = write(tmp_path / "x.yaml", """\
        defences:
          liveness:
            depth_3d: {bpcer: 0.05}
        """)
    table = load_scenario(path).defences.liveness
    defaults = LivenessTable()
    assert table.depth_3d.bpcer == 0.05
    assert table.depth_3d.model_dump(exclude={"bpcer"}) == defaults.depth_3d.model_dump(
        exclude={"bpcer"}
    )
    for level in ("none", "passive_2d", "active"):
        assert getattr(table, level) == getattr(defaults, level)


def test_partial_liveness_level_merges_across_extends(tmp_path):
    # support/base.yaml sets depth_3d.bpcer; the child adds cost_per_check.
    path = write(tmp_path / "x.yaml", f"""\
        extends: {(SUPPORT / "base.yaml").resolve()}
        defences:
          liveness:
            depth_3d:
              cost_per_check: 9
        """)
    depth = load_scenario(path).defences.liveness.depth_3d
    assert (depth.bpcer, depth.cost_per_check) == (0.05, 9)
    assert depth.mask_3d == LivenessTable().depth_3d.mask_3d


def test_partial_liveness_level_by_set():
    depth = load_scenario(MINIMAL, ["defences.liveness.depth_3d.bpcer=0.1"]).defences.liveness
    assert depth.depth_3d.bpcer == 0.1
    assert depth.depth_3d.upgrade_cost_per_user == LivenessTable().depth_3d.upgrade_cost_per_user


def test_partial_attempt_cost_keeps_other_vectors(tmp_path):
    path = write(tmp_path / "x.yaml", """\
        attackers:
          attempt_cost:
            deepfake_injection: 100
        """)
    cost = load_scenario(path).attackers.attempt_cost
    assert cost.deepfake_injection == 100
    assert cost.model_dump(exclude={"deepfake_injection"}) == AttemptCost().model_dump(
        exclude={"deepfake_injection"}
    )


# --- regressions: loader bugs found by review, now fixed ----------------------------------


@pytest.mark.parametrize(
    ("text", "crash"),
    [
        ("days: !!bool maybe\n", KeyError),
        ("start_date: !!timestamp soon\n", AttributeError),
        ("days: !!int ''\n", IndexError),
        ("name: " + "[" * 1000 + "]" * 1000 + "\n", RecursionError),
        (
            "timeline:\n  - type: rule_change\n    set:\n      platforms.--1.name: x\n",
            ValueError,
        ),
    ],
    ids=["explicit-bool", "explicit-timestamp", "explicit-int-empty", "deep-nesting",
         "rule-change-double-minus-index"],
)
def test_regression_crash_instead_of_scenario_error(tmp_path, text, crash):
    path = write(tmp_path / "x.yaml", text)
    try:
        load_scenario(path)
    except ScenarioError:
        return
    except crash:
        pytest.fail(f"loader bug: {crash.__name__} escapes load_scenario")
    pytest.fail("loaded without any error")


def test_regression_set_double_minus_index_crashes():
    try:
        load_scenario(MINIMAL, ["platforms.--1.name=x"])
    except ScenarioError:
        return
    except ValueError:
        pytest.fail("loader bug: ValueError from int('--1') escapes load_scenario")
    pytest.fail("accepted platforms.--1")


@pytest.mark.parametrize(
    ("text", "overrides"),
    [
        ("name: a\x07b\n", []),
        ("population: !!map abc\n", []),
        ("name: x\n", ["name=[a"]),
    ],
    ids=["control-character", "map-tag-on-scalar", "set-value-not-yaml"],
)
def test_regression_multi_line_problem(tmp_path, text, overrides):
    path = write(tmp_path / "x.yaml", text)
    err = problems_of(path, overrides)
    if any("\n" in str(p) for p in err.problems):
        pytest.fail("loader bug: a problem's message spans several lines")
    assert all(PROBLEM_LINE.match(line) for line in str(err).split("\n"))


def test_regression_rule_change_paths_are_checked_one_at_a_time(tmp_path):
    # At run time (model.py) all paths of one rule_change are applied together, so
    # swapping market shares in one event is valid; the loader checks each path alone.
    path = write(tmp_path / "x.yaml", """\
        platforms:
          - name: a
            market_share: 0.5
          - name: b
            market_share: 0.5
        timeline:
          - type: rule_change
            day: 10
            set:
              platforms.0.market_share: 0.7
              platforms.1.market_share: 0.3
        """)
    try:
        load_scenario(path)
    except ScenarioError as err:
        if "must sum to 1" in str(err):
            pytest.fail("loader bug: jointly valid rule_change rejected")
        raise


def test_regression_rule_changes_are_not_checked_cumulatively(tmp_path):
    # Each event alone is valid; together (as model.py applies them) initial > max.
    path = write(tmp_path / "x.yaml", """\
        timeline:
          - type: rule_change
            day: 10
            set:
              attackers.max: 40
          - type: rule_change
            day: 20
            set:
              attackers.initial: 50
        """)
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert "exceeds max" in str(err)
        return
    pytest.fail("loader bug: timeline that fails on day 20 at run time is accepted")


@pytest.mark.parametrize("key", ["!custom name", "!!python/name:os.system name"])
def test_regression_tags_on_keys_are_not_refused(tmp_path, key):
    path = write(tmp_path / "x.yaml", f"{key}: x\n")
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert "is not allowed" in str(err)
        return
    pytest.fail("loader bug: a non-standard tag on a key is silently accepted")


def test_an_unknown_sensitivity_path_is_one_line_not_one_per_bound(tmp_path):
    path = write(tmp_path / "s.yaml", """\
        sensitivity:
          parameters:
            attackers.intial: {low: 1, high: 5}
            days: {low: 10, high: 99999}
        """)
    lines = str(problems_of(path)).split("\n")
    assert len(lines) == 2, lines
    assert (f"{path}:3:5: sensitivity.parameters.attackers.intial: unknown key 'intial'; "
            "did you mean 'initial'?") in lines[0]
    assert lines[1].startswith(f"{path}:4:5: sensitivity.parameters.days: value 99999: ")


@pytest.mark.parametrize(("text", "where", "fragment"), [
    ("", "1:1: (file)", "the whole file is empty (allowed: a mapping of scenario fields)"),
    ("# a comment only\n", "1:1: (file)", "the whole file is empty"),
    ("# header\nnull\n", "2:1: (top level)", "found null (a document with no mapping)"),
    ("# header\n\n- a\n", "3:1: (top level)", "found a list"),
    ("# header\n42\n", "2:1: (top level)", "found a number"),
])
def test_whole_file_problems_say_so_where_the_document_starts(tmp_path, text, where,
                                                              fragment):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    [line] = str(problems_of(path)).split("\n")
    assert line.startswith(f"{path}:{where}: ") and fragment in line, line


def test_a_byte_that_is_not_utf8_is_located_at_its_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"name: ok\ndescription: caf\xe9\n")
    [line] = str(problems_of(path)).split("\n")
    assert line.startswith(f"{path}:2:17: (file): not UTF-8 text"), line


def test_a_missing_required_key_says_where_to_add_it(tmp_path, capsys):
    from simfraud.cli import main

    (tmp_path / "spec.yaml").write_text("# calibration\nscenario: s.yaml\ntargets: t.csv\n"
                                        "parameters: {}\n")
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "o")]) == 2
    [line] = capsys.readouterr().err.strip().split("\n")
    assert line.endswith("real_population: required field is missing (allowed: add "
                         "real_population: at the top level of the file)"), line


class CountingSet(set):
    """A set that counts membership tests (the merge's work)."""

    lookups = 0

    def __contains__(self, item):
        CountingSet.lookups += 1
        return super().__contains__(item)


def test_merging_a_file_into_its_parent_is_linear_in_keys(monkeypatch):
    # 20,000 keys once took 107 s (quadratic). Count the merge's work, not its time: the
    # position lookups per key must not grow with the number of keys.
    from simfraud.scenario import loader
    from simfraud.scenario.problems import Located

    monkeypatch.setattr(loader, "set", CountingSet, raising=False)

    def merged(n):
        base = Located({"block": {f"k{i}": i for i in range(n)}},
                       {("block", f"k{i}"): ("parent.yaml", i, 1) for i in range(n)})
        child = Located({"block": {f"k{i}": -i for i in range(0, n, 2)}},
                        {("block", f"k{i}"): ("child.yaml", i, 1) for i in range(0, n, 2)})
        CountingSet.lookups = 0
        loader._merge(base, child)
        assert base.data["block"]["k2"] == -2 and base.data["block"]["k3"] == 3
        assert base.positions[("block", "k2")][0] == "child.yaml"
        assert base.positions[("block", "k3")][0] == "parent.yaml"
        return CountingSet.lookups

    small, large = merged(2_000), merged(20_000)
    assert small > 0
    assert large <= 10 * small * 1.01  # ten times the keys, at most ten times the work
