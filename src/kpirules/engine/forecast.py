"""Objective forecasts (language §7): where the KPI's current pace leads by the deadline.

``projected`` is the ordinary least-squares line through the KPI's non-null
values from the objective's start period to the judgement period, read at the
deadline. The line's x is the period's position in the calendar, so a period
with a null value leaves a gap instead of being skipped over (three monthly
values in January, February and April are not "three months in a row").
Fewer than three values are not a pace: the forecast is then ``null``.

Everything is computed for every level at once, as Polars aggregations per
segment, never in a Python loop over segments.
"""

from __future__ import annotations

import polars as pl

from kpirules.engine.frame_columns import SEG, P

#: Below this many values a line through them says nothing about a pace.
MIN_POINTS = 3


def projected_values(values: pl.DataFrame, starts: pl.DataFrame, judgement: int,
                     deadline: int) -> pl.DataFrame:
    """``SEG, projected``: the least-squares line of each segment read at ``deadline``.

    ``values`` holds ``SEG, P, v`` (the KPI's value in each period);
    ``starts`` holds ``SEG, start`` (the first period the line goes through;
    a null start gives no forecast).
    """
    window = (values.join(starts, on=SEG, how="inner")
              .filter(pl.col("v").is_not_null() & (pl.col(P) >= pl.col("start"))
                      & (pl.col(P) <= judgement)))
    # centred on the window's start, so that large period indices lose no precision
    x = (pl.col(P) - pl.col("start")).cast(pl.Float64)
    y = pl.col("v")
    fitted = window.group_by(SEG).agg(
        pl.len().alias("n"),
        x.mean().alias("x_mean"),
        y.mean().alias("y_mean"),
        ((x - x.mean()) * (y - y.mean())).sum().alias("sxy"),
        ((x - x.mean()) ** 2).sum().alias("sxx"),
        pl.col("start").first().alias("start"),
    )
    at = (pl.lit(deadline, pl.Int64) - pl.col("start")).cast(pl.Float64)
    slope = pl.col("sxy") / pl.col("sxx")
    projected = pl.when((pl.col("n") >= MIN_POINTS) & (pl.col("sxx") > 0)).then(
        pl.col("y_mean") + slope * (at - pl.col("x_mean")))
    return fitted.select(SEG, projected.alias("projected"))


def projected_status(met_at_projection: pl.Expr) -> pl.Expr:
    """``achieved`` or ``missed`` at the deadline if the projection were reached; null without one.

    ``met_at_projection`` is the objective's own test (``>= goal``, ``<= goal``
    or its comparison) applied to the projected value, null when it is null.
    """
    return (pl.when(met_at_projection.is_null()).then(pl.lit(None, pl.String))
            .when(met_at_projection).then(pl.lit("achieved"))
            .otherwise(pl.lit("missed")))
