"""Answers to an analyst's questions: why a KPI changed, what if, which targets."""
