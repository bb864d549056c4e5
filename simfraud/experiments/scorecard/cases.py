"""The format of a validation case (``validation/*.yaml``), checked with located messages.

A case names a shipped scenario (a path relative to the repository's ``scenarios/``),
how large a run to make (``run``, and a smaller ``run.quick`` for CI), which simulated
days stand for which published period (``periods``) and the published ``series``. Each
series says what was measured, its unit and source, its published points, how the model
gives the same quantity (``simulated``: metrics of ``timeseries.parquet`` or
``vectors.parquet``; ``parameter``: a value of the resolved scenario; ``apcer``: the
attack success a liveness table implies) and when the two agree (``tolerance``).
Series the shipped scenarios cannot give say why in ``not_simulated``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from simfraud.core.metrics import METRICS, VECTOR_METRICS
from simfraud.experiments.compare import PAYERS
from simfraud.scenario.schema import (
    MAX_DAYS,
    MAX_REFERENCE_USERS,
    MAX_REPLICATES,
    MAX_USERS,
    FieldRuleError,
    LivenessLevel,
    Strict,
    VectorName,
)


def _label(value: Any) -> Any:
    """A period label written as a bare year (``2021``) is the text ``"2021"``."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Label = Annotated[str, BeforeValidator(_label), Field(min_length=1, max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=4_000)]
PAYER_METRICS = {payer: metric for metric, payer in PAYERS.items()}
"""Who bore a loss (``users``, ``sending provider``, ``receiving provider``) -> its metric."""


class Source(Strict):
    """Where a published series comes from."""

    citation: Text = Field(description="Publisher, title and year.")
    url: str | None = Field(None, max_length=2_000, description="Where to read it.")


class Size(Strict):
    """How large a run each replicate is."""

    users: int = Field(ge=100, le=MAX_USERS, description="Simulated users.")
    replicates: int = Field(ge=1, le=MAX_REPLICATES, description="Replicates.")
    days: int | None = Field(None, ge=1, le=MAX_DAYS,
                             description="Days to simulate (default: the scenario's).")


class Run(Size):
    """The run of a case, and the reduced one of ``--quick``."""

    quick: Size = Field(description="The reduced run of --quick (CI).")


class People(Strict):
    """The real population the published figures are about."""

    people: float = Field(gt=0, le=MAX_REFERENCE_USERS, description="Real people.")
    source: Text = Field(description="Where the population figure comes from.")


class Measure(Strict):
    """How a run gives a published quantity: sums of metrics over a period, or a share."""

    table: Literal["timeseries", "vectors"] = Field(
        "timeseries", description="timeseries.parquet or vectors.parquet.")
    metrics: list[str] = Field(default_factory=list, description="Metrics summed.")
    payers: list[str] = Field(default_factory=list,
                              description="Who bore the loss (timeseries only).")
    minus: list[str] = Field(default_factory=list, description="Metrics subtracted.")
    per: list[str] = Field(default_factory=list,
                           description="Metrics summed as the denominator of a share.")
    per_all: bool = Field(False, description=(
        "The denominator over every vector and platform (a share of the whole), not only "
        "the ones selected (vectors only)."))
    per_user: bool = Field(False, description="Divide by the simulated users.")
    national: bool = Field(False, description="Multiply by population.weight.")
    vectors: list[VectorName] | None = Field(None, description="Attack vectors (vectors only).")
    platforms: list[str] | None = Field(None, description="Platform names (vectors only).")

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        registry = METRICS if self.table == "timeseries" else VECTOR_METRICS
        for field in ("metrics", "minus", "per"):
            for k, name in enumerate(getattr(self, field)):
                if name not in registry:
                    raise FieldRuleError(f"{name!r} is not a metric of {self.table} "
                                         f"(allowed: {', '.join(registry)})", (field, k))
        if self.table == "vectors":
            if self.payers:
                raise FieldRuleError("payers are read from the timeseries only (allowed: "
                                     "table: timeseries, or metrics loss minus refunded)",
                                     ("payers",))
        elif self.vectors is not None or self.platforms is not None:
            field = "vectors" if self.vectors is not None else "platforms"
            raise FieldRuleError("only the vectors table is split by vector and platform "
                                 "(allowed: table: vectors)", (field,))
        for k, payer in enumerate(self.payers):
            if payer not in PAYER_METRICS:
                raise FieldRuleError(f"{payer!r} is not a payer (allowed: "
                                     f"{', '.join(PAYER_METRICS)})", ("payers", k))
        if not self.metrics and not self.payers:
            raise FieldRuleError("name at least one metric or payer", ("metrics",))
        self._same_unit_and_kind(registry)
        if self.per_all and (self.table != "vectors" or not self.per):
            raise FieldRuleError("a share of the whole needs table: vectors and per "
                                 "(allowed: false)", ("per_all",))
        if self.per and self.per_user:
            raise FieldRuleError("a share is per metric or per user, not both", ("per_user",))
        if self.national and (self.per or self.per_user):
            raise FieldRuleError("a share is not scaled to the nation (allowed: false)",
                                 ("national",))
        return self

    def _same_unit_and_kind(self, registry: dict) -> None:
        names = [*self.metrics, *(PAYER_METRICS[p] for p in self.payers), *self.minus]
        for field, group in (("metrics", names), ("per", self.per)):
            found = {(registry[n].unit, registry[n].kind) for n in group}
            if len(found) > 1:
                shown = ", ".join(f"{n} ({registry[n].unit}, {registry[n].kind})" for n in group)
                raise FieldRuleError(f"metrics of different units or kinds cannot be summed: "
                                     f"{shown}", (field,))

    @property
    def numerator(self) -> list[str]:
        """Metrics added up: ``metrics`` and the payers' metrics."""
        return [*self.metrics, *(PAYER_METRICS[p] for p in self.payers)]


