"""``scorecard.html``: the table and one small chart per case, Plotly inlined (works offline)."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simfraud.experiments.report_figures import PALETTE
from simfraud.experiments.scorecard.case_files import LoadedCase
from simfraud.results.atomic import write_text_atomic

SHOWN = ("metric", "period", "unit", "published", "simulated_mean", "simulated_p10",
         "simulated_p90", "within_tolerance", "tolerance", "check")


def case_chart(title: str, rows: pd.DataFrame) -> go.Figure:
    """Published points over the simulated 10-90% band, one panel per series.

    Args:
        title: The case's title.
        rows: The case's scorecard rows.
    """
    metrics = list(dict.fromkeys(rows["metric"]))
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=metrics)
    for col, metric in enumerate(metrics, start=1):
        part = rows[rows["metric"] == metric]
        fig.add_trace(go.Scatter(
            x=part["period"], y=part["simulated_mean"], mode="markers", name="simulated",
            marker={"color": PALETTE[0], "size": 9}, legendgroup="simulated",
            showlegend=col == 1, error_y={
                "type": "data", "symmetric": False,
                "array": part["simulated_p90"] - part["simulated_mean"],
                "arrayminus": part["simulated_mean"] - part["simulated_p10"]}),
            row=1, col=col)
        fig.add_trace(go.Scatter(
            x=part["period"], y=part["published"], mode="markers", name="published",
            marker={"color": PALETTE[1], "size": 11, "symbol": "diamond"},
            legendgroup="published", showlegend=col == 1), row=1, col=col)
        fig.update_yaxes(title_text=part["unit"].iloc[0], row=1, col=col)
        fig.update_xaxes(type="category", row=1, col=col)
    fig.update_layout(title=title, height=300, width=max(420, 340 * len(metrics)),
                      template="plotly_white", margin={"t": 70, "b": 40})
    return fig


def _table(rows: pd.DataFrame) -> str:
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:,.4g}"
        return html.escape("" if value is pd.NA else str(value))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in SHOWN)
    body = "".join("<tr>" + "".join(f"<td>{cell(r[c])}</td>" for c in SHOWN) + "</tr>"
                   for _, r in rows.iterrows())
    return f"<table><tr>{head}</tr>{body}</table>"


def write_html(path: Path, card: pd.DataFrame, cases: list[LoadedCase]) -> None:
    """Write the page: per case its description, table and chart (Plotly inlined once)."""
    sections, inlined = [], False
    for loaded in cases:
        rows = card[card["case"] == loaded.name]
        case = loaded.case
        run = ("no run" if loaded.size is None else
               f"{loaded.size.users:,} users x {loaded.size.replicates} replicates, "
               f"{loaded.scenario.days} days")
        parts = [f"<h2>{html.escape(case.title)}</h2>",
                 f"<p class='note'>case <code>{html.escape(loaded.name)}</code>; scenario "
                 f"<code>{html.escape(case.scenario or 'none shipped')}</code>; {run}</p>",
                 f"<p>{html.escape(case.about)}</p>", _table(rows)]
        drawn = rows[rows["simulated_mean"].notna()]
        if len(drawn):
            parts.append(case_chart(case.title, drawn).to_html(
                full_html=False, include_plotlyjs=not inlined))
            inlined = True
        sections.append("\n".join(parts))
    met = int(card["within_tolerance"].fillna(False).sum())
    judged = int(card["within_tolerance"].notna().sum())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>simfraud validation scorecard</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;
padding:0 1em;color:#222}} table{{border-collapse:collapse;font-size:0.85em;margin:1em 0}}
td,th{{border-bottom:1px solid #ddd;padding:0.3em 0.6em;text-align:right}}
th:first-child,td:first-child{{text-align:left}} .note{{color:#555}}</style></head><body>
<h1>simfraud validation scorecard</h1>
<p class="note">{len(cases)} case(s); {met} of {judged} published points within tolerance
(simulated mean; the band is the 10-90% spread over replicates).</p>
{"".join(sections)}
</body></html>
"""
    write_text_atomic(path, page)
