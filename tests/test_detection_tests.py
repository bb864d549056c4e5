"""Control strengths derived from published detection tests (issue 11, item 4)."""

import pytest

from simfraud.core.vectors import BIOMETRIC_VECTORS, LIVENESS_LEVELS
from simfraud.scenario import detection_tests as dt
from simfraud.scenario.schema import Defences, LivenessTable, Scenario, StepUp, ToolQuality
from simfraud.users.contest import tullock

CHECKING_LEVELS = [level for level in LIVENESS_LEVELS if level != "none"]


def test_reference_quality_and_decisiveness_are_the_schemas_defaults():
    tools = ToolQuality()
    assert {v: getattr(tools, v) for v in BIOMETRIC_VECTORS} == dt.REFERENCE_QUALITY
    assert Defences().contest_decisiveness == dt.DECISIVENESS


@pytest.mark.parametrize("pair", sorted(dt.DERIVED), ids="/".join)
def test_derived_strength_reproduces_the_published_apcer(pair):
    level, vector = pair
    strength = getattr(getattr(LivenessTable(), level), vector)
    passes = float(tullock(dt.REFERENCE_QUALITY[vector], strength, dt.DECISIVENESS))
    published = dt.DERIVED[pair].apcer
    assert passes == pytest.approx(published, abs=5e-4)
    assert passes <= published  # rounded up: never weaker than the test shows


def test_every_checking_level_and_vector_is_derived_or_argued_not_both():
    pairs = {(level, vector) for level in CHECKING_LEVELS for vector in BIOMETRIC_VECTORS}
    assert set(dt.DERIVED) | set(dt.ARGUED) == pairs
    assert set(dt.DERIVED).isdisjoint(dt.ARGUED)
    assert all(test.apcer is not None for test in dt.DERIVED.values())


def test_schema_defaults_and_sources_come_from_the_detection_tests():
    table = LivenessTable()
    for level in CHECKING_LEVELS:
        fields = type(getattr(table, level)).model_fields
        for vector in BIOMETRIC_VECTORS:
            assert getattr(getattr(table, level), vector) == dt.liveness_strength(level, vector)
            source = fields[vector].json_schema_extra["source"]
            assert source == dt.liveness_source(level, vector)
            assert "APCER" in source if (level, vector) in dt.DERIVED else (
                source.startswith("argued, no detection test"))
    defences = Scenario().defences
    assert defences.injection_detection_strength == dt.INJECTION_DETECTION_ARGUED
    source = Defences.model_fields["injection_detection_strength"].json_schema_extra["source"]
    assert "APCER" in source and "outnumber" not in source  # a detection test, not a frequency
    for name in ("device_binding_strength", "block_probability"):
        assert "no published detection test" in StepUp.model_fields[name].json_schema_extra[
            "source"]


def test_zero_success_bound_and_attempts_invert_each_other():
    assert dt.zero_success_bound(150) == pytest.approx(0.019773, abs=1e-6)
    assert dt.attempts_for(dt.zero_success_bound(150)) == 150
    assert dt.attempts_for(0.01) == 299


def test_strength_for_inverts_the_contest_and_refuses_certain_rates():
    d = dt.strength_for(0.25, quality=0.6, decisiveness=3.0)
    assert float(tullock(0.6, d, 3.0)) == pytest.approx(0.25)
    assert dt.apcer_at(d, 0.6, 3.0) == pytest.approx(0.25)
    for rate in (0.0, 1.0):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            dt.strength_for(rate, 1.0)


def test_field_test_ordering_holds():
    # DHS RIVR 2026: most passive systems fail the attack-error threshold; active ones did
    # better. Day-0 face swaps pass passive liveness more often than iBeta level 2 allows.
    table = LivenessTable()
    face_swap = dt.REFERENCE_QUALITY["deepfake_presentation"]
    assert dt.apcer_at(table.passive_2d.deepfake_presentation, face_swap) > 0.01
    for vector in BIOMETRIC_VECTORS:
        assert (table.passive_2d.model_dump()[vector] <= table.active.model_dump()[vector]
                <= table.depth_3d.model_dump()[vector])
