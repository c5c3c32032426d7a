"""``kpirules lsp`` end to end: an editor's conversation over JSON-RPC with the real server."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.lsp.conftest import LspClient

from support.cli import run_process

RULES = """\
ruleset funnel "Entonnoir 🚀"
  grain month

param min_visits = 100
dimension channel "Canal"

metric visits       unit count  label "Visites"
metric leads        unit count
metric `Dépenses €` unit EUR    label "Dépenses 💶"
metric customers    unit count

kpi conversion_rate = leads / visits  unit percent  better higher  label "Taux de conversion"
kpi cac = `Dépenses €` / customers  unit EUR  better lower

threshold cac where visits >= min_visits
  critical > 15000
  warning  > 10000

decision verdict "Garder ou arrêter"
  "keep" when cac is ok
  "stop" otherwise

rule stop_channel "Canal à arrêter"
  when verdict == "stop"
  then log(text="Arrêter {channel} : CAC {cac}")
"""


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines()) if needle in line)


@pytest.mark.slow
def test_diagnostics_follow_the_typing_with_checks_codes_and_hints(lsp: LspClient, tmp_path: Path) -> None:
    uri = (tmp_path / "funnel.kpi").as_uri()
    assert lsp.open(uri, RULES) == []
    line = _line(RULES, "kpi cac")
    start = RULES.splitlines()[line].index("customers")
    # the user deletes the "s" of "customers": an unknown name, as `check` reports it
    diagnostics = lsp.change(uri, 2, [{"range": {"start": {"line": line, "character": start + 8},
                                                 "end": {"line": line, "character": start + 9}},
                                       "text": ""}])
    assert len(diagnostics) == 1
    diag = diagnostics[0]
    assert diag["code"] == "unknown-name"
    assert diag["severity"] == 1
    assert diag["source"] == "kpirules"
    assert diag["message"] == 'unknown name "customer"\nhint: did you mean "customers"?'
    assert diag["range"] == {"start": {"line": line, "character": start},
                             "end": {"line": line, "character": start + 8}}
    # and types it back
    assert lsp.change(uri, 3, [{"text": RULES}]) == []


@pytest.mark.slow
def test_diagnostics_are_those_of_check(lsp: LspClient, tmp_path: Path) -> None:
    text = RULES.replace("leads / visits", "leads / visit").replace("log(", "notify(")
    path = tmp_path / "funnel.kpi"
    path.write_text(text, encoding="utf-8")
    check = run_process("check", "--format", "json", path, cwd=tmp_path, env={"PATH": ""},
                        inherit_env=False, autoload=False)
    import json

    expected = json.loads(check.stdout)
    got = lsp.open(path.as_uri(), text)
    assert [d["code"] for d in got] == [d["code"] for d in expected] == ["unknown-name", "unknown-action"]
    for lsp_diag, check_diag in zip(got, expected, strict=True):
        assert lsp_diag["message"].split("\nhint: ")[0] == check_diag["message"]
        assert lsp_diag["range"]["start"]["line"] == check_diag["line"] - 1
        assert lsp_diag["data"] == {"hint": check_diag["hint"]}
    assert got[1]["severity"] == 2  # a warning


def test_actions_of_the_nearby_configuration_are_known(lsp: LspClient, tmp_path: Path) -> None:
    (tmp_path / "kpirules.toml").write_text(
        'rulesets = ["rulesets/funnel.kpi"]\n[actions.notify]\ntype = "log"\n', encoding="utf-8")
    folder = tmp_path / "rulesets"
    folder.mkdir()
    text = RULES.replace("log(", "notify(")
    assert lsp.open((folder / "funnel.kpi").as_uri(), text) == []
    # the same text elsewhere, with no configuration above it, warns
    elsewhere = lsp.open("untitled:Untitled-1", text)
    assert [d["code"] for d in elsewhere] == ["unknown-action"]


def test_hover_shows_a_kpi_its_formula_unit_direction_and_thresholds(lsp: LspClient, tmp_path: Path) -> None:
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, RULES)
    line = _line(RULES, "threshold cac")
    hover = lsp.at("textDocument/hover", uri, line, len("threshold ca"))
    value = hover["contents"]["value"]
    assert value.startswith("**kpi** `cac`")
    assert "kpi cac = `Dépenses €` / customers  unit EUR  better lower" in value
    assert "- formula: `` `Dépenses €` / customers ``" in value
    assert "- better: lower" in value
    assert "- critical > 15000 (where visits >= min_visits)" in value
    assert "- warning > 10000 (where visits >= min_visits)" in value
    assert hover["range"] == {"start": {"line": line, "character": 10}, "end": {"line": line, "character": 13}}


def test_hover_on_a_metric_and_a_function(lsp: LspClient, tmp_path: Path) -> None:
    text = RULES + "kpi growth_rate = growth(leads, 2)\n"
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, text)
    line = _line(text, "kpi growth_rate")
    metric = lsp.at("textDocument/hover", uri, line, text.splitlines()[line].index("leads") + 1)
    assert "**metric** `leads`" in metric["contents"]["value"]
    assert "- column: `leads` in the data" in metric["contents"]["value"]
    assert "- agg: sum" in metric["contents"]["value"]
    function = lsp.at("textDocument/hover", uri, line, text.splitlines()[line].index("growth(") + 2)
    assert "growth(x, [n])" in function["contents"]["value"]
    assert "x / previous(x, n) - 1" in function["contents"]["value"]
    assert lsp.at("textDocument/hover", uri, 0, 0) is None  # over a keyword: nothing to say


def test_completion_follows_the_grammar(lsp: LspClient, tmp_path: Path) -> None:
    text = RULES + "kpi share_of_leads = \n"
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, text)
    line = len(text.splitlines()) - 1
    items = lsp.at("textDocument/completion", uri, line, len("kpi share_of_leads = "))["items"]
    labels = {i["label"]: i for i in items}
    assert {"visits", "Dépenses €", "cac", "verdict", "min_visits", "channel"} <= set(labels)
    assert labels["Dépenses €"]["insertText"] == "`Dépenses €`"
    assert labels["share"]["detail"] == "share(x)"
    assert labels["round"]["detail"] == "round(x, [digits])"
    assert "unit" not in labels and "stop_channel" not in labels  # no keyword before a formula
    # after a complete formula: options and operators' keywords, and statement keywords
    text2 = text.replace("kpi share_of_leads = ", "kpi share_of_leads = share(leads) ")
    lsp.change(uri, 2, [{"text": text2}])
    items = lsp.at("textDocument/completion", uri, line, len("kpi share_of_leads = share(leads) "))["items"]
    labels = {i["label"] for i in items}
    assert {"unit", "better", "label", "rule", "threshold"} <= labels
    assert "visits" not in labels and "missing" not in labels  # a metric option, not a KPI's
    # after "unit": units
    text3 = text2.replace("share(leads) ", "share(leads) unit ")
    lsp.change(uri, 3, [{"text": text3}])
    items = lsp.at("textDocument/completion", uri, line, len("kpi share_of_leads = share(leads) unit "))["items"]
    assert {"percent", "EUR", "count"} <= {i["label"] for i in items}


def test_completion_of_periods_after_from(lsp: LspClient, tmp_path: Path) -> None:
    text = RULES + "objective grow \"x\"\n  leads increase 10% from "
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, text)
    lines = text.split("\n")
    items = lsp.at("textDocument/completion", uri, len(lines) - 1, len(lines[-1]))["items"]
    kinds = {i["kind"] for i in items}
    assert kinds == {21}  # Constant: period literals only
    labels = [i["label"] for i in items]
    assert len(labels) == 3 and labels[1].startswith("20") and "-Q" in labels[1]


def test_definition_references_and_rename(lsp: LspClient, tmp_path: Path) -> None:
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, RULES)
    lines = RULES.splitlines()
    use = _line(RULES, '"keep" when cac')
    character = lines[use].index("cac") + 1
    definition = lsp.at("textDocument/definition", uri, use, character)
    assert definition == [{"uri": uri, "range": {"start": {"line": _line(RULES, "kpi cac"), "character": 4},
                                                 "end": {"line": _line(RULES, "kpi cac"), "character": 7}}}]
    refs = lsp.at("textDocument/references", uri, use, character, context={"includeDeclaration": True})
    assert [r["range"]["start"]["line"] for r in refs] == [
        _line(RULES, "kpi cac"), _line(RULES, "threshold cac"), use, _line(RULES, "then log")]
    edit = lsp.at("textDocument/rename", uri, use, character, newName="coût acquisition")
    edits = edit["changes"][uri]
    # in the rules a quoted name, in the action's text the placeholder as the engine reads it
    assert [e["newText"] for e in edits] == ["`coût acquisition`"] * 3 + ["coût acquisition"]
    response = lsp.request("textDocument/rename", {"textDocument": {"uri": uri},
                                                   "position": {"line": use, "character": character},
                                                   "newName": "acquisition_cost"})
    assert [e["newText"] for e in response["result"]["changes"][uri]] == ["acquisition_cost"] * 4
    assert response["result"]["changes"][uri][3]["range"]["start"]["line"] == _line(RULES, "then log")
    refused = lsp.request("textDocument/rename", {"textDocument": {"uri": uri},
                                                  "position": {"line": use, "character": character},
                                                  "newName": "visits"})
    assert refused["error"]["message"] == '"visits" is already defined in this file'
    refused = lsp.request("textDocument/rename", {"textDocument": {"uri": uri},
                                                  "position": {"line": use, "character": character},
                                                  "newName": "a{b}"})
    assert "cannot be written in an action text" in refused["error"]["message"]
    refused = lsp.request("textDocument/prepareRename", {"textDocument": {"uri": uri},
                                                         "position": {"line": _line(RULES, "rule stop"),
                                                                      "character": 7}})
    assert refused["error"]["message"] == "a rule is never referred to: edit its name in place"


def test_rename_of_an_accented_name_counts_utf16_columns(lsp: LspClient, tmp_path: Path) -> None:
    text = 'ruleset r "🚀🚀"\nmetric `é🚀x`\nkpi k = `é🚀x` / 2  label "🚀"\n'
    uri = (tmp_path / "r.kpi").as_uri()
    assert lsp.open(uri, text) == []
    # `é🚀x` on line 2 starts at character 8: "kpi k = " — and is 6 UTF-16 units long
    prepared = lsp.at("textDocument/prepareRename", uri, 2, 10)
    assert prepared["range"] == {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 14}}
    assert prepared["placeholder"] == "é🚀x"
    edit = lsp.at("textDocument/rename", uri, 2, 13, newName="spend")
    assert [(e["range"], e["newText"]) for e in edit["changes"][uri]] == [
        ({"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 13}}, "spend"),
        ({"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 14}}, "spend"),
    ]
    # the hover after the emoji of the label still finds nothing wrong, and positions after it hold
    hover = lsp.at("textDocument/hover", uri, 2, 9)
    assert hover["range"] == {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 14}}


def test_document_symbols_outline_the_file(lsp: LspClient, tmp_path: Path) -> None:
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, RULES)
    symbols = lsp.result("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert [(s["name"], s["detail"]) for s in symbols] == [
        ("funnel", "ruleset"), ("min_visits", "param"), ("channel", "dimension"), ("visits", "metric"),
        ("leads", "metric"), ("Dépenses €", "metric"), ("customers", "metric"),
        ("conversion_rate", "kpi"), ("cac", "kpi"), ("threshold cac", "threshold"),
        ("verdict", "decision"), ("stop_channel", "rule")]
    threshold = symbols[9]
    assert threshold["range"]["start"]["line"] == _line(RULES, "threshold cac")
    assert threshold["range"]["end"]["line"] == _line(RULES, "warning  > 10000")


def test_formatting_is_fmt(lsp: LspClient, tmp_path: Path) -> None:
    from kpirules.lang.formatter import format_text

    messy = "ruleset r\nmetric a   unit count\nkpi  k=a/2 # half\n"
    uri = (tmp_path / "r.kpi").as_uri()
    lsp.open(uri, messy)
    edits = lsp.result("textDocument/formatting", {"textDocument": {"uri": uri},
                                                   "options": {"tabSize": 2, "insertSpaces": True}})
    assert edits == [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}},
                      "newText": format_text(messy)}]
    lsp.change(uri, 2, [{"text": format_text(messy)}])
    assert lsp.result("textDocument/formatting", {"textDocument": {"uri": uri},
                                                  "options": {"tabSize": 2, "insertSpaces": True}}) == []
    lsp.change(uri, 3, [{"text": "kpi k = (\n"}])
    assert lsp.result("textDocument/formatting", {"textDocument": {"uri": uri},
                                                  "options": {"tabSize": 2, "insertSpaces": True}}) is None


def test_code_action_applies_the_did_you_mean_hint(lsp: LspClient, tmp_path: Path) -> None:
    text = RULES.replace("leads / visits", "leads / visit").replace("grain month", "grian month")
    uri = (tmp_path / "funnel.kpi").as_uri()
    diagnostics = lsp.open(uri, text)
    assert {d["code"] for d in diagnostics} == {"unknown-name", "syntax"}
    line = _line(text, "leads / visit")
    actions = lsp.result("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
        "context": {"diagnostics": diagnostics}})
    assert len(actions) == 1
    action = actions[0]
    assert action["title"] == "Replace with visits"
    assert action["kind"] == "quickfix"
    column = text.splitlines()[line].index("visit")
    assert action["edit"]["changes"][uri] == [{
        "range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column + 5}},
        "newText": "visits"}]
    # the keyword of a syntax error is fixed too
    keyword_line = _line(text, "grian")
    actions = lsp.result("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": keyword_line, "character": 0}, "end": {"line": keyword_line, "character": 3}},
        "context": {"diagnostics": diagnostics}})
    assert [a["edit"]["changes"][uri][0]["newText"] for a in actions] == ["grain"]


@pytest.mark.slow
def test_shutdown_and_exit(fresh_lsp: LspClient) -> None:
    assert fresh_lsp.shutdown() == 0


def test_a_configuration_written_later_is_taken_into_account(lsp: LspClient, tmp_path: Path) -> None:
    text = RULES.replace("log(", "notify(")
    uri = (tmp_path / "funnel.kpi").as_uri()
    assert [d["code"] for d in lsp.open(uri, text)] == ["unknown-action"]
    config = tmp_path / "kpirules.toml"
    config.write_text('[actions.notify]\ntype = "log"\n', encoding="utf-8")
    lsp.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config.as_uri(), "type": 1}]})
    assert lsp.diagnostics(uri) == []


def test_signature_help_while_typing_arguments(lsp: LspClient, tmp_path: Path) -> None:
    text = RULES + "kpi smoothed = rolling_avg(leads, "
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, text)
    lines = text.split("\n")
    help_ = lsp.at("textDocument/signatureHelp", uri, len(lines) - 1, len(lines[-1]))
    assert help_["signatures"][0]["label"] == "rolling_avg(x, n)"
    assert [p["label"] for p in help_["signatures"][0]["parameters"]] == ["x", "n"]
    assert help_["activeParameter"] == 1
    assert help_["signatures"][0]["documentation"] == "mean over the last n periods"


def test_initialize_advertises_every_feature(lsp: LspClient) -> None:
    capabilities = lsp.capabilities
    assert capabilities["positionEncoding"] == "utf-16"
    assert capabilities["textDocumentSync"]["change"] == 2  # incremental
    for provider in ("hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider",
                     "documentFormattingProvider", "documentHighlightProvider", "foldingRangeProvider"):
        assert capabilities[provider] is True, provider
    assert capabilities["renameProvider"] == {"prepareProvider": True}
    assert capabilities["codeActionProvider"]["codeActionKinds"] == ["quickfix"]
    assert set(capabilities["completionProvider"]["triggerCharacters"]) == {" ", "{", "("}
    assert capabilities["signatureHelpProvider"]["triggerCharacters"] == ["(", ","]


@pytest.mark.slow
def test_a_client_that_counts_in_utf8_gets_utf8_columns(tmp_path: Path) -> None:
    import os

    client = LspClient(tmp_path, {**os.environ, "KPIRULES_DISABLE_PLUGIN_AUTOLOAD": "1"})
    try:
        result = client.initialize(tmp_path, {"general": {"positionEncodings": ["utf-8", "utf-16"]}})
        assert result["capabilities"]["positionEncoding"] == "utf-8"
        text = 'metric `é🚀` unit count\nkpi k = `é🚀` / 2\n'
        uri = (tmp_path / "r.kpi").as_uri()
        client.open(uri, "ruleset r\n" + text)
        # line 2 is "kpi k = `é🚀` / 2": the name starts at byte 8 and is 1 + 2 + 4 + 1 = 8 bytes long
        refs = client.at("textDocument/references", uri, 2, 9, context={"includeDeclaration": True})
        assert [r["range"] for r in refs] == [
            {"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 15}},
            {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 16}},
        ]
        assert client.shutdown() == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()


def test_document_highlight_and_folding(lsp: LspClient, tmp_path: Path) -> None:
    uri = (tmp_path / "funnel.kpi").as_uri()
    lsp.open(uri, RULES)
    use = _line(RULES, '"keep" when cac')
    highlights = lsp.at("textDocument/documentHighlight", uri, use, RULES.splitlines()[use].index("cac"))
    assert [(h["range"]["start"]["line"], h["kind"]) for h in highlights] == [
        (_line(RULES, "kpi cac"), 3), (_line(RULES, "threshold cac"), 2), (use, 2), (_line(RULES, "then log"), 2)]
    folds = lsp.result("textDocument/foldingRange", {"textDocument": {"uri": uri}})
    assert [(f["startLine"], f["endLine"]) for f in folds] == [
        (0, 1), (_line(RULES, "threshold cac"), _line(RULES, "warning  >")),
        (_line(RULES, "decision verdict"), _line(RULES, '"stop" otherwise')),
        (_line(RULES, "rule stop_channel"), _line(RULES, "then log"))]
