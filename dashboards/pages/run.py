"""Run a scenario with different controls, in the background, with progress and cancel."""

from __future__ import annotations

import base64
import binascii
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboards.app import UPLOAD_LIMIT
from dashboards.components import control
from dashboards.data import UnsafePathError, inside, result_id_for, safe_name, scenario_files
from dashboards.request_values import one_of, whole_number
from dashboards.run_queue import QueueFullError
from dashboards.settings import results_dir, run_queue, scenarios_dir

dash.register_page(__name__, path="/run", name="Run", order=3, title="simfraud: run")

KEEP = "keep"
LIMITS = {"users": 200_000, "days": 3_650, "replicates": 10}
TOGGLES = {"liveness": ["none", "passive_2d", "active", "depth_3d"],
           "injection detection": ["on", "off"],
           "reimbursement": ["none", "voluntary_full", "capped"],
           "stance": ["laissez_faire", "reactive", "proactive"]}
"""The choices of each toggle (besides ``KEEP``); a request with another value is refused."""
POLL_MS = 1_000
"""How often a page with a waiting run asks for its place in the queue (milliseconds)."""


def _choice(id_: str, options: list[str]) -> dcc.Dropdown:
    return dcc.Dropdown(id=id_, options=[{"label": "as in the scenario", "value": KEEP}]
                        + [{"label": o, "value": o} for o in options],
                        value=KEEP, clearable=False)


def layout(**_) -> html.Div:
    """Scenario choice or upload, the toggles, and the run controls."""
    files = scenario_files(scenarios_dir())
    default = "baseline.yaml" if "baseline.yaml" in files else (files[0] if files else None)
    return html.Div([
        html.H2("Run a scenario"),
        html.Div([
            control("Scenario", dcc.Dropdown(id="run-scenario", options=files, value=default,
                                             clearable=False), "run-scenario"),
            control("or upload a YAML file", dcc.Upload(
                id="run-upload", max_size=UPLOAD_LIMIT, multiple=False,
                children=html.Div("drop or click", style={
                    "border": "1px dashed #999", "padding": "0.5em 1em",
                    "borderRadius": "4px", "cursor": "pointer"}))),
        ], className="controls"),
        html.Div(id="run-validation"),
        html.Div([
            control("Liveness level (all platforms)",
                    _choice("run-liveness", TOGGLES["liveness"])),
            control("Injection detection",
                    _choice("run-injection", TOGGLES["injection detection"])),
            control("Reimbursement policy (all platforms)",
                    _choice("run-reimbursement", TOGGLES["reimbursement"])),
            control("Regulator stance", _choice("run-stance", TOGGLES["stance"])),
        ], className="controls"),
        html.Div([
            control("Users", dcc.Input(id="run-users", type="number", value=5_000, min=100,
                                       max=LIMITS["users"], step=100)),
            control("Days", dcc.Input(id="run-days", type="number", value=120, min=1,
                                      max=LIMITS["days"])),
            control("Replicates", dcc.Input(id="run-replicates", type="number", value=2,
                                            min=1, max=LIMITS["replicates"])),
            html.Button("Run", id="run-start", n_clicks=0),
            html.Button("Cancel", id="run-cancel", n_clicks=0, disabled=True),
            html.Progress(id="run-progress", value="0", max="1"),
        ], className="controls"),
        html.Div(id="run-queue"),
        html.Div(id="run-status"),
        dcc.Store(id="run-ticket"), dcc.Store(id="run-go"),
        dcc.Interval(id="run-poll", interval=POLL_MS, disabled=True),
    ])


