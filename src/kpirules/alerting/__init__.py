"""The alert lifecycle of ``kpirules run``: renotifications, resolutions, digests, silences.

The engine says what happens at the as-of period (``fire``, ``renotify`` or
``resolve`` entries in the document's ``actions``); these modules turn that
into outbox rows of the state store, group digest deliveries, and keep
silences, with the same guarantee as first firings: at least once, never
twice after a success.
"""
