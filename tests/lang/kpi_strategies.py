"""Hypothesis strategies that write random, syntactically valid rule files.

A file is built as a list of tokens (every statement of the grammar, random
expressions, names that need backticks, strings that need escapes), then
joined with random separators: nothing where it is safe, spaces, tabs, line
breaks, indentation and comments. Layout is free in the language, so any such
file must parse, and its formatting must be stable and keep its meaning.

Expressions are written fully parenthesised (with some redundant parentheses
for good measure) so that the generator never has to know precedence: the
formatter's job is to take them away again.
"""

from __future__ import annotations

from hypothesis import strategies as st

PLAIN_NAMES = ["visits", "leads", "spend", "revenue", "cr", "cac", "roi", "x", "_y2", "Orders"]
QUOTED_NAMES = ["unit", "label", "Taux de rebond", "a#b", 'say "hi"', "é", " padded ", "when"]
FUNCTIONS = ["previous", "growth", "rolling_sum", "share", "round", "min", "coalesce", "if", "my_func"]
NUMBERS = ["0", "42", "3.14", "1_000", "2.5e6", ".5", "1e-3", "007", "1_0.2_5"]
PERCENTS = ["30%", "0.5%", "100%", "12.5%", "1e2%"]
PERIODS = ["2026", "2026-Q3", "2026-03", "2026-W05", "2026-03-31", "1999-12"]
STATUSES = ["ok", "warning", "critical", "no_data", "skipped"]
COMPARE = ["<", "<=", ">", ">=", "==", "!="]
PUNCTUATION = set("()[],=+-*/^<>!")

Tokens = list[str]


def quote_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def names() -> st.SearchStrategy[str]:
    """A name as written: a plain identifier (sometimes in backticks) or a quoted one."""
    return st.one_of(
        st.sampled_from(PLAIN_NAMES),
        st.sampled_from(PLAIN_NAMES).map(lambda n: f"`{n}`"),
        st.sampled_from(QUOTED_NAMES).map(lambda n: f"`{n}`"),
    )


def strings() -> st.SearchStrategy[str]:
    text = st.text(alphabet=st.sampled_from(list('ab é"\\#\n\t{}`%')), max_size=8)
    return text.map(quote_string)


def numbers() -> st.SearchStrategy[str]:
    return st.sampled_from(NUMBERS + PERCENTS)


def _paren(tokens: Tokens) -> Tokens:
    return ["(", *tokens, ")"]


def expressions(max_leaves: int = 8) -> st.SearchStrategy[Tokens]:
    """Token lists of random expressions, fully parenthesised."""
    atoms = st.one_of(
        numbers().map(lambda t: [t]),
        numbers().map(lambda t: ["-", t]),
        strings().map(lambda t: [t]),
        st.sampled_from(["true", "false", "null"]).map(lambda t: [t]),
        names().map(lambda t: [t]),
    )

    def extend(inner: st.SearchStrategy[Tokens]) -> st.SearchStrategy[Tokens]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", "and", "or", *COMPARE]), inner)
        call = st.tuples(
            st.sampled_from(FUNCTIONS),
            st.lists(inner, max_size=3),
            st.lists(st.tuples(st.sampled_from(["n", "digits", "x"]), inner), max_size=2, unique_by=lambda kv: kv[0]),
        )
        return st.one_of(
            binary.map(lambda b: [*_paren(b[0]), b[1], *_paren(b[2])]),
            inner.map(lambda e: ["-", *_paren(e)]),
            inner.map(lambda e: ["not", *_paren(e)]),
            inner.map(lambda e: _paren(_paren(e))),
            st.tuples(inner, st.booleans(), st.lists(inner, max_size=3)).map(
                lambda t: [*_paren(t[0]), *(["not"] if t[1] else []), "in", "[",
                           *_join_commas(t[2]), "]"]),
            st.tuples(names(), st.booleans(), st.sampled_from(STATUSES)).map(
                lambda t: [t[0], "is", *(["not"] if t[1] else []), t[2]]),
            call.map(lambda c: [c[0], "(", *_join_commas(
                [*c[1], *[[k, "=", *v] for k, v in c[2]]]), ")"]),
        )

    return st.recursive(atoms, extend, max_leaves=max_leaves)


