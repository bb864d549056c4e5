"""The draw-slot registry: no two uses of a stream share a slot."""

from simfraud.core import draws


def test_no_two_uses_share_a_slot():
    for stream, slots in draws.slot_table().items():
        values = [value for _, value in slots]
        assert len(values) == len(set(values)), stream
        assert max(values) < draws.KEY_SLOTS < draws.SAMPLER_SLOTS


def test_user_slots_are_contiguous_from_zero():
    values = sorted(value for _, value in draws.slot_table()["user"])
    assert values == list(range(draws.USER_SLOTS_USED))


def test_pseudo_days_are_never_simulated_days():
    for day in (draws.POPULATION_DAY, draws.CONTACTS_DAY, draws.CREW_DAY):
        assert day > 365 * 1000
