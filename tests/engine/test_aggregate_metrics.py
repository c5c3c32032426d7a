"""Aggregate metrics on the in-memory engine (language §4.1).

Each level and each grain is computed from the raw rows of its cells: the
shared matrix (kpirules.testing.aggregate_matrix) holds every value to a plain
Python reference; the tests below pin the cases the language reference spells
out.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from tests.engine.helpers import evaluate, row, values

import kpirules
from kpirules.errors import DataError
from kpirules.testing import aggregate_matrix as matrix


def matrix_doc(grain: str, by: list[str], **options: object) -> dict:
    ruleset = kpirules.loads(matrix.RULES.format(grain=grain), "matrix.kpi")
    return ruleset.evaluate(matrix.rows(), by=by, history=True, **options).to_dict()


@pytest.mark.slow
@pytest.mark.parametrize("grain", ["month", "quarter"])
@pytest.mark.parametrize("by", [[], ["channel"], ["country"], ["channel", "country"]])
def test_every_value_of_the_matrix_is_computed_from_the_rows_of_its_cell(grain: str, by: list[str]) -> None:
    doc = matrix_doc(grain, by)
    assert matrix.compare(doc, grain, by) == len(matrix.expected(grain, by)) * 16


def test_the_overall_distinct_count_is_not_the_sum_of_the_segments() -> None:
    doc = matrix_doc("month", ["channel"])
    # c1 bought on the web in January and in the shop in February and March
    assert row(doc, "2026-03")["values"]["buyers"] == 2
    assert row(doc, "2026-03", channel="shop")["values"]["buyers"] == 1
    assert row(doc, "2026-03", channel="web")["values"]["buyers"] == 1
    # a quarter counts its customers once, not once per month
    quarter = matrix_doc("quarter", [])
    assert row(quarter, "2026-Q1")["values"]["buyers"] == 4  # c1, c2, c3, c4 (c9's line is a test)
    assert [row(doc, p)["values"]["buyers"] for p in ("2026-01", "2026-02", "2026-03")] == [2, 3, 2]


def test_empty_cells_count_zero_and_other_aggregates_are_null_or_missing() -> None:
    doc = matrix_doc("month", ["channel"])
    april = row(doc, "2026-04")["values"]
    assert april["orders"] == 0 and april["lines"] == 0 and april["new_buyers"] == 0
    assert april["revenue"] is None and april["avg_price"] is None and april["first_price"] is None
    assert april["refunds"] == 0  # missing 0
    assert april["aov"] is None  # revenue null / orders 0


def test_new_and_returning_buyers_look_at_periods_before_those_reported() -> None:
    doc = matrix_doc("month", ["channel"], period="2026-03")
    march_shop = row(doc, "2026-03", channel="shop")["values"]
    # c1 first bought on the web in January: returning in the shop in March, whatever the segment
    assert march_shop["new_buyers"] == 0 and march_shop["returning"] == 1
    # the where condition: c3's only line before May is a refund, so May is c3's first paid period
    may = row(matrix_doc("month", []), "2026-05")["values"]
    assert may["new_buyers"] == 2 and may["returning"] == 0


def test_first_and_last_follow_the_dates_whatever_the_file_order() -> None:
    original = matrix.rows()
    shuffled = original[6:] + original[:6]  # later dates first; A1's two lines (same date) keep their order
    ruleset = kpirules.loads(matrix.RULES.format(grain="quarter"), "m.kpi")
    q1 = row(ruleset.evaluate(shuffled, by=[], period="2026-Q1").to_dict(), "2026-Q1")["values"]
    assert q1["first_price"] == 10 and q1["last_price"] == 2.5
    swapped = [original[1], original[0], *original[2:]]  # a tie on the date: file order decides
    q1 = row(ruleset.evaluate(swapped, by=[], period="2026-Q1").to_dict(), "2026-Q1")["values"]
    assert q1["first_price"] == 5


def test_median_of_an_even_count_is_the_mean_of_the_middle_values() -> None:
    doc = evaluate("metric m = median(x)", [{"period": "2026-01", "x": v} for v in (1, 2, 10, 40)])
    assert row(doc)["values"]["m"] == 6


def test_columns_read_by_aggregates_are_neither_dimensions_nor_ignored() -> None:
    doc = matrix_doc("month", None)  # type: ignore[arg-type]
    assert doc["dimensions"] == ["channel", "country"]  # not order_id, customer, status
    assert not [w for w in doc.get("warnings", []) if "ignored" in w]


def test_raw_rows_join_pre_aggregated_spend_per_channel_and_month() -> None:
    orders = pl.DataFrame({"date": ["2026-01-03", "2026-01-09", "2026-01-12", "2026-02-01"],
                           "channel": ["web", "web", "shop", "web"],
                           "order_id": ["A1", "A2", "A3", "A4"], "customer": ["c1", "c2", "c1", "c1"],
                           "amount": [10.0, 20.0, 30.0, 40.0]})
    spend = pl.DataFrame({"month": ["2026-01", "2026-01", "2026-02", "2026-02"],
                          "channel": ["web", "shop", "web", "shop"], "spend": [100.0, 50.0, 80.0, 20.0]})
    rules = """ruleset t
