"""Every input bounded and typed: bad inputs end with exit 2 and one located line each.

Each case runs ``simfraud.cli.main`` and checks: exit status 2, exactly the expected
number of ``FILE:LINE:COL: path: message`` lines on standard error (one per problem),
the expected fragment, no traceback, and nothing written next to ``--out``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simfraud.cli import main
from simfraud.scenario.loader import load_scenario
from simfraud.scenario.yaml12 import dump_yaml

LOCATED = re.compile(r"^.+:\d+:\d+: .+: .+$")
BOMB = ("a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
                  for p, c in zip("abcde", "bcdef", strict=True)))
FLOW_BOMB = ("[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], "
             "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], "
             "&e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]]")

# name: (scenario text, extra arguments, fragment, located lines)
FILE_CASES = {
    "deep-nesting-400": ("name: " + "[" * 400 + "]" * 400 + "\n", [],
                         "nesting is deeper than 64 levels", 1),
    "deep-mapping-400": ("".join("  " * i + f"k{i}:\n" for i in range(400)) + "  " * 400
                         + "x: 1\n", [], "nesting is deeper than 64 levels", 1),
    "self-referencing-alias": ("description: &s [1, *s]\n", [],
                               "a self-referencing alias?", 1),
    "alias-bomb": (BOMB, [], "document expands to more than 100000 nodes", 1),
    "nul-byte": ("name: a\x00b\n", [], "character U+0000 is not allowed", 1),
    "nul-in-extends": ('extends: "base\\0.yaml"\n', [], "contains a NUL character", 1),
    "extends-6000-characters": ("extends: " + "a" * 6000 + ".yaml\n", [],
                                "file name is 6005 characters (allowed: up to 1000)", 1),
    "yaml-1.1-directive": ("%YAML 1.1\n---\nname: x\n", [], "%YAML 1.1 directive", 1),
    "binary-tag": ("name: !!binary aGk=\n", [], "tag 'tag:yaml.org,2002:binary'", 1),
    "weight-infinite": ("population:\n  weight: .inf\n", [],
                        "population.weight: Input should be a finite number", 1),
    "not-a-number": ("behaviour:\n  risk_weight: .nan\n", [], "finite number", 1),
    "float-overflow": ("attackers:\n  attempts_per_day: 1e400\n", [], "finite number", 1),
    "seed-past-int64": ("seed: 9223372036854775808\n", [],
                        "allowed: 0 to 9_223_372_036_854_775_807", 1),
    "amount-past-bound": ("attackers:\n  mean_fraud_amount:\n    mask_3d: 99999999999999999999\n",
                          [], "allowed: 0 to 10_000_000_000", 1),
    "money-past-int64": ("population:\n  users: 100000000\ndays: 3650\n", [],
                         "population.users: worst-case money of the run", 1),
    "yes-is-not-a-boolean": ("platforms:\n  - name: p\n    step_up:\n      enabled: yes\n", [],
                             "Input should be a valid boolean (got 'yes'", 1),
    "quoted-365-is-not-a-number": ('days: "365"\n', [],
                                   "Input should be a valid integer (got '365'", 1),
    "true-is-not-a-number": ("platforms:\n  - name: p\n    liveness:\n      level: none\n"
                             "defences:\n  liveness:\n    none:\n      bpcer: true\n", [],
                             "Input should be a valid number (got True", 1),
    "true-is-not-an-integer": ("days: true\n", [], "Input should be a valid integer", 1),
    "one-is-not-a-boolean": ("platforms:\n  - name: p\n    move_exposed_off_face: 1\n", [],
                             "Input should be a valid boolean (got 1", 1),
    "float-is-not-an-integer": ("days: 30.5\n", [], "valid integer", 1),
    "number-is-not-text": ("name: 365\n", [], "Input should be a valid string", 1),
    "number-is-not-a-date": ("start_date: 20240101\n", [], "start_date", 1),
    "two-problems-two-lines": ('days: "365"\nseed: .inf\n', [], "days", 2),
    "sweep-of-a-million-runs": ("sweep:\n  grid:\n" + "".join(
        f"    {path}: [{', '.join(map(str, range(1, 101)))}]\n"
        for path in ("days", "seed", "population.users")), [],
        "sweep: the grid makes 1,000,000 runs", 1),
    "sensitivity-of-101000-runs": ("sensitivity:\n  trajectories: 1000\n  parameters:\n"
                                   + "".join(f"    p{i}: {{low: 0, high: 1}}\n"
                                             for i in range(100)), [],
                                   "the design makes 101,000 runs", 1),
}
SET_CASES = {
    "set-alias-bomb": (["--set", f"description={FLOW_BOMB}"],
                       "document expands to more than 100000 nodes"),
    "set-self-reference": (["--set", "description=&a [*a]"], "a self-referencing alias?"),
    "set-deep-nesting": (["--set", "description=" + "[" * 400 + "]" * 400],
                         "nesting is deeper than 64 levels"),
    "set-quoted-number": (["--set", 'days="365"'], "valid integer (got '365'"),
    "set-infinite-weight": (["--set", "population.weight=.inf"], "finite number"),
    "set-yes": (["--set", "platforms.0.step_up.enabled=yes"], "valid boolean (got 'yes'"),
}


def _check(status: int, stderr: str, fragment: str, lines: int, out: Path) -> None:
    assert status == 2, stderr
    assert "Traceback" not in stderr
    assert fragment in stderr, stderr
    problems = stderr.strip().split("\n")
    assert len(problems) == lines, stderr
    assert all(LOCATED.match(line) for line in problems), stderr
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if ".partial" in p.name]


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_bad_scenario_file(case, tmp_path, capsys):
    text, extra, fragment, lines = FILE_CASES[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out), "--quiet", *extra])
    _check(status, capsys.readouterr().err, fragment, lines, out)


@pytest.mark.parametrize("case", sorted(SET_CASES))
def test_bad_set_value(case, tmp_path, capsys):
    args, fragment = SET_CASES[case]
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n", encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", str(path), "--out", str(out), "--quiet", *args])
    _check(status, capsys.readouterr().err, fragment, 1, out)


@pytest.mark.parametrize(("grid", "fragment"), [
    ("description=&a [*a]", "a self-referencing alias?"),
    ("description=" + "[" * 400 + "]" * 400, "nesting is deeper than 64 levels"),
    ("days=yes,10", "value 'yes': Input should be a valid integer"),
])
def test_bad_grid_value(grid, fragment, tmp_path, capsys):
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n", encoding="utf-8")
    out = tmp_path / "out"
    status = main(["sweep", str(path), "--out", str(out), "--quiet", "--grid", grid])
    _check(status, capsys.readouterr().err, fragment, 1, out)


@pytest.mark.parametrize(("args", "fragment"), [
    (["--grid", f"days={','.join(['5'] * 400)}", "--grid", f"seed={','.join(['1'] * 300)}"],
     "120,000 grid points x 1 replicate(s) make 120,000 runs (allowed: up to 100,000"),
    (["--grid", f"days={','.join(map(str, range(1, 201)))}", "--replicates", "1000"],
     "200 grid points x 1,000 replicate(s) make 200,000 runs"),
    (["--workers", "100"], "--workers: must be 1 to 64 (each is a Python process"),
])
def test_sweep_sizes_are_bounded_before_anything_runs(args, fragment, tmp_path, capsys):
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n", encoding="utf-8")
    out = tmp_path / "out"
    try:
        status = main(["sweep", str(path), "--out", str(out), "--quiet", *args])
    except SystemExit as stop:  # an argument error
        status = stop.code
    err = capsys.readouterr().err
    assert status == 2 and fragment in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.yaml"]


@pytest.mark.parametrize(("spec", "fragment", "lines"), [
    ("scenario: s.yaml\n" + BOMB, "document expands to more than 100000 nodes", 1),
    ("scenario: s.yaml\ntargets: t.csv\nparameters: {}\nreal_population: .inf\n"
     "users: '2000'\n", "users: Input should be a valid integer (got '2000'", 2),
    ("- a list\n", "expected a mapping of calibration fields, found a list", 1),
])
def test_bad_calibration_spec(spec, fragment, lines, tmp_path, capsys):
    path = tmp_path / "spec.yaml"
    path.write_text(spec, encoding="utf-8")
    out = tmp_path / "out"
    status = main(["calibrate", str(path), "--out", str(out)])
    _check(status, capsys.readouterr().err, fragment, lines, out)


@pytest.mark.parametrize(("args", "fragment"), [
    (["--replicates", "5000"], "--replicates: must be 1 to 1,000"),
    (["--users", "1000000000"], "--users: must be 1 to 100,000,000"),
    (["--days", "40000"], "--days: must be 1 to 3,650"),
    (["--out", ""], "--out: must name a folder"),
    (["--out", "  "], "--out: must name a folder"),
])
def test_command_line_bounds(args, fragment, tmp_path, capsys):
    path = tmp_path / "ok.yaml"
    path.write_text("name: ok\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        main(["run", str(path), "--out", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert fragment in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.yaml"]


# --- YAML 1.2 reads these as written --------------------------------------------------


def test_yaml_12_scalars_keep_their_type(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("name: yes\ncurrency: NO\ndescription: 'on'\ndays: 010\n"
                    "population:\n  users: 1_000\n", encoding="utf-8")
    scenario = load_scenario(path)
    assert (scenario.name, scenario.currency, scenario.description) == ("yes", "NO", "on")
    assert scenario.days == 10 and scenario.population.users == 1000


def test_integers_are_accepted_for_numbers(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("behaviour:\n  risk_weight: 2\n", encoding="utf-8")
    weight = load_scenario(path).behaviour.risk_weight
    assert weight == 2.0 and isinstance(weight, float)


def test_quoted_iso_date_is_a_date(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("start_date: '2023-06-01'\n", encoding="utf-8")
    assert load_scenario(path).start_date.isoformat() == "2023-06-01"


def test_dumped_yaml_reads_back_as_written(tmp_path):
    # PyYAML (YAML 1.1) wrote '1e3' and '0o10' unquoted: YAML 1.2 reads them as numbers.
    path = tmp_path / "x.yaml"
    path.write_text(dump_yaml({"name": "1e3", "description": "0o10", "currency": "yes"}),
                    encoding="utf-8")
    scenario = load_scenario(path)
    assert (scenario.name, scenario.description, scenario.currency) == ("1e3", "0o10", "yes")


def test_sensitivity_bounds_of_integer_parameters_are_checked_rounded(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("sensitivity:\n  parameters:\n    attackers.initial: {low: 10, high: 40}\n",
                    encoding="utf-8")
    assert load_scenario(path).sensitivity.parameters["attackers.initial"].high == 40.0


def test_merge_keeps_positions_of_the_file_that_set_each_value(tmp_path):
    (tmp_path / "parent.yaml").write_text("x:\n" + "".join(f"  k{i}: {i}\n" for i in range(50)),
                                          encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text("extends: parent.yaml\nx:\n  k7: 1\n  k99: 2\n", encoding="utf-8")
    from simfraud.scenario.loader import resolve_extends

    located = resolve_extends(child)
    assert located.data["x"]["k7"] == 1 and located.data["x"]["k3"] == 3
    assert located.positions[("x", "k7")][1:] == (3, 3)
    assert Path(located.positions[("x", "k3")][0]).name == "parent.yaml"
    assert located.positions[("x", "k99")][1:] == (4, 3)
