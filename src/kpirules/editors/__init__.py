"""Rule files in editors: the vocabulary of the language, read from its grammar.

The language server (:mod:`kpirules.lsp`), the Pygments lexer and the VS Code
TextMate grammar all need the language's keywords. They read them from the
Lark grammar itself (:mod:`kpirules.editors.vocabulary`), so that a keyword
added to the grammar is highlighted and completed everywhere without a list to
keep in step.
"""