def _join_commas(items: list[Tokens]) -> Tokens:
    out: Tokens = []
    for i, item in enumerate(items):
        if i:
            out.append(",")
        out.extend(item)
    return out


def _optional(strategy: st.SearchStrategy[Tokens]) -> st.SearchStrategy[Tokens]:
    return st.one_of(st.just([]), strategy)


def _draw_options(draw: st.DrawFn, choices: dict[str, st.SearchStrategy[str]]) -> Tokens:
    """Each option at most once, in a random order."""
    out: Tokens = []
    for key in draw(st.permutations(sorted(choices))):
        if draw(st.booleans()):
            out += [key, draw(choices[key])]
    return out


# Built once: hypothesis strategies are cheap to draw from, not to build.
NAMES = names()
STRINGS = strings()
NUMBERS_ = numbers()
EXPR = expressions(8)
SMALL_EXPR = expressions(4)
TINY_EXPR = expressions(3)
OPT_STRING = _optional(STRINGS.map(lambda t: [t]))
METRIC_OPTIONS = {"unit": NAMES, "agg": st.sampled_from(["sum", "avg", "last", "`first`"]),
                  "missing": st.sampled_from(["0", "-1", "2.5", "10%"]), "label": STRINGS}
KPI_OPTIONS = {"unit": NAMES, "better": st.sampled_from(["higher", "lower"]), "label": STRINGS}
RULE_OPTIONS = {"for": st.sampled_from(["0", "1", "2", "12"]),
                "scope": st.sampled_from(["segments", "overall", "`both`"]),
                "severity": st.sampled_from(["info", "warning", "critical"])}
ACTION_VALUE = st.one_of(STRINGS, NUMBERS_, NUMBERS_.map(lambda t: "-" + t),
                         st.sampled_from(["true", "false", "null"]))
ACTION_ARGS = st.lists(st.tuples(st.sampled_from(["text", "url", "level"]), ACTION_VALUE),
                       max_size=2, unique_by=lambda kv: kv[0])


@st.composite
def statements(draw: st.DrawFn) -> Tokens:
    """One statement other than the header."""
    kind = draw(st.sampled_from(["param", "dimension", "metric", "kpi", "threshold",
                                 "decision", "objective", "rule"]))
    name = draw(NAMES)
    if kind == "param":
        value = draw(st.one_of(NUMBERS_.map(lambda t: [t]), NUMBERS_.map(lambda t: ["-", t]),
                               STRINGS.map(lambda t: [t])))
        return ["param", name, "=", *value]
    if kind == "dimension":
        return ["dimension", name, *draw(OPT_STRING)]
    if kind == "metric":
        return ["metric", name, *_draw_options(draw, METRIC_OPTIONS)]
    if kind == "kpi":
        return ["kpi", name, "=", *draw(EXPR), *_draw_options(draw, KPI_OPTIONS)]
    if kind == "threshold":
        tokens = ["threshold", name]
        if draw(st.booleans()):
            tokens += ["where", *draw(SMALL_EXPR)]
        for _ in range(draw(st.integers(0, 3))):
            tokens += [draw(st.sampled_from(["critical", "warning"])), draw(st.sampled_from(COMPARE)),
                       *draw(SMALL_EXPR)]
            if draw(st.booleans()):
                tokens += ["recover", draw(st.sampled_from(COMPARE)), *draw(SMALL_EXPR)]
        return tokens
    if kind == "decision":
        tokens = ["decision", name, *draw(OPT_STRING)]
        for _ in range(draw(st.integers(0, 3))):
            tokens += [draw(STRINGS), "when", *draw(SMALL_EXPR)]
        if draw(st.booleans()):
            tokens += [draw(STRINGS), "otherwise"]
        return tokens
    if kind == "objective":
        head = ["objective", name, *draw(OPT_STRING)]
        target = draw(NAMES)
        amount = draw(TINY_EXPR)
        periods = st.sampled_from(PERIODS)
        if draw(st.booleans()):
            direction = draw(st.sampled_from(["increase", "decrease"]))
            return [*head, target, direction, *amount, "from", draw(periods), "to", draw(periods)]
        start = ["from", draw(periods)] if draw(st.booleans()) else []
        return [*head, target, draw(st.sampled_from(COMPARE)), *amount, "by", draw(periods), *start]
    tokens = ["rule", name, *draw(OPT_STRING), "when", *draw(EXPR)]
    options = _draw_options(draw, RULE_OPTIONS)
    for i, tok in enumerate(options):
        tokens.append(tok)
        if i and options[i - 1] == "for":
            tokens.append("periods")
    actions = draw(st.lists(st.tuples(NAMES, ACTION_ARGS), max_size=2))
    if actions:
        tokens.append("then")
        for action, args in actions:
            tokens += [action, "(", *_join_commas([[k, "=", v] for k, v in args]), ")"]
    if draw(st.booleans()):
        tokens += ["renotify", "every", str(draw(st.integers(1, 24))), "periods"]
    resolve = draw(st.lists(st.tuples(NAMES, ACTION_ARGS), max_size=2))
    if resolve:
        tokens.append("resolve")
        for action, args in resolve:
            tokens += [action, "(", *_join_commas([[k, "=", v] for k, v in args]), ")"]
    return tokens


