"""The rule language: rule text → checked :class:`~kpirules.lang.model.Ruleset`."""
