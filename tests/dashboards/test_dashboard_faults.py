"""Every page survives bad result folders: it names the folder and says why (docs/security.md).

Requests go through the Flask server (``test_client``), as a browser's would.
"""

import json
import shutil
from pathlib import Path

import pytest

from dashboards.app import create_app
from dashboards.data import BadResultError, catalog, load_result
from dashboards.slots import RunSlots
from simfraud.cli import main

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/", "/arms-race", "/compare", "/export", "/run"]


def break_folder(folder: Path, how: str) -> None:
    if how == "malformed manifest":
        (folder / "manifest.json").write_text('{"scenario_name": "x", "users": ')
    elif how == "manifest is a list":
        (folder / "manifest.json").write_text("[1, 2, 3]")
    elif how == "manifest with bad fields":
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps({**manifest, "users": "many"}))
    elif how == "truncated parquet":
        with (folder / "timeseries.parquet").open("r+b") as handle:
            handle.truncate(200)
    elif how == "corrupt parquet":
        data = bytearray((folder / "vectors.parquet").read_bytes())
        data[len(data) // 2:len(data) // 2 + 64] = bytes(64)
        (folder / "vectors.parquet").write_bytes(bytes(data))
    elif how == "missing scenario.yaml":
        (folder / "scenario.yaml").unlink()


BROKEN = {"malformed-manifest": ("malformed manifest", "not valid JSON (line 1 column"),
          "list-manifest": ("manifest is a list", "a JSON list, not an object"),
          "bad-fields": ("manifest with bad fields", "users: Input should be a valid integer"),
          "truncated": ("truncated parquet", "timeseries.parquet: 200 bytes, the manifest "
                        "records"),
          "no-scenario": ("missing scenario.yaml", "scenario.yaml: no such file or directory")}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    for name in ("good", "other"):
        assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                     str(folder / name), "--users", "800", "--days", "20", "--quiet"]) == 0
    for name, (how, _) in {**BROKEN, "corrupt": ("corrupt parquet", "")}.items():
        shutil.copytree(folder / "good", folder / name)
        break_folder(folder / name, how)
    shutil.copytree(folder / "good", folder / ".good.partial-abcd1234")  # a killed writer's
    return folder


@pytest.fixture
def client(results, tmp_path):
    app = create_app(results, ROOT / "scenarios", cache=tmp_path / "cache")
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    return client


def post(client, output: str, inputs: list[tuple[str, str, object]]):
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in output.strip(".").split("...")]
    body = {"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"]}
    return client.post("/_dash-update-component", data=json.dumps(body),
                       content_type="application/json")


def page(client, path: str) -> str:
    response = post(client, ".._pages_content.children..._pages_store.data..",
                    [("_pages_location", "pathname", path), ("_pages_location", "search", "")])
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_catalog_lists_bad_folders_with_the_reason_and_never_staging(results):
    found = {info.id: info for info in catalog(results)}
    assert set(found) == {"good", "other", "corrupt", *BROKEN}
    assert not found["good"].problem and not found["other"].problem
    for name, (_, reason) in BROKEN.items():
        assert reason in found[name].problem, found[name].problem
        assert str(results) not in found[name].problem  # paths relative to the folder
    assert not found["corrupt"].problem  # same size: only loading (hashes) catches it


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_bad_folders_and_names_them(client, path):
    text = page(client, path)
    if path != "/run":
        for name, (_, reason) in BROKEN.items():
            assert f"{name}: cannot be shown" in text and reason in text
        assert "partial" not in text
        assert text.count('"disabled":true') >= len(BROKEN)  # listed, not selectable


GRAPHS = {
    "/": ("..losses-graph.figure...losses-info.children..", "losses-result",
          [("losses-breakdown", "value", "total"), ("losses-frequency", "value", "weekly"),
           ("losses-cumulative", "value", [])]),
    "/arms-race": ("..arms-graph.figure...arms-coupling.figure..", "arms-result", []),
    "/export": ("export-graph.figure", "export-result", [("export-figure", "value", "losses")]),
}


@pytest.mark.parametrize("name", [*BROKEN, "corrupt"])
@pytest.mark.parametrize("path", GRAPHS)
def test_choosing_a_bad_folder_shows_why_and_good_ones_still_load(client, path, name):
    output, dropdown, rest = GRAPHS[path]
    response = post(client, output, [(dropdown, "value", name), *rest])
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert f"bad result folder {name}" in text
    expected = "contents differ" if name == "corrupt" else BROKEN[name][1]
    assert expected in text
    good = post(client, output, [(dropdown, "value", "good"), *rest])
    assert good.status_code == 200 and "bad result folder" not in good.get_data(as_text=True)


@pytest.mark.parametrize("name", ["malformed-manifest", "corrupt"])
def test_the_compare_page_names_the_bad_folder(client, name):
    output = ("..compare-graph.figure...compare-differences.data...compare-differences.columns"
              "...compare-social.data...compare-social.columns..")
    inputs = [("compare-metric", "value", "gross_loss"),
              ("compare-frequency", "value", "weekly")]
    response = post(client, output, [("compare-results", "value", ["good", name]), *inputs])
    assert response.status_code == 200
    assert f"bad result folder {name}" in response.get_data(as_text=True)
    good = post(client, output, [("compare-results", "value", ["good", "other"]), *inputs])
    assert "gross_loss" in good.get_data(as_text=True)


def test_downloads_of_a_bad_folder_send_nothing(client):
    body = {"output": "export-download.data", "outputs": {"id": "export-download",
                                                          "property": "data"},
            "inputs": [{"id": f"export-{b}", "property": "n_clicks", "value": 1}
                       for b in ("csv", "daily", "yaml")],
            "state": [{"id": "export-result", "property": "value", "value": "truncated"},
                      {"id": "export-frequency", "property": "value", "value": "weekly"}],
            "changedPropIds": ["export-yaml.n_clicks"]}
    response = client.post("/_dash-update-component", data=json.dumps(body),
                           content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["response"] == {}  # no update: the figure already says why
    body["state"][0]["value"] = "good"
    response = client.post("/_dash-update-component", data=json.dumps(body),
                           content_type="application/json")
    assert "resolved scenario written by simfraud" in response.get_data(as_text=True)


@pytest.mark.parametrize("text", ["name: x\nd: " + "[" * 3000 + "]" * 3000 + "\n",
                                  "a: &a [1, *a]\n"])
def test_a_hostile_scenario_yaml_in_an_unhashed_folder_is_refused(results, tmp_path, text):
    """An older folder (no hashes in its manifest) is read, with the limits of every YAML."""
    base = tmp_path / "results"
    shutil.copytree(results / "good", base / "old")
    manifest = json.loads((base / "old" / "manifest.json").read_text())
    manifest.pop("files")
    (base / "old" / "manifest.json").write_text(json.dumps(manifest))
    (base / "old" / "scenario.yaml").write_text(text)
    with pytest.raises(BadResultError, match=r"old/scenario\.yaml: unreadable"):
        load_result(base, "old")


def test_run_slots_cap_concurrent_runs_and_free_on_exit(tmp_path):
    slots = RunSlots(tmp_path / "slots", 2)
    with slots.claim() as first, slots.claim() as second, slots.claim() as third:
        assert (first, second, third) == (True, True, False)
    with slots.claim() as again:
        assert again
