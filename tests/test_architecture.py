"""The package's layers import only downwards (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "simfraud"
LAYERS = ("core", "scenario", "users", "outputs", "model", "results", "experiments", "cli")
"""Bottom to top: a module may import its own layer and the layers below it."""


def layer_of(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "simfraud":
        raise ValueError(module)
    if len(parts) == 1:
        return 0  # the package root: version and threading set-up only
    return LAYERS.index(parts[1])


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] == "simfraud"]


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_layer():
    loose = [p.name for p in MODULES if p.parent == PACKAGE and p.name != "__init__.py"]
    assert loose == [], "modules at the package root belong in a layer's package"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_layers(path):
    own = layer_of(module_name(path))
    upward = [f"{path.name}:{line} imports {name}" for line, name in imports_of(path)
              if layer_of(name) > own]
    assert upward == []


def test_the_package_does_not_import_benchmarks_or_dashboards():
    for path in MODULES:
        for line, name in [(n.lineno, a.name) for n in ast.walk(ast.parse(path.read_text()))
                           if isinstance(n, ast.Import) for a in n.names] + [
                (n.lineno, n.module or "") for n in ast.walk(ast.parse(path.read_text()))
                if isinstance(n, ast.ImportFrom)]:
            assert name.split(".")[0] not in ("benchmarks", "dashboards") or (
                path == PACKAGE / "cli" / "serve.py"), f"{path}:{line} imports {name}"


def test_every_kernel_input_is_read_by_its_stage():
    import re

    from simfraud.users import attacks, attitudes, authentication, compromise, day, payment, refunds

    groups = [payment.PaymentInputs, authentication.AuthenticationInputs, attacks.AttackInputs,
              refunds.RefundInputs, compromise.CompromiseInputs, attitudes.AttitudeInputs,
              day.DayContext]
    kernel_source = "".join(p.read_text() for p in (PACKAGE / "users").glob("*.py"))
    for inputs in groups:
        for field in inputs._fields:
            assert re.search(rf"\.{field}\b", kernel_source), (
                f"{inputs.__name__}.{field} is built but no stage reads it")


def test_no_agent_reads_the_model_attributes():
    import re

    for name in ("platform.py", "attacker.py", "regulator.py"):
        text = (PACKAGE / "model" / name).read_text()
        assert not re.search(r"self\.model\.\w", text), name


def test_every_metric_is_measured_exactly_once():
    from simfraud.core.metrics import TIMESERIES
    from simfraud.model import FraudModel
    from simfraud.outputs.day_values import MEASURES, day_values
    from simfraud.scenario.loader import load_scenario

    model = FraudModel(load_scenario(PACKAGE.parent / "scenarios" / "baseline.yaml",
                                     ["population.users=500", "days=2"]))
    model.step()
    names = [name for measure in MEASURES for name in measure(model)]
    assert len(names) == len(set(names))
    assert sorted([*names, "social_cost"]) == sorted(m.name for m in TIMESERIES)
    assert set(day_values(model)) == {m.name for m in TIMESERIES}


def test_every_counted_metric_is_counted_by_the_kernel():
    from simfraud.core.metrics import GLOBAL, PER_PLATFORM, PER_PLATFORM_VECTOR, TIMESERIES
    from simfraud.users import counters

    kernel = (PACKAGE / "users" / "day.py").read_text()
    prefix = {PER_PLATFORM_VECTOR: "PV", PER_PLATFORM: "P", GLOBAL: "G"}
    counted = [m for m in TIMESERIES if m.counted]
    assert len(counted) >= 15
    by_outcome = {"stopped_step_up", "stopped_monitoring"}  # at stopped_primary + outcome - 1
    for metric in counted:
        if metric.name in by_outcome:
            continue
        assert f"K.{prefix[metric.counted]}.{metric.name}" in kernel, metric.name
    stops = counters.PV.stopped_primary
    assert (counters.PV.stopped_step_up, counters.PV.stopped_monitoring) == (stops + 1,
                                                                             stops + 2), (
        "the kernel counts stops at PV.stopped_primary + outcome - 1")


SHARED_NAMES = {"transactions.py": "the log's kernel side (users/) and its table (outputs/)"}
"""Module names two layers use on purpose, with the reason."""


def test_no_two_modules_share_a_name():
    names = [p.name for p in MODULES if p.name not in ("__init__.py", "__main__.py")]
    top_level = {p.name for p in PACKAGE.parent.glob("*.py")}
    repeated = {n for n in names if names.count(n) > 1 or n in top_level}
    assert repeated <= set(SHARED_NAMES), sorted(repeated - set(SHARED_NAMES))


def _is_kernel(function: ast.FunctionDef) -> bool:
    names = {ast.unparse(d).split("(")[0].rsplit(".", 1)[-1] for d in function.decorator_list}
    return bool(names & {"njit", "jit", "vectorize", "guvectorize"})


@pytest.mark.parametrize("folder", ["simfraud", "dashboards"])
def test_no_function_outside_the_kernels_is_over_60_lines(folder):
    long = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name} "
            f"({node.end_lineno - node.lineno + 1} lines)"
            for path in sorted((PACKAGE.parent / folder).rglob("*.py"))
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.end_lineno - node.lineno + 1 > 60 and not _is_kernel(node)]
    assert long == []
