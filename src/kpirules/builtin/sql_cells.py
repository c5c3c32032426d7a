"""The one statement giving every cell of every level, de-duplicating before it counts.

Built with SQLAlchemy Core (values bound, identifiers quoted by the dialect)
following :mod:`kpirules.lang.cell_plan`:

``kpi_raw``
    each row's period label, dimensions, one flag per ``where`` (1 or null),
    the additive metrics' values (under their ``where``) and each counted
    expression;
``kpi_fine``
    the additive metrics per finest cell (period × every dimension): the one
    grouping of the raw rows, by hashing;
``kpi_dedupN``, ``kpi_markedN``
    for each counted expression, one row per finest cell and distinct value,
    with its flags; for ``count_new``/``count_returning`` whether the value's
    first period (``MIN(period) GROUP BY value`` over those rows) is this one
    or an earlier one; and whether the value is in several finest cells of
    its period (``GROUP BY period, value HAVING COUNT(*) > 1``: few rows);
levels
    each of those grouped again per level (``GROUPING SETS`` on PostgreSQL and
    DuckDB, one ``GROUP BY`` per level joined by ``UNION ALL`` on SQLite):
    values in one finest cell counted there and the counts summed, the others
    de-duplicated once more per level, then counted;
the cells
    the parts joined by ``UNION ALL`` and one ``GROUP BY`` of period, level and
    dimensions (which treats null dimensions as equal, as a join would not).

No ``COUNT(DISTINCT …)`` (which sorts every raw value once per level) and no
window: every grouping can be hashed, and only the first ones read the raw
rows. Empty cells follow language §4.1: the counts are 0 (``COALESCE``), the
other aggregates null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

from kpirules.lang.cell_plan import DistinctGroup, cell_plan
from kpirules.lang.row_translate import NotTranslatable, RowTranslator

if TYPE_CHECKING:
    import sqlalchemy as sa

    from kpirules.lang.model import MetricDef

GROUPING_SETS_DIALECTS = ("postgresql", "duckdb")
PERIOD, LEVEL = "kpi_period", "kpi_level"  # plain labels: no quoting rules to meet in any dialect
VALUE = "kpi_value"


def aggregate_statement(table: Any, period_label: sa.ColumnElement[Any], dims: Sequence[str],
                        metrics: Mapping[str, MetricDef], sql: RowTranslator[sa.ColumnElement[Any]],
                        dialect: str) -> sa.Select[Any]:
    """One query giving every cell of every level: period, level, dimensions, metric values, row counts
    (labelled as :func:`kpirules.builtin.sql_pushdown.result_names` says).

    ``period_label`` is each row's period as text, ``sql`` the dialect's
    translator of row expressions over ``table``'s columns (parameters bound).
    """
    import sqlalchemy as sa

    plan = cell_plan(metrics)
    if plan.holistic:
        raise NotTranslatable(next(iter(plan.holistic.values()))[0])
    columns = {c.name: c for c in table.columns}
    dim = [f"kpi_d{i}" for i in range(len(dims))]
    label = {m: i for i, m in enumerate(metrics)}
    one = sa.literal(1, sa.Integer)

    raw_cols: list[sa.ColumnElement[Any]] = [period_label.label(PERIOD)]
    raw_cols += [columns[d].label(dim[i]) for i, d in enumerate(dims)]
    conditions = [None if w is None else sql.translate(w) for w in plan.wheres]
    raw_cols += [(one if c is None else sa.case((c, one), else_=sa.null())).label(f"kpi_w{i}")
                 for i, c in enumerate(conditions)]
    for name, (func, arg) in plan.additive.items():
        if arg is not None:
            value = sql.translate(arg)
            value = value if func == "count" else sa.cast(value, sa.Double)
            cond = conditions[plan.where_of[name]]
            raw_cols.append((value if cond is None else sa.case((cond, value), else_=sa.null()))
                            .label(f"kpi_a{label[name]}"))
    raw_cols += [sql.translate(group.argument).label(f"kpi_e{group.index}") for group in plan.distinct]
    raw = sa.select(*raw_cols).select_from(table).cte("kpi_raw")
    finest = [raw.c[PERIOD], *(raw.c[d] for d in dim)]

    # the additive metrics: once per finest cell from the raw rows, then per level from those cells
    fine_cols: list[sa.ColumnElement[Any]] = [*finest, *(sa.func.count(raw.c[f"kpi_w{i}"]).label(f"kpi_n{i}")
                                                         for i in range(len(plan.wheres)))]
    for name, (func, arg) in plan.additive.items():
        i = label[name]
        if arg is None:
            continue  # count(): the rows its where keeps, kpi_nW
        value = raw.c[f"kpi_a{i}"]
        if func in ("count", "avg"):
            fine_cols.append(sa.func.count(value).label(f"kpi_c{i}"))
        if func in ("sum", "avg"):
            fine_cols.append(sa.func.sum(value).label(f"kpi_s{i}"))
        if func in ("min", "max"):
            fine_cols.append(getattr(sa.func, func)(value).label(f"kpi_s{i}"))
    fine = sa.select(*fine_cols).group_by(*finest).cte("kpi_fine")
    combined: dict[str, sa.ColumnElement[Any]] = {}
    for name, (func, arg) in plan.additive.items():
        i = label[name]
        if arg is None:
            combined[f"kpi_m{i}"] = sa.func.sum(fine.c[f"kpi_n{plan.where_of[name]}"])
        elif func == "count":
            combined[f"kpi_m{i}"] = sa.func.sum(fine.c[f"kpi_c{i}"])
        elif func == "avg":
            count = sa.func.sum(fine.c[f"kpi_c{i}"])
            combined[f"kpi_m{i}"] = sa.case((count > 0, sa.func.sum(fine.c[f"kpi_s{i}"]) / count), else_=sa.null())
        else:
            combined[f"kpi_m{i}"] = getattr(sa.func, "sum" if func == "sum" else func)(fine.c[f"kpi_s{i}"])
    for name, i in label.items():
        combined[f"kpi_r{i}"] = sa.func.sum(fine.c[f"kpi_n{plan.where_of[name]}"])
    parts = [_by_level(fine, dim, [], [v.label(k) for k, v in combined.items()], dialect)]

    for group in plan.distinct:  # the distinct metrics: see _distinct_parts
        parts += _distinct_parts(raw, dim, group, label, dialect)

    # the parts side by side: every value column in every part, null where another part has it
    names = [f"kpi_{kind}{i}" for kind in "mr" for i in label.values()]
    aligned = []
    for k, part in enumerate(parts):
        have = {c.name: c for c in part.subquery(f"kpi_part{k}").c}
        aligned.append(sa.select(have[PERIOD], have[LEVEL], *(have[d] for d in dim),
                                 *(sa.cast(have[n], sa.Double).label(n) if n in have
                                   else sa.cast(sa.null(), sa.Double).label(n) for n in names)))
    cells = sa.union_all(*aligned).subquery("kpi_cells")
    counts_of = {f"kpi_m{label[n]}" for g in plan.distinct for n in g.metrics}
    # each value comes from one part, except distinct counts: values in one cell plus values in several
    values = [(sa.func.coalesce(sa.func.sum(cells.c[n]), 0.0) if n in counts_of else sa.func.sum(cells.c[n]))
              .label(n) for n in names]
    keys = [cells.c[PERIOD], cells.c[LEVEL], *(cells.c[d] for d in dim)]
    return sa.select(*keys, *values).group_by(*keys)


def _distinct_parts(raw: Any, dim: Sequence[str], group: DistinctGroup, label: Mapping[str, int],
                    dialect: str) -> list[sa.Select[Any]]:
    """The distinct metrics counting one expression, in two parts whose counts add up.

    The raw rows are de-duplicated to one row per finest cell and value, with
    the flags of its wheres (and, for ``count_new``/``count_returning``, whether
    the value's first period is this one or an earlier one). A value found in
    only one finest cell of its period is in exactly one cell of every level:
    those rows are counted per finest cell and the counts added up level by
    level, like a sum. Only values spread over several finest cells of one
    period (a customer buying through two channels in one month) are
    de-duplicated again per level before they are counted. On order lines,
    almost every order and most customers are in one cell: the expensive step
    handles few rows.
    """
    import sqlalchemy as sa

    n = group.index
    finest = [raw.c[PERIOD], *(raw.c[d] for d in dim)]
    counted = raw.c[f"kpi_e{n}"]
    flags = [raw.c[f"kpi_w{w}"] for w in group.wheres]
    kept = sa.or_(*(f.is_not(None) for f in flags)) if len(flags) > 1 else flags[0].is_not(None)
    dedup = (sa.select(*finest, counted.label(VALUE), *(sa.func.max(f).label(f.name) for f in flags))
             .where(counted.is_not(None), kept).group_by(raw.c[PERIOD], counted, *finest[1:])
             .cte(f"kpi_dedup{n}"))
    source: Any = dedup
    marked_cols: list[sa.ColumnElement[Any]] = [*(dedup.c[f"kpi_w{w}"] for w in group.wheres)]
    for w in group.first_period_wheres():  # each value's first period under this where
        first = (sa.select(dedup.c[VALUE], sa.func.min(dedup.c[PERIOD]).label("kpi_first"))
                 .where(dedup.c[f"kpi_w{w}"].is_not(None)).group_by(dedup.c[VALUE]).subquery(f"kpi_first{n}_{w}"))
        source = source.outerjoin(first, first.c[VALUE] == dedup.c[VALUE])
        flag = dedup.c[f"kpi_w{w}"]
        marked_cols += [sa.case((first.c["kpi_first"] == dedup.c[PERIOD], flag), else_=sa.null()).label(f"kpi_new{w}"),
                        sa.case((first.c["kpi_first"] < dedup.c[PERIOD], flag), else_=sa.null()).label(f"kpi_old{w}")]
    flag_names = [c.name for c in marked_cols]
    # the values in several finest cells of a period: few, so joining them back is cheap (no window, no sort)
    several_of = (sa.select(dedup.c[PERIOD], dedup.c[VALUE]).group_by(dedup.c[PERIOD], dedup.c[VALUE])
                  .having(sa.func.count() > 1).subquery(f"kpi_spread{n}"))
    source = source.outerjoin(several_of, sa.and_(several_of.c[PERIOD] == dedup.c[PERIOD],
                                                   several_of.c[VALUE] == dedup.c[VALUE]))
    cells = sa.case((several_of.c[VALUE].is_(None), 1), else_=2)  # one finest cell, or several
    marked = sa.select(dedup.c[PERIOD], *(dedup.c[d] for d in dim), dedup.c[VALUE], cells.label("kpi_cells"),
                       *marked_cols).select_from(source).cte(f"kpi_marked{n}")
    flag_of = {"count_distinct": "kpi_w", "count_new": "kpi_new", "count_returning": "kpi_old"}
    flag_for = {f"kpi_m{label[name]}": f"{flag_of[func]}{w}" for name, (func, w) in group.metrics.items()}

    # values in one finest cell: counted there, the counts summed per level
    single = (sa.select(marked.c[PERIOD], *(marked.c[d] for d in dim),
                        *(sa.func.count(marked.c[f]).label(f) for f in flag_names))
              .where(marked.c["kpi_cells"] == 1).group_by(marked.c[PERIOD], *(marked.c[d] for d in dim))
              .subquery(f"kpi_single{n}"))
    summed = _by_level(single, dim, [], [sa.func.sum(single.c[f]).label(m) for m, f in flag_for.items()], dialect)

    # values in several: de-duplicated per level, then counted
    several = marked.select().where(marked.c["kpi_cells"] > 1).subquery(f"kpi_several{n}")
    levels = _by_level(several, dim, [VALUE], [sa.func.max(several.c[f]).label(f) for f in flag_names],
                       dialect).subquery(f"kpi_levels{n}")
    keys = [levels.c[PERIOD], levels.c[LEVEL], *(levels.c[d] for d in dim)]
    counted_levels = sa.select(*keys, *(sa.func.count(levels.c[f]).label(m) for m, f in flag_for.items()))
    return [summed, counted_levels.group_by(*keys)]


def _by_level(source: Any, dim: Sequence[str], extra: Sequence[str], aggregates: Sequence[sa.ColumnElement[Any]],
              dialect: str) -> Any:
    """``source`` grouped by period, ``extra`` and each subset of the dimensions, with the level mask."""
    import sqlalchemy as sa

    c = source.c
    levels = [list(k) for n in range(len(dim) + 1) for k in combinations(dim, n)]
    extras = [c[e] for e in extra]
    if len(levels) > 1 and dialect in GROUPING_SETS_DIALECTS:
        bits = [sa.func.grouping(c[d]) * (2 ** i) for i, d in enumerate(dim)]
        sets = sa.func.grouping_sets(*(sa.tuple_(c[PERIOD], *(c[d] for d in keys), *extras) for keys in levels))
        return sa.select(c[PERIOD], sa.cast(sum(bits[1:], bits[0]), sa.Integer).label(LEVEL),
                         *(c[d] for d in dim), *extras, *aggregates).group_by(sets)
    parts = []
    for keys in levels:  # one query per level: SQLite has no GROUPING SETS
        mask = sum(2 ** i for i, d in enumerate(dim) if d not in keys)
        parts.append(sa.select(c[PERIOD], sa.literal(mask, sa.Integer).label(LEVEL),
                               *(c[d] if d in keys else sa.null().label(d) for d in dim), *extras, *aggregates)
                     .group_by(c[PERIOD], *(c[d] for d in keys), *extras))
    return sa.union_all(*parts) if len(parts) > 1 else parts[0]