@st.composite
def rule_file_tokens(draw: st.DrawFn) -> Tokens:
    header = ["ruleset", draw(NAMES), *draw(OPT_STRING)]
    if draw(st.booleans()):
        header += ["grain", draw(st.sampled_from(["day", "week", "month", "quarter", "year"]))]
    body = draw(st.lists(statements(), max_size=6))
    return [*header, *[tok for stmt in body for tok in stmt]]


def comments() -> st.SearchStrategy[str]:
    return st.text(alphabet=st.sampled_from(list('ab #"`é\\ \t')), max_size=10).map(lambda t: "#" + t)


COMMENT = comments()
SPACES = [" ", "  ", "\t", "\n", "\n  ", "\n\n", "\n    \n", " \n"]


@st.composite
def rule_files(draw: st.DrawFn) -> str:
    """A random rule file, with random layout and comments.

    Separators are chosen by a seeded ``random.Random`` rather than one draw
    each: drawing hundreds of separators through hypothesis is slow, and the
    layout does not need shrinking to be understood.
    """
    tokens = draw(rule_file_tokens())
    rnd = draw(st.randoms(use_true_random=False))
    comment_texts = draw(st.lists(COMMENT, min_size=1, max_size=6))

    def separator(may_be_empty: bool) -> str:
        roll = rnd.random()
        if may_be_empty and roll < 0.3:
            return ""
        if roll < 0.9:
            return rnd.choice(SPACES)
        comment = rnd.choice(comment_texts)
        return rnd.choice([" " + comment + "\n", "\n" + comment + "\n  ", "\n\n" + comment + "\n"])

    out = [rnd.choice(["", "\n\n", comment_texts[0] + "\n", comment_texts[0] + "\n\n"])]
    for i, tok in enumerate(tokens):
        if i:
            prev = tokens[i - 1]
            safe = prev[-1] in PUNCTUATION or tok[0] in PUNCTUATION
            # "<" then "=" would lex as "<=": keep comparison signs and "=" apart from the rest
            if prev in COMPARE or tok in COMPARE or "=" in (prev, tok):
                safe = False
            out.append(separator(safe))
        out.append(tok)
    out.append(rnd.choice(["", "\n", " " + comment_texts[-1], "\n\n" + comment_texts[-1] + "\n"]))
    return "".join(out)
