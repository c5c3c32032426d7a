"""The job-side commands (``run``, ``init``, ``plugins``), one module each.

Each module exports a Click command called ``command``; :mod:`kpirules.cli`
imports a module only when its command is used, so that ``kpirules --version``
and ``kpirules check`` never load the job machinery.
"""
