"""Crafted requests against a running dashboard: each must be refused (docs/security.md)."""

import base64
import json
import sys
from pathlib import Path

import pytest

from dashboards.app import REQUEST_LIMIT, create_app
from dashboards.data import RUNS_FOLDER, result_id_for
from dashboards.settings import results_dir, scenarios_dir

ROOT = Path(__file__).resolve().parents[2]
SECRET = "top-secret-line: do-not-echo"


@pytest.fixture
def folders(tmp_path):
    results = tmp_path / "results"
    scenarios = tmp_path / "scenarios"
    results.mkdir()
    scenarios.mkdir()
    (scenarios / "baseline.yaml").write_text((ROOT / "scenarios" / "baseline.yaml").read_text())
    (tmp_path / "secret.yaml").write_text(f"{SECRET}\nname: leaked\n")
    return results, scenarios


@pytest.fixture
def client(folders):
    results, scenarios = folders
    app = create_app(results, scenarios, cache=results.parent / "cache")
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # registers the pages' callbacks
    return client


def upload(text: str) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text.encode()).decode()


def validate_request(contents=None, scenario=None, filename="upload.yaml", extra_state=()):
    return {
        "output": "run-validation.children",
        "outputs": {"id": "run-validation", "property": "children"},
        "inputs": [{"id": "run-scenario", "property": "value", "value": scenario},
                   {"id": "run-upload", "property": "contents", "value": contents}],
        "state": [{"id": "run-upload", "property": "filename", "value": filename},
                  *extra_state],
        "changedPropIds": ["run-upload.contents"],
    }


def post(client, body, **headers):
    return client.post("/_dash-update-component", data=json.dumps(body),
                       content_type="application/json", headers=headers)


@pytest.mark.parametrize("parent", ["../secret.yaml", "{root}/secret.yaml", "/etc/passwd",
                                    "../../../../../../etc/passwd"])
def test_an_upload_cannot_extend_a_file_outside_the_scenarios_folder(client, folders, parent):
    parent = parent.format(root=folders[0].parent)
    response = post(client, validate_request(upload(f"extends: {parent}\nname: x\n")))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "outside the scenarios folder" in text
    assert SECRET not in text and "root:" not in text


def test_an_upload_may_extend_a_shipped_scenario(client):
    response = post(client, validate_request(upload("extends: baseline.yaml\nname: mine\n")))
    assert "valid (mine" in response.get_data(as_text=True)


def test_a_scenario_name_cannot_leave_the_scenarios_folder(client):
    response = post(client, validate_request(scenario="../secret.yaml"))
    text = response.get_data(as_text=True)
    assert "outside" in text and SECRET not in text


def test_folders_come_from_the_server_not_the_browser(client, folders, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "mine.yaml").write_text("name: planted\n")
    forged = {"id": "settings", "property": "data",
              "value": {"results": str(elsewhere), "scenarios": str(elsewhere)}}
    response = post(client, validate_request(scenario="mine.yaml", extra_state=[forged]))
    assert "planted" not in response.get_data(as_text=True)
    with client.application.app_context():
        assert results_dir() == folders[0].resolve()
        assert scenarios_dir() == folders[1].resolve()


def test_no_callback_reads_a_client_side_settings_store():
    from dash._callback import GLOBAL_CALLBACK_MAP

    for name, spec in GLOBAL_CALLBACK_MAP.items():
        ids = [item["id"] for item in (*spec.get("inputs", []), *spec.get("state", []))]
        assert "settings" not in ids, name


