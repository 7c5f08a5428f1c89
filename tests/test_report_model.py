"""The pure parts of reports: periods in local time, shares, and the geometry of charts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.errors import InvalidInput
from workflow.report import Chart, Column, Table, period, share
from workflow.reportfiles import bars

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                        timezones=st.just(UTC))


@given(instants, st.integers(2000, 2099))
def test_a_year_holds_exactly_the_instants_of_its_local_calendar_year(when: datetime,
                                                                       year: int) -> None:
    p = period(TZ, year=year)
    assert p.start is not None and p.end is not None
    assert (p.start <= when < p.end) == (when.astimezone(TZ).year == year)


@given(instants, st.dates(date(2000, 1, 1), date(2099, 1, 1)), st.integers(0, 400))
def test_a_range_of_days_includes_both_ends_in_local_time(when: datetime, first: date,
                                                          length: int) -> None:
    last = first + timedelta(days=length)
    p = period(TZ, first=first, last=last)
    assert p.start is not None and p.end is not None
    assert (p.start <= when < p.end) == (first <= when.astimezone(TZ).date() <= last)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_a_share_is_the_fraction_to_four_places(part: int, whole: int) -> None:
    value = share(part, whole)
    if whole == 0:
        assert value is None
    else:
        assert value is not None and abs(value - part / whole) <= 0.00005


def test_periods_refuse_what_cannot_be_meant() -> None:
    with pytest.raises(InvalidInput, match="not both"):
        period(TZ, year=2026, first=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="before"):
        period(TZ, first=date(2026, 2, 1), last=date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="between 1900 and 2100"):
        period(TZ, year=20026)
    assert period(TZ).start is None and period(TZ).label == "all time"
    assert period(TZ, year=2026).previous_year(TZ) == period(TZ, year=2025)


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=30), st.booleans())
def test_every_bar_fits_its_chart_and_grows_with_its_value(values: list[int], percent: bool
                                                          ) -> None:
    rows = [{"label": f"Đơn vị {i}", "v": (v / 10**7 if percent else v)}
            for i, v in enumerate(values)]
    table = Table("t", "Bảng", "Table", [Column("label", "Tên", "Name", "text"),
                                         Column("v", "Số", "Count")], rows,
                  Chart("Biểu đồ", "Chart", "label", ("v",), percent=percent))
    geometry = bars(table)
    assert geometry is not None and len(geometry.groups) == len(values)
    widths = [g.bars[0].width for g in geometry.groups]
    assert all(0 <= w <= geometry.plot_width for w in widths)
    ordered = sorted(zip(values, widths, strict=True))
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(ordered))
    top = geometry.groups[-1].y + 14
    assert top < geometry.height