def _stage(scenario: str | None, contents: str | None,
           filename: str | None) -> tuple[Path, str, Path]:
    """Copy the chosen or uploaded scenario into a fresh temporary folder.

    The scenarios folder's own files (not symbolic links) are copied alongside, so
    ``extends:`` finds its parents; ``_load`` confines ``extends:`` to that folder.

    Returns:
        The staged file, the name to show in messages, and the temporary folder.

    Raises:
        ValueError: When the upload cannot be decoded or nothing is chosen.
        UnsafePathError: When the chosen name leaves the scenarios folder or is not a name.
    """
    if not isinstance(contents, str | None):
        raise ValueError("the upload is not a file's contents")
    filename = filename if isinstance(filename, str) else "upload.yaml"
    folder = Path(tempfile.mkdtemp(prefix="simfraud-run-"))
    for path in scenarios_dir().glob("*.yaml"):
        if path.is_file() and not path.is_symlink():
            shutil.copy(path, folder / path.name)
    if contents:
        _, _, encoded = contents.partition(",")
        if len(encoded) * 3 // 4 > UPLOAD_LIMIT + 2:
            raise ValueError(f"{filename}: about {len(encoded) * 3 // 4:,} bytes "
                             f"(allowed: up to {UPLOAD_LIMIT:,})")
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{filename}: the upload could not be decoded") from None
        if len(data) > UPLOAD_LIMIT:
            raise ValueError(f"{filename}: {len(data)} bytes (allowed: up to {UPLOAD_LIMIT})")
        shown = safe_name(Path(filename or "upload.yaml").name, "upload.yaml")
        staged = folder / f"upload-{shown}"
        staged.write_bytes(data)
        return staged, shown, folder
    if not scenario:
        raise ValueError("choose a scenario or upload one")
    return inside(folder, scenario), scenario, folder


def _load(staged: Path, shown: str, overrides: list[str]):
    from simfraud.scenario.loader import ScenarioError, load_scenario

    try:
        return load_scenario(staged, overrides, root=staged.parent), None
    except ScenarioError as exc:
        return None, str(exc).replace(str(staged), shown)


@callback(Output("run-validation", "children"), Input("run-scenario", "value"),
          Input("run-upload", "contents"), State("run-upload", "filename"))
def validate(scenario, contents, filename):
    """Check the chosen or uploaded scenario as soon as it is chosen."""
    try:
        staged, shown, folder = _stage(scenario, contents, filename)
    except (ValueError, UnsafePathError) as exc:
        return html.Div(str(exc), className="errors")
    try:
        loaded, problems = _load(staged, shown, [])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if problems:
        return html.Div(problems, className="errors", id="run-errors")
    return html.Div(f"{shown}: valid ({loaded.name}, {len(loaded.platforms)} platform(s), "
                    f"{loaded.days} days)", className="ok")


def _overrides(scenario, liveness, injection, reimbursement, stance) -> list[str]:
    out = []
    for i in range(len(scenario.platforms)):
        if liveness != KEEP:
            out.append(f"platforms.{i}.liveness.level={liveness}")
        if injection != KEEP:
            out.append(f"platforms.{i}.liveness.injection_detection={injection == 'on'}")
        if reimbursement != KEEP:
            out.append(f"platforms.{i}.reimbursement.policy={reimbursement}")
    if stance != KEEP:
        out.append(f"regulator.stance={stance}")
    return out


@callback(Output("run-ticket", "data"), Output("run-go", "data"),
          Output("run-queue", "children"), Output("run-poll", "disabled"),
          Input("run-start", "n_clicks"), Input("run-poll", "n_intervals"),
          State("run-ticket", "data"), prevent_initial_call=True)
def queue_step(_clicks, _ticks, ticket):
    """Join the queue on Run, then ask for the place every second until admitted.

    An admitted ticket goes to ``run-go``, which starts the background run; nothing is
    forked while the run waits. A click while the page's run waits only shows its place.
    """
    queue = run_queue()
    if ctx.triggered_id == "run-start" and not queue.waiting(ticket):
        try:
            ticket = queue.join()
        except QueueFullError as exc:
            return None, no_update, html.Div(str(exc), className="errors", id="run-busy"), True
    try:
        place = queue.position(ticket) if isinstance(ticket, str) else None
    except KeyError:
        place = None
    if place is None:
        return None, no_update, html.Div("This run left the queue (the page stopped asking "
                                          "for its place); press Run again.",
                                          className="errors"), True
    if place == 0:
        return None, ticket, "", True
    return ticket, no_update, html.Div(
        f"queued (position {place}): {queue.slots.limit} run(s) are going; this one "
        "starts when a slot frees. Keep this page open.", id="run-queued"), False


