"""Write files so that a crash leaves either the whole document or nothing.

The document is written to a hidden temporary file in the target folder, flushed to disk,
then renamed over the target: ``os.replace`` is atomic on one filesystem, so a reader never
sees half a file and a crash mid-write leaves only a temporary file, removed on error (and
by the purge command otherwise).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

TEMP_SUFFIX = ".part"


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)``, then move the finished file to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}{TEMP_SUFFIX}")
    try:
        write(temporary)
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