class Apcer(Strict):
    """The attack success a liveness level's strength implies at the crews' day-0 tools."""

    level: LivenessLevel = Field(description="Liveness level.", strict=False)
    vector: VectorName = Field(description="Biometric attack vector.")


class Tolerance(Strict):
    """When a simulated value agrees with a published one: exactly one rule."""

    relative: float | None = Field(None, gt=0, le=100,
                                   description="|simulated - published| <= this x |published|.")
    absolute: float | None = Field(None, ge=0, description="|simulated - published| <= this.")
    bound: Literal["at_most", "at_least"] | None = Field(
        None, description="The published value is a ceiling or a floor.")

    @model_validator(mode="after")
    def _one_rule(self) -> Tolerance:
        given = [k for k in ("relative", "absolute", "bound") if getattr(self, k) is not None]
        if len(given) != 1:
            raise FieldRuleError(f"give exactly one rule, got {len(given)} (allowed: "
                                 "relative, absolute, bound)", ())
        return self

    def describe(self) -> str:
        """The rule as a short text (``±25%``, ``±0.05``, ``at most``)."""
        if self.relative is not None:
            return f"±{self.relative:.0%}"
        if self.absolute is not None:
            return f"±{self.absolute:g}"
        return (self.bound or "").replace("_", " ")

    def holds(self, simulated: float, published: float) -> bool:
        """Whether ``simulated`` agrees with ``published`` under this rule."""
        if self.relative is not None:
            return abs(simulated - published) <= self.relative * abs(published)
        if self.absolute is not None:
            return abs(simulated - published) <= self.absolute
        return simulated <= published if self.bound == "at_most" else simulated >= published


class Point(Strict):
    """One published value."""

    period: Label = Field(description="Published period (a label of periods).")
    value: float = Field(description="Published value, in the series' unit.")
    base: Label | None = Field(None, description="A growth ratio: period over this period.")


class Series(Strict):
    """A published series and how the model gives it."""

    metric: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)] = Field(
        description="Name of the row in the scorecard.")
    measured: Text = Field(description="What the publisher measured.")
    unit: Annotated[str, Field(min_length=1, max_length=60)] = Field(
        description="Unit of the published values.")
    source: Source
    points: list[Point] = Field(min_length=1, max_length=100)
    simulated: Measure | None = None
    parameter: str | None = Field(None, max_length=200,
                                  description="Dotted path of a scenario value.")
    apcer: Apcer | None = None
    not_simulated: Text | None = Field(None, description="Why the model gives no value.")
    tolerance: Tolerance | None = None

    @model_validator(mode="after")
    def _one_mapping(self) -> Series:
        given = [k for k in ("simulated", "parameter", "apcer", "not_simulated")
                 if getattr(self, k) is not None]
        if len(given) != 1:
            raise FieldRuleError(f"give exactly one of simulated, parameter, apcer, "
                                 f"not_simulated (got {', '.join(given) or 'none'})", ())
        if self.not_simulated is None and self.tolerance is None:
            raise FieldRuleError("required with a simulated value", ("tolerance",))
        bases = {p.base is not None for p in self.points}
        if len(bases) > 1:
            raise FieldRuleError("either every point is a growth ratio (has a base) or none",
                                 ("points",))
        if self.simulated is None and True in bases:
            raise FieldRuleError("growth ratios need simulated metrics", ("points",))
        return self


class Case(Strict):
    """One validation case: a shipped scenario against published series."""

    title: Text = Field(description="Short title.")
    about: Text = Field(description="What the case checks, and what it cannot.")
    scenario: str | None = Field(max_length=1_000, description=(
        "Scenario file relative to scenarios/, or null when none is shipped."))
    run: Run | None = None
    population: People | None = None
    periods: dict[Label, Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
        default_factory=dict, description="Published period -> [first day, last day].")
    series: list[Series] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _complete(self) -> Case:
        for label, (first, last) in self.periods.items():
            if not 0 <= first <= last:
                raise FieldRuleError(f"[{first}, {last}] (allowed: [first day, last day] with "
                                     "0 <= first <= last)", ("periods", label))
        needs_run = any(s.simulated is not None for s in self.series)
        if needs_run and self.run is None:
            raise FieldRuleError("required when a series is simulated", ("run",))
        if (needs_run or any(s.parameter or s.apcer for s in self.series)) and not self.scenario:
            raise FieldRuleError("required when a series is simulated or a parameter check "
                                 "(allowed: a file in scenarios/)", ("scenario",))
        for k, series in enumerate(self.series):
            if series.simulated is None:
                continue
            for j, point in enumerate(series.points):
                for field in ("period", "base"):
                    label = getattr(point, field)
                    if label is not None and label not in self.periods:
                        raise FieldRuleError(
                            f"{label!r} is not a period of this case (allowed: "
                            f"{', '.join(self.periods) or 'none: add periods'})",
                            ("series", k, "points", j, field))
        return self