@callback(
    Output("run-status", "children"),
    Input("run-go", "data"),
    State("run-scenario", "value"), State("run-upload", "contents"),
    State("run-upload", "filename"), State("run-liveness", "value"),
    State("run-injection", "value"), State("run-reimbursement", "value"),
    State("run-stance", "value"), State("run-users", "value"), State("run-days", "value"),
    State("run-replicates", "value"),
    background=True,
    running=[(Output("run-start", "disabled"), True, False),
             (Output("run-cancel", "disabled"), False, True)],
    cancel=[Input("run-cancel", "n_clicks")],
    progress=[Output("run-progress", "value"), Output("run-progress", "max")],
    prevent_initial_call=True,
)
def run(set_progress, ticket, scenario, contents, filename, liveness, injection,
        reimbursement, stance, users, days, replicates):
    """Run the scenario with the toggles applied and write a result set.

    Starts only for a ticket the queue admitted (``queue_step``), holding a run slot.
    """
    try:
        with run_queue().start(ticket) as started:
            if not started:
                return html.Div("Not started: this run was not admitted by the dashboard's "
                                "queue, or no run slot freed. Press Run again.",
                                className="errors", id="run-not-started")
            return _run(set_progress, scenario, contents, filename,
                        (liveness, injection, reimbursement, stance), users, days, replicates)
    except KeyboardInterrupt:  # the server is stopping (Ctrl-C): end quietly
        return html.Div("Interrupted: the dashboard is stopping.", className="errors")


def _prepared(scenario, contents, filename, toggles, users, days, replicates):
    """The checked scenario with the toggles applied, or an error ``html.Div``."""
    try:
        users, days, replicates = (whole_number(value, what, 1, LIMITS[what]) for value, what
                                   in ((users, "users"), (days, "days"),
                                       (replicates, "replicates")))
        toggles = [one_of(value, [KEEP, *choices], what)
                   for value, (what, choices) in zip(toggles, TOGGLES.items(), strict=True)]
        staged, shown, folder = _stage(scenario, contents, filename)
    except (ValueError, UnsafePathError) as exc:
        return html.Div(str(exc), className="errors")
    try:
        base, problems = _load(staged, shown, [])
        if problems:
            return html.Div(problems, className="errors")
        changes = [*_overrides(base, *toggles), f"population.users={users}", f"days={days}"]
        loaded, problems = _load(staged, shown, changes)
        if problems:
            return html.Div(problems, className="errors")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return loaded, shown, changes, replicates


def _run(set_progress, scenario, contents, filename, toggles, users, days, replicates):
    """Simulate and write the result set (while holding a run slot)."""
    from simfraud.model.replicates import run_replicates
    from simfraud.results.folder import write_run_folder
    from simfraud.results.lock import OutputError
    from simfraud.results.writer import ResultWriter

    prepared = _prepared(scenario, contents, filename, toggles, users, days, replicates)
    if isinstance(prepared, html.Div):
        return prepared
    loaded, shown, changes, replicates = prepared
    total = loaded.days * replicates
    done = [0]
    step = max(1, total // 50)

    def tick():
        done[0] += 1
        if done[0] % step == 0 or done[0] == total:
            set_progress((str(done[0]), str(total)))

    result = run_replicates(loaded, replicates, on_day=tick)
    result_id = result_id_for(loaded.name, time.strftime("%Y%m%d-%H%M%S"))
    try:
        writer = ResultWriter(inside(results_dir(), result_id))
        try:
            write_run_folder(writer, loaded, result, {
                "scenario_file": shown, "replicates": replicates, "engine": "columnar",
                "overrides": changes, "command_line": "simfraud dashboard (Run page)",
            }, {})
        finally:
            writer.discard()
    except OutputError as exc:
        return html.Div(f"Not saved: {exc}", className="errors")
    except OSError as exc:
        return html.Div(f"Not saved: cannot write {result_id} ({exc.strerror})",
                        className="errors")
    gross = result.timeseries.groupby("replicate")["gross_loss"].sum().mean() / 100
    return html.Div([
        html.P(f"Finished {loaded.name}: {replicates} replicate(s) x {loaded.days} days, "
               f"{loaded.population.users:,} users; mean gross loss "
               f"{loaded.currency} {gross:,.0f}.",
               className="ok", id="run-finished"),
        html.P(["Saved as ", html.Code(result_id), ": open it on the ",
                dcc.Link("Losses", href=f"/?{urlencode({'result': result_id})}",
                         id="run-open"), " page."]),
    ])