dimension channel
metric spend unit EUR
metric orders = count_distinct(order_id)
metric buyers = count_distinct(customer)
metric revenue = sum(amount)
kpi cac = spend / buyers
kpi roas = revenue / spend
"""
    doc = _joined(rules, orders, spend)
    january = row(doc, "2026-01")["values"]
    assert january == {**january, "spend": 150, "orders": 3, "buyers": 2, "revenue": 60, "cac": 75}
    assert row(doc, "2026-01", channel="web")["values"]["cac"] == 50
    february_shop = row(doc, "2026-02", channel="shop")["values"]
    assert february_shop["spend"] == 20 and february_shop["orders"] == 0 and february_shop["revenue"] is None


def _joined(rules: str, orders: pl.DataFrame, spend: pl.DataFrame) -> dict:
    from kpirules.data.table import RawTable

    tables = [RawTable(orders, "orders.csv"), RawTable(spend, "spend.csv")]
    return kpirules.loads(rules, "t.kpi").evaluate(tables, history=True).to_dict()


def test_a_missing_column_is_a_data_error_at_the_metric_with_the_nearest_column() -> None:
    ruleset = kpirules.loads("ruleset t\nmetric buyers = count_distinct(custmer)\n", "shop.kpi")
    with pytest.raises(DataError) as err:
        ruleset.evaluate([{"date": "2026-01-01", "customer": "c1"}])
    assert err.value.where == "shop.kpi:2:1"
    assert 'reads column "custmer"' in err.value.message and '"customer"' in err.value.message


def test_a_bad_number_in_a_column_read_as_a_number_is_located(tmp_path: Path) -> None:
    data = tmp_path / "orders.csv"
    data.write_text("date,order_id,quantity\n2026-01-01,A1,2\n2026-01-02,A2,two\n", encoding="utf-8")
    ruleset = kpirules.loads("ruleset t\nmetric units = sum(quantity)\nmetric orders = count_distinct(order_id)\n",
                             "t.kpi")
    with pytest.raises(DataError) as err:
        ruleset.evaluate(str(data))
    assert err.value.where == f"{data}:3:3" and '"two"' in err.value.message
    doc = ruleset.evaluate(str(data), on_bad_value="null").to_dict()
    assert row(doc)["values"] == {"units": 2, "orders": 2}


def test_decimal_comma_csv_and_a_parameter_in_the_where_condition(tmp_path: Path) -> None:
    data = tmp_path / "lignes.csv"
    data.write_text("date;commande;montant\n11/03/2026;A1;12,5\n12/03/2026;A2;1 000,5\n13/03/2026;A3;3,0\n",
                    encoding="utf-8")
    rules = "ruleset t\nparam seuil = 10\nmetric gros = count() where montant > seuil\nmetric ca = sum(montant)\n"
    doc = kpirules.loads(rules, "t.kpi").evaluate(str(data), params={"seuil": 5}).to_dict()
    assert row(doc)["values"] == {"gros": 2, "ca": 1016}


def test_explain_shows_the_aggregate_its_value_and_its_rows() -> None:
    ruleset = kpirules.loads(matrix.RULES.format(grain="month"), "m.kpi")
    result = ruleset.evaluate(matrix.rows(), period="2026-01")
    text = result.explain("aov", period="2026-01", segment={})
    assert "orders = count_distinct(order_id) = 3 from 4 rows" in text
    assert "revenue = sum(quantity * unit_price) where quantity > 0 and status == paid = 45 EUR from 3 rows" in text


def test_a_metric_sharing_its_column_name_reads_the_column() -> None:
    doc = evaluate("dimension channel\nmetric quantity = sum(quantity) where quantity > 0",
                   [{"period": "2026-01", "channel": "a", "quantity": 2},
                    {"period": "2026-01", "channel": "a", "quantity": -1},
                    {"period": "2026-01", "channel": "b", "quantity": 5}])
    assert values(doc, "quantity") == [7]
    assert values(doc, "quantity", channel="a") == [2]


def test_one_table_with_a_column_metric_and_aggregates() -> None:
    doc = evaluate("dimension channel\nmetric shipping unit EUR\nmetric orders = count_distinct(order_id)\n"
                   "kpi ship_per_order = shipping / orders",
                   [{"date": "2026-01-01", "channel": "a", "order_id": "A1", "shipping": 5},
                    {"date": "2026-01-02", "channel": "a", "order_id": "A1", "shipping": 0},
                    {"date": "2026-01-03", "channel": "b", "order_id": "B1", "shipping": 7},
                    {"date": "2026-02-03", "channel": "b", "order_id": "B2", "shipping": 3}], history=True)
    assert row(doc, "2026-01")["values"] == {"shipping": 12, "orders": 2, "ship_per_order": 6}
    assert row(doc, "2026-02", channel="a")["values"] == {"shipping": None, "orders": 0, "ship_per_order": None}
