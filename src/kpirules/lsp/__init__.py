"""The language server of kpirules rule files (``kpirules lsp``); see docs/editors.md.

The features live in small modules that know nothing of the protocol
(:mod:`~kpirules.lsp.analysis`, :mod:`~kpirules.lsp.completion`,
:mod:`~kpirules.lsp.hover`, :mod:`~kpirules.lsp.navigation`,
:mod:`~kpirules.lsp.quickfix`); :mod:`~kpirules.lsp.server` wires them to pygls.
"""
