"""Hook specifications: the contract between vantage6 and its plugins, one module per process
type (:mod:`.server`, :mod:`.node`), so that a node never loads server hooks and the reverse.

Hooks are called with keyword arguments only. An implementation may accept fewer arguments
than its specification lists, so arguments can be added to a specification later without
breaking plugins. Every specification is documented in ``plugins/README.md`` (a test checks).
"""

import pluggy

from vantage6.plugins import PROJECT

hookspec = pluggy.HookspecMarker(PROJECT)
