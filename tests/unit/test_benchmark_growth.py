"""The benchmark's steady-state growth figure: a least-squares slope over the days after the warm-up."""

from benchmarks.daily_run import STEADY_FROM_DAY, steady_state


def test_the_slope_is_fitted_on_the_days_after_the_warm_up_only():
    # warm-up days cost far less, then +0.5 s per day: only the latter is the slope
    days = [{"day": d, "seconds": 5.0 if d < STEADY_FROM_DAY else 20 + 0.5 * d} for d in range(1, 31)]
    steady = steady_state(days)
    assert steady["days"] == [16, 30]
    assert steady["seconds_per_day_of_history"] == 0.5
    assert steady["fitted_first_day_seconds"] == 28.0  # 20 + 0.5 × 16
    assert steady["growth_per_10_days_pct"] == 17.9  # 10 × 0.5 / 28


def test_flat_days_grow_by_nothing_and_too_few_days_give_no_figure():
    assert (
        steady_state([{"day": d, "seconds": 30.0} for d in range(1, 31)])["seconds_per_day_of_history"] == 0
    )
    assert steady_state([{"day": d, "seconds": 30.0} for d in range(1, 19)]) is None
