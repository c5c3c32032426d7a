"""The built-in connectors, actions and formats, registered as plugins.

Each module listed in :data:`BUILTIN_PLUGINS` implements the hooks of
:mod:`kpirules.hookspecs` exactly as a third-party plugin would, so the core
never special-cases a built-in: replacing the CSV connector, or listing what
is installed, works the same for everyone. (Functions of the core language are
compiled by the engine itself and listed under the ``kpirules`` plugin.)
"""

BUILTIN_PLUGINS: tuple[str, ...] = (
    "kpirules.builtin.connectors",
    "kpirules.builtin.actions",
    "kpirules.builtin.formats",
)
