"""Series created at 0 before their first event (``enforcement_kernel.metrics``): pure logic on the process's
prometheus_client registry, with labels no service uses."""

from __future__ import annotations

from prometheus_client import REGISTRY

from enforcement_kernel import metrics


def sample(name: str, **labels) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_every_agency_kind_and_on_time_exists_at_zero():
    metrics.zero_promptness("unit-svc", ["unit-a", "unit-b"], ["case_decided"])
    for agency in ("unit-a", "unit-b"):
        for on_time in ("true", "false"):
            labels = {"service": "unit-svc", "agency": agency, "kind": "case_decided", "on_time": on_time}
            assert sample("enforcement_promptness_measurements_total", **labels) == 0
        missed = {"service": "unit-svc", "agency": agency, "kind": "case_decided"}
        assert sample("enforcement_deadline_missed_total", **missed) == 0
        assert sample("enforcement_promptness_workdays_count", **missed) == 0
        assert sample("enforcement_promptness_workdays_bucket", **missed, le="+Inf") == 0
        assert sample("enforcement_promptness_seconds_count", **missed) is None  # counted in days, not timed
    metrics.zero_promptness("unit-svc", ["unit-a"], ["transfer_handed_over"])  # an obligation timed in hours
    timed = {"service": "unit-svc", "agency": "unit-a", "kind": "transfer_handed_over"}
    assert sample("enforcement_promptness_seconds_count", **timed) == 0


def test_a_services_kinds_are_its_own_and_supervision_counts_every_kind():
    assert metrics.promptness_kinds("personnel") == ["certificate_application_decided", "certificate_cancelled"]
    assert "case_decided" in metrics.promptness_kinds("cases") and "complaint_accepted" not in metrics.promptness_kinds(
        "cases"
    )
    assert set(metrics.promptness_kinds("supervision")) >= {
        "case_decided",
        "certificate_cancelled",
        "complaint_accepted",
    }


def test_zeroing_keeps_counts_already_made():
    labels = {"service": "unit-svc2", "agency": "unit-c", "kind": "case_decided", "on_time": "false"}
    metrics.observe_missed("unit-svc2", "unit-c", "case_decided")
    metrics.zero_promptness("unit-svc2", ["unit-c"], ["case_decided"])
    assert sample("enforcement_promptness_measurements_total", **labels) == 1


def test_agencies_from_a_neighbour_are_read_again_after_a_failure_and_then_not_before_the_interval():
    calls = []

    def failing():
        calls.append("fail")
        raise ConnectionError("personnel is not up")

    assert metrics.zero_promptness_from("unit-svc3", failing, every_seconds=0) is False
    assert metrics.zero_promptness_from("unit-svc3", lambda: ["unit-d"], every_seconds=0) is True
    assert (
        sample("enforcement_deadline_missed_total", service="unit-svc3", agency="unit-d", kind="case_decided") is None
    )  # unit-svc3 owns no obligation kind: nothing to create
    assert metrics.zero_promptness_from("unit-svc4", lambda: ["unit-e"], every_seconds=300) is True
    assert metrics.zero_promptness_from("unit-svc4", lambda: ["unit-f"], every_seconds=300) is False  # not yet


def test_handler_and_entrypoint_outcomes_exist_at_zero():
    metrics.zero_handler("unit-svc", "unit.thing.happened")
    for outcome in ("ok", "duplicate", "error", "invalid"):
        labels = {"service": "unit-svc", "event_type": "unit.thing.happened", "outcome": outcome}
        assert sample("enforcement_events_handled_total", **labels) == 0
    metrics.zero_calls("unit-svc", "rpc", "do_it")
    for outcome in ("ok", "client_error", "unavailable", "error"):
        labels = {"service": "unit-svc", "kind": "rpc", "entrypoint": "do_it", "outcome": outcome}
        assert sample("enforcement_calls_total", **labels) == 0