@pytest.mark.parametrize("host", ["evil.example", "attacker.test:8050", "127.0.0.1.evil.test"])
def test_a_foreign_host_header_is_refused(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 400
    response = post(client, validate_request(scenario="baseline.yaml"), Host=host)
    assert response.status_code == 400


@pytest.mark.parametrize("host", ["127.0.0.1:8050", "localhost", "localhost:8050"])
def test_this_machine_is_accepted(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


def test_hosts_named_at_start_are_accepted(folders):
    app = create_app(*folders, cache=folders[0].parent / "cache", hosts=("0.0.0.0",
                                                                          "fraud-lab.local"))
    client = app.server.test_client()
    assert client.get("/", headers={"Host": "fraud-lab.local:8050"}).status_code == 200
    assert client.get("/", headers={"Host": "0.0.0.0"}).status_code == 400


@pytest.mark.parametrize(("host", "status"), [
    ("[::1]:8050", 200), ("[::1]", 200), ("LOCALHOST:8050", 200),
    ("::1", 400), ("[::2]:8050", 400), ("[::1]:x", 400), ("[::1", 400), ("[::1]]", 400),
    ("localhost:99999", 400), ("127.0.0.1@evil.example", 400), ("", 400),
    ("[::ffff:127.0.0.1]:8050", 400)])
def test_the_host_header_is_parsed_with_ipv6_literals_and_ports(client, host, status):
    assert client.get("/", headers={"Host": host}).status_code == status


def test_an_ipv6_host_named_at_start_is_accepted(folders):
    app = create_app(*folders, cache=folders[0].parent / "cache", hosts=("fd00::5", "::"))
    client = app.server.test_client()
    assert client.get("/", headers={"Host": "[fd00::5]:8050"}).status_code == 200
    assert client.get("/", headers={"Host": "[::]:8050"}).status_code == 400


def test_an_oversized_request_is_refused_before_it_is_read(client):
    body = b"x" * (REQUEST_LIMIT + 1)
    response = client.post("/_dash-update-component", data=body,
                           content_type="application/json")
    assert response.status_code == 413


def test_an_oversized_upload_is_refused_without_decoding(client):
    big = "data:application/x-yaml;base64," + "A" * 1_500_000
    response = post(client, validate_request(big))
    assert "allowed: up to 1,000,000" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["../../x", "/etc/cron.d/x", "a/../../b", "..", "", "\x00x"])
def test_a_run_id_stays_one_folder_below_the_dashboard_folder(name, tmp_path):
    result_id = result_id_for(name, "20260101-000000")
    parts = Path(result_id).parts
    assert parts[0] == RUNS_FOLDER and len(parts) == 2
    assert ".." not in parts and "\x00" not in result_id


def test_a_symbolic_link_in_the_scenarios_folder_is_not_followed(client, folders):
    (folders[1] / "linked.yaml").symlink_to(folders[0].parent / "secret.yaml")
    for body in (validate_request(scenario="linked.yaml"),
                 validate_request(upload("extends: linked.yaml\nname: x\n"))):
        text = post(client, body).get_data(as_text=True)
        assert "not found" in text and SECRET not in text


def test_a_cross_site_form_post_is_refused(client):
    body = json.dumps(validate_request(scenario="baseline.yaml"))
    for kind in ("text/plain", "application/x-www-form-urlencoded"):
        response = client.post("/_dash-update-component", data=body, content_type=kind,
                               headers={"Origin": "http://evil.example"})
        assert response.status_code == 415
    preflight = client.options("/_dash-update-component", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in preflight.headers


def graph_request(output: str, inputs: list[tuple[str, str, object]]):
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in output.strip(".").split("...")]
    return {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}


LOSSES = "..losses-graph.figure...losses-info.children.."
COMPARE = ("..compare-graph.figure...compare-differences.data...compare-differences.columns"
           "...compare-social.data...compare-social.columns..")
FORGED = [
    ("losses id list", LOSSES, ["a"], "total", "weekly", "expected a name, got list"),
    ("losses id NUL", LOSSES, "a\x00b", "total", "weekly", "not a usable name"),
    ("losses id 5,000", LOSSES, "a" * 5000, "total", "weekly", "not a usable name"),
    ("losses id 300", LOSSES, "a" * 300, "total", "weekly", "cannot be read"),
    ("losses breakdown", LOSSES, "x", "__class__", "weekly", "breakdown: '__class__'"),
    ("losses frequency", LOSSES, "x", "total", 5, "aggregate: '5' is not one of"),
    ("compare not a list", COMPARE, "abc", "gross_loss", "weekly", "expected a list"),
    ("compare metric", COMPARE, ["a", "b"], "replicate", "weekly", "metric: 'replicate'"),
    ("compare frequency", COMPARE, ["a", "b"], "gross_loss", None, "aggregate: 'None'"),
    ("compare one twice", COMPARE, ["a", "a"], "gross_loss", "weekly", "at least two"),
    ("compare too many", COMPARE, [f"r{i}" for i in range(21)], "gross_loss", "weekly",
     "21 chosen (allowed: up to 20)"),
]


@pytest.mark.parametrize(("case", "output", "ids", "second", "third", "message"), FORGED,
                         ids=[case[0] for case in FORGED])
def test_forged_control_values_are_answered_with_a_message(client, case, output, ids, second,
                                                           third, message):
    prefix = "losses" if output == LOSSES else "compare"
    names = (["result", "breakdown", "frequency"] if prefix == "losses"
             else ["results", "metric", "frequency"])
    inputs = [(f"{prefix}-{n}", "value", v) for n, v in zip(names, (ids, second, third),
                                                             strict=True)]
    if prefix == "losses":
        inputs.append(("losses-cumulative", "value", []))
    response = post(client, graph_request(output, inputs))
    assert response.status_code == 200, case
    assert message in response.get_data(as_text=True).replace("\\u0027", "'"), case


@pytest.mark.parametrize("value", [["a"], 7, "a\x00b"])
def test_forged_names_on_the_run_page_are_refused(client, value):
    text = post(client, validate_request(scenario=value)).get_data(as_text=True)
    assert "path:" in text
    text = post(client, validate_request(upload("name: x\n"), filename=value)).get_data(
        as_text=True)
    assert ": valid (x" in text and "\\u0000" not in text  # a forged file name is made safe
    if not isinstance(value, str):
        text = post(client, validate_request(contents=value)).get_data(as_text=True)
        assert "the upload is not a file" in text


def run_page():
    """The Run page's module as Dash pages loaded it (importing it again registers it twice)."""
    return sys.modules["pages.run"]


@pytest.mark.parametrize(("sizes", "message"), [
    ((True, 10, 1), "users: enter a whole number (got True)"),
    ((500.5, 10, 1), "users: enter a whole number (got 500.5)"),
    ((500, "10", 1), "days: enter a whole number"),
    ((500, 10, 11), "replicates: 11 (allowed: 1 to 10)"),
    ((10**30, 10, 1), "allowed: 1 to 200,000"),
])
def test_run_sizes_must_be_whole_numbers_in_range(client, sizes, message):
    page = run_page()
    with client.application.app_context():
        answer = page._prepared("baseline.yaml", None, None, [page.KEEP] * 4, *sizes)
    assert message in answer.children


@pytest.mark.parametrize("toggle", ["x\nregulator.stance=proactive", ["none"], None])
def test_run_toggles_take_only_the_offered_choices(client, toggle):
    page = run_page()
    with client.application.app_context():
        answer = page._prepared("baseline.yaml", None, None, [toggle, *[page.KEEP] * 3],
                                500, 10, 1)
    assert "liveness:" in answer.children and "is not one of" in answer.children


def test_a_script_path_dash_does_not_serve_is_404(client):
    response = client.get("/_dash-component-suites/dash/..%2f..%2f..%2fetc/passwd")
    assert response.status_code == 404
