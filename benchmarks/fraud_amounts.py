"""Fit the social-engineering amount distribution and print the schema's defaults.

Run: ``.venv/bin/python -m benchmarks.fraud_amounts``.

Shape from Singapore Police Force, Annual Scams and Cybercrime Brief 2024: S$1.1bn lost
over 51,501 cases (mean S$21,359), median S$1,389, the four largest cases S$237.9m
(21.6% of losses). The spliced distribution (``simfraud.core.amounts``) is fitted in S$
with its cap at S$237.9m (no single case can exceed the four largest together) and its
body median at the published median; the body's log-sd, the tail share and the Pareto
index are solved so that (1) the mean is the published mean, (2) the expected share of
the four largest of 51,501 draws is the published share, (3) the density is continuous
where body and tail meet. The level comes from UK Finance (Annual Fraud Report 2024:
APP losses 459.7m GBP over 232,429 cases, mean 1,978 GBP, ``mean_fraud_amount``): the
fitted shape is scaled to that mean, which scales median and cap by the same factor.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import binom, norm

from simfraud.core.amounts import (
    amount_parameters,
    body_median,
    spliced_mean,
    spliced_quantiles,
)

SG_CASES = 51_501
SG_LOSS = 1.1e9
SG_MEDIAN = 1_389.0
SG_TOP4 = 237.9e6
SG_CAP = SG_TOP4
UK_MEAN_MINOR = 198_000
"""UK Finance 2023 APP mean case in pence (459.7m GBP / 232,429, rounded)."""


def expected_top_sum(shape: tuple[float, float, float, float, float], cases: int,
                     top: int) -> float:
    """Expected sum of the ``top`` largest of ``cases`` draws (exact order statistics).

    ``E = n * integral_0^1 Q(1 - s) P(Binomial(n - 1, s) <= top - 1) ds``, integrated on
    a log grid of ``s`` (the weight is negligible beyond ``s ~ 50 top / n``).
    """
    s = np.exp(np.linspace(math.log(1e-13), math.log(min(1.0, 200.0 * top / cases)), 40_000))
    weight = binom.cdf(top - 1, cases - 1, s)
    integrand = spliced_quantiles(1.0 - s, amount_parameters(*shape)) * weight * s
    return cases * float(np.trapezoid(integrand, np.log(s)))


def _shape(x: np.ndarray) -> tuple[float, float, float, float, float]:
    sigma, tail_share, alpha = np.exp(x)
    return SG_MEDIAN, float(sigma), float(tail_share), float(alpha), SG_CAP


def _residuals(x: np.ndarray) -> np.ndarray:
    shape = _shape(x)
    _, sigma, tail_share, alpha, cap = shape
    mean = spliced_mean(*shape)
    top_share = expected_top_sum(shape, SG_CASES, 4) / (SG_CASES * mean)
    threshold = amount_parameters(*shape)[3]
    body_density = norm.pdf(norm.ppf(1.0 - tail_share)) / sigma
    tail_density = tail_share * alpha / (1.0 - (threshold / cap) ** alpha)
    return np.array([math.log(mean / (SG_LOSS / SG_CASES)),
                     math.log(top_share / (SG_TOP4 / SG_LOSS)),
                     math.log(tail_density / body_density)])


def fit() -> tuple[float, float, float]:
    """Body log-sd, tail share and Pareto index fitted to the Singapore figures."""
    result = least_squares(_residuals, np.log([2.0, 0.1, 1.0]), xtol=1e-12, ftol=1e-12)
    return _shape(result.x)[1:4]


def realised_top_shares(shape, cases: int, samples: int, seed: int = 1) -> np.ndarray:
    """Share of the four largest in ``samples`` simulated years of ``cases`` cases."""
    rng = np.random.default_rng(seed)
    row = amount_parameters(*shape)
    shares = np.empty(samples)
    for i in range(samples):
        x = spliced_quantiles(rng.random(cases) + 2.0**-54, row)
        shares[i] = np.sort(x)[-4:].sum() / x.sum()
    return shares


def main() -> None:
    """Fit, check and print the defaults."""
    sigma, tail_share, alpha = fit()
    shape = (SG_MEDIAN, sigma, tail_share, alpha, SG_CAP)
    mean = spliced_mean(*shape)
    top = expected_top_sum(shape, SG_CASES, 4) / (SG_CASES * mean)
    shares = realised_top_shares(shape, SG_CASES, 200)
    scale = UK_MEAN_MINOR / mean
    cap_minor = round(SG_CAP * scale)
    print(f"fitted: body_sigma={sigma:.4f} tail_share={tail_share:.5f} tail_alpha={alpha:.4f}"
          f" (Singapore cap S${SG_CAP:,.0f}, threshold S$"
          f"{amount_parameters(*shape)[3]:,.0f})")
    print(f"median: S${SG_MEDIAN:,.0f} (target S${SG_MEDIAN:,.0f}, exact by construction)")
    print(f"mean:   S${mean:,.1f} (target S${SG_LOSS / SG_CASES:,.1f})")
    print(f"top-4 share, expected: {top:.4f} (target {SG_TOP4 / SG_LOSS:.4f}); realised in "
          f"200 simulated years: median {np.median(shares):.4f}, 10-90% "
          f"[{np.quantile(shares, 0.1):.4f}, {np.quantile(shares, 0.9):.4f}]")
    uk_median = body_median(UK_MEAN_MINOR, sigma, tail_share, alpha, cap_minor)
    print(f"UK level (mean {UK_MEAN_MINOR:,} minor units): cap {cap_minor:,} minor units, "
          f"body median {uk_median:,.0f} minor units (scale {scale:.5f})")


if __name__ == "__main__":
    main()
