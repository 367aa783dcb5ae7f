"""Import every module that declares tables, so that ``Base.metadata`` knows them all.

Alembic's ``env.py`` imports this module; a feature adding a table adds its import here.
"""

from __future__ import annotations

import drafts.store  # noqa: F401
import storage.feedback
import storage.tickets  # noqa: F401
