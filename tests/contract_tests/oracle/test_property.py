"""Property: a perfect delivery of exactly the required versions passes; dropping one is exactly that MISSING.

The required set comes from a model written here, apart from the oracle, straight from docs/design.md#required-versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from cwmock.contract_tests.oracle.inputs import VersionKey, Window, utc_second, version_key
from cwmock.contract_tests.oracle.verdict import FindingKind

from support.oracle import Scenario, at


@dataclass(frozen=True)
class WriteStep:
    contact: int
    stamp_offset: int


@dataclass(frozen=True)
class DeleteStep:
    contact: int


@dataclass(frozen=True)
class AdvanceStep:
    seconds: float


@dataclass(frozen=True)
class WindowStep:
    clean: bool
    complete: bool
    mid_write: WriteStep | None
    crashed: bool = False  # a crash the suite injected, at the window's end


writes = st.builds(WriteStep, st.integers(1, 4), st.sampled_from([-90, -61, -30, -1, 0, 0, 0, 1, 5]))
mostly = st.sampled_from([True, True, True, False])
steps = st.lists(
    st.one_of(
        writes,
        writes,
        st.builds(DeleteStep, st.integers(1, 4)),
        st.builds(AdvanceStep, st.sampled_from([0.4, 1, 30, 60, 61, 300, 900])),
        st.builds(AdvanceStep, st.sampled_from([0.4, 1, 30, 60, 61, 300, 900])),
        st.builds(WindowStep, mostly, mostly, st.none() | writes),
        st.builds(WindowStep, mostly, mostly, st.none() | writes, st.booleans()),
    ),
    min_size=6,
    max_size=30,
)


Built = tuple[Window, bool, bool]  # a window, whether its hub responses were clean, whether one ended the result


def build(world: Scenario, plan: list[object]) -> list[Built]:
    """The plan's steps, then the settle: one clean, complete window a refresh interval later."""
    windows: list[Built] = []
    world.now = at(seconds=0.5)

    def write(step: WriteStep) -> None:
        world.write(step.contact, utc_second(world.now + timedelta(seconds=step.stamp_offset)))

    for step in plan:
        if isinstance(step, WriteStep):
            write(step)
        elif isinstance(step, DeleteStep) and world.current(step.contact) is not None:
            world.delete(step.contact)
        elif isinstance(step, AdvanceStep):
            world.now += timedelta(seconds=step.seconds)
        elif isinstance(step, WindowStep):
            world.begin(world.now)
            world.request(result_end=step.complete and step.mid_write is None)
            if step.mid_write is not None:
                write(step.mid_write)
                world.request(result_end=step.complete)
            if not step.clean:
                world.request(fault="hub-503", status=503)
            windows.append((world.end(crashed=step.crashed), step.clean, step.complete))
    world.now += timedelta(minutes=15)
    windows.append((world.window(world.now), True, True))
    return windows


def model_required(world: Scenario, windows: list[Built]) -> set[VersionKey]:
    """Clauses 1-4 of docs/design.md#required-versions, clause 2 with its crash case, read straight from the page."""
    facts, required = world.facts, set()

    def clean(k: int) -> bool:
        return windows[k][1] and not windows[k][0].crashed

    for write in world.writes:
        stamp = utc_second(write.stamp)
        ends = [m.seq for m in (write.superseded, write.deleted) if m is not None]
        throughout = [
            write.became_visible.seq <= w.begin_seq and all(end > w.end_seq for end in ends) for w, _, _ in windows
        ]
        for k, (window, hub_clean, complete) in enumerate(windows):
            complete_before = [w for w, _, complete in windows[:k] if complete]
            lower = complete_before[-1].s - timedelta(seconds=facts.poll_delay) if complete_before else facts.created
            served_whole = window.crashed and hub_clean and complete
            retried = served_whole and k + 1 < len(windows) and clean(k + 1) and throughout[k + 1]
            if (
                (clean(k) or retried)
                and stamp > facts.created
                and throughout[k]
                and stamp >= lower
                and (not facts.filter_by_current_date or stamp <= window.s)
            ):
                required.add(version_key(write.id, stamp))
    return required


@settings(max_examples=150, deadline=None)
@given(plan=steps, poll_delay=st.sampled_from([0, 1, 30, 60]), current=st.booleans())
def test_a_perfect_delivery_passes_and_dropping_one_version_is_exactly_that_missing(
    plan: list[object], poll_delay: int, current: bool
) -> None:
    world = Scenario().configure(poll_delay=poll_delay, filter_by_current_date=current)
    windows = build(world, plan)
    required = model_required(world, windows)
    sent = {}
    for key in sorted(required):
        found_by = next(w for w, _, _ in windows if w.holds(world.served[key].first.seq))
        sent[key] = world.notify([key], found_by)
    verdict = world.judge()
    assert verdict.passed, verdict.report()
    assert verdict.findings == ()
    assert verdict.required == len(required)
    for key in sorted(required):
        without = world.judge(arrivals=[a for k, a in sent.items() if k != key])
        assert [(f.kind, f.version) for f in without.findings] == [(FindingKind.MISSING, key)], without.report()
        assert not without.passed
