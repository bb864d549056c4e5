"""The docs site builds cleanly, its formulas are typeset, and the references are in sync."""

import functools
import http.server
import importlib.util
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import matplotlib.image
import pytest
from selenium.webdriver.support.ui import WebDriverWait

from simfraud.scenario.reference import parameter_reference
from simfraud.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The docs site, built once with warnings as errors."""
    folder = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d",
                             str(folder)], capture_output=True, text=True, cwd=ROOT, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder


def test_parameter_reference_is_up_to_date():
    assert (ROOT / "docs" / "parameters.md").read_text() == parameter_reference(), (
        "regenerate with python -m simfraud.scenario.reference > docs/parameters.md")


def test_parameter_reference_lists_every_leaf_field():
    text = parameter_reference()
    for name in Scenario.model_fields:
        assert f"`{name}" in text
    for path in ("platforms[].liveness.level", "attackers.attempt_cost.deepfake_injection",
                 "regulator.instruments.mandatory_reimbursement.cap",
                 "defences.liveness.depth_3d.bpcer", "population.segments[].vigilance"):
        assert f"`{path}`" in text, path
    assert "PSR PS23/4" in text  # sources travel with the defaults


def test_docs_site_builds_with_warnings_as_errors(site):
    assert (site / "parameters" / "index.html").exists()


def _prose(html):
    """A page's HTML without its code and without the formulas arithmatex marked."""
    html = re.sub(r"<pre.*?</pre>|<code>.*?</code>", "", html, flags=re.S)
    return re.sub(r'<(span|div) class="arithmatex">.*?</\1>', "", html, flags=re.S)


def test_every_formula_is_marked_for_mathjax_and_dollar_amounts_stay_text(site):
    model = (site / "model" / "index.html").read_text(encoding="utf-8")
    assert model.count('class="arithmatex"') >= 200
    assert "javascripts/mathjax/tex-mml-chtml.js" in model
    for page in site.glob("**/index.html"):
        prose = _prose(page.read_text(encoding="utf-8"))
        for delimiter in ("\\(", "\\[", "$$"):
            assert delimiter not in prose, f"{page.parent.name}: unrendered {delimiter}"
    parameters = (site / "parameters" / "index.html").read_text(encoding="utf-8")
    assert "$300-$20,000 per minute" in _prose(parameters)


@pytest.fixture
def served_site(site):
    """The built site over HTTP on a loopback port (fonts do not load from file://)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_formulas_are_typeset_offline_in_chromium(dash_duo, served_site):
    dash_duo.driver.get(f"{served_site}/model/")
    untypeset = ("return [...document.querySelectorAll('.arithmatex')]"
                 ".filter(e => !e.querySelector('mjx-container')).length")
    WebDriverWait(dash_duo.driver, 30).until(
        lambda driver: driver.execute_script(untypeset) == 0)
    driver = dash_duo.driver
    assert driver.execute_script("return document.querySelectorAll('.arithmatex').length") >= 200
    assert driver.execute_script("return document.querySelectorAll('mjx-merror').length") == 0
    assert dash_duo.get_logs() == []  # MathJax, its fonts and the theme all load locally


def test_metric_table_in_the_cli_docs_is_up_to_date():
    from simfraud.core.metrics import metrics_table

    assert metrics_table() in (ROOT / "docs" / "cli.md").read_text(), (
        "regenerate the table in docs/cli.md with python -m simfraud.core.metrics")


def _figure_script():
    spec = importlib.util.spec_from_file_location("docs_figures", ROOT / "docs" / "figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_figure_script_draws_a_small_run(tmp_path, capsys):
    out = tmp_path / "zao.png"
    status = _figure_script().main(["--users", "2000", "--replicates", "2", "--days", "300",
                                    "--out", str(out)])
    assert status == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.image.imread(out).shape == (770, 1100, 4)  # 10 x 7 inches at 110 dpi
    assert sorted(tmp_path.iterdir()) == [out]  # no partial file left behind


@pytest.mark.parametrize(("argv", "message"), [
    (["--users", "0"], "--users: '0' is not a whole number >= 1"),
    (["--out", "missing/zao.png"], "does not exist"),
    (["--out", "zao.pdf"], "the figure is a PNG file"),
])
def test_readme_figure_script_refuses_bad_arguments(tmp_path, monkeypatch, capsys, argv,
                                                    message):
    monkeypatch.chdir(tmp_path)
    try:
        status = _figure_script().main(argv)
    except SystemExit as stop:  # argparse
        status = stop.code
    assert status == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
