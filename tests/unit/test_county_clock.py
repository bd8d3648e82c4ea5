"""The county's clock: the county's date whatever the host's zone, a pinned date for tests and training, and the
settings that choose them."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from enforcement_kernel import clock
from enforcement_kernel.config import DEFAULTS, load_config


@pytest.fixture(autouse=True)
def restore_clock():
    yield
    clock.configure()  # the default: Asia/Shanghai, nothing pinned


def test_the_date_is_the_county_s_not_the_host_s():
    # UTC+14 and UTC-11 are more than a day apart: whatever the host's zone and time, they never share a date
    clock.configure("Pacific/Kiritimati")
    east = clock.today()
    expected = (datetime.now(timezone.utc) + timedelta(hours=14)).date()
    clock.configure("Pacific/Pago_Pago")
    west = clock.today()
    assert east != west
    assert east in (expected, expected - timedelta(days=1))  # the test may straddle a midnight in that zone
    assert (east - west).days in (1, 2)


def test_now_is_the_county_s_wall_clock_time_without_a_zone():
    clock.configure("Asia/Shanghai")
    now = clock.now()
    assert now.tzinfo is None
    beijing = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=8)
    assert abs((now - beijing).total_seconds()) < 5
    assert clock.to_local(datetime(2024, 10, 8, 2, 0, tzinfo=timezone.utc)) == datetime(2024, 10, 8, 10, 0)
    assert clock.to_local(datetime(2024, 10, 8, 10, 0)) == datetime(2024, 10, 8, 10, 0)  # naive: already local


def test_a_pinned_date_holds_while_the_time_of_day_runs():
    clock.configure("Asia/Shanghai", "2025-03-31")
    assert clock.today() == date(2025, 3, 31)
    assert clock.now().date() == date(2025, 3, 31)
    clock.configure("Asia/Shanghai", date(2024, 2, 29))
    assert clock.today() == date(2024, 2, 29)
    clock.configure("Asia/Shanghai", "")
    assert clock.today() != date(2024, 2, 29)


@pytest.mark.parametrize(
    "zone, today, named", [("Mars/Olympus", None, "CLOCK.timezone"), ("Asia/Shanghai", "31/03/2025", "CLOCK.today")]
)
def test_a_bad_setting_stops_the_start_naming_it(zone, today, named):
    with pytest.raises(ValueError, match=named):
        clock.configure(zone, today)


def test_the_environment_sets_the_clock_without_touching_the_defaults(monkeypatch):
    monkeypatch.delenv("CONFIG", raising=False)
    monkeypatch.setenv("CLOCK_TODAY", "2025-03-31")
    config = load_config("personnel")
    assert config["CLOCK"] == {"timezone": "Asia/Shanghai", "today": "2025-03-31"}
    assert DEFAULTS["CLOCK"]["today"] is None
    monkeypatch.setenv("CLOCK_TIMEZONE", "Asia/Urumqi")
    monkeypatch.delenv("CLOCK_TODAY")
    assert load_config("personnel")["CLOCK"] == {"timezone": "Asia/Urumqi", "today": None}
