"""Private files at rest: the data directory 0700, every file in it 0600.

The SQLite database (and its ``-wal``/``-shm`` files) holds password hashes, sessions
and the site secret; the mail spool holds reset mails. SQLite and the mail code create
their files with the process umask, so the server and the CLI set a private umask once
at start-up (:func:`private_umask`) instead of chmod-ing file by file after the fact
(a file created 0644 and fixed a moment later is readable in between).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

#: Files 0600, directories 0700.
PRIVATE_UMASK = 0o077


def private_umask() -> int:
    """Set the process umask to :data:`PRIVATE_UMASK`; returns the previous one."""
    return os.umask(PRIVATE_UMASK)


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 when missing; an existing directory
    is left as it is (the operator may share it on purpose; ``config check`` warns)."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask of the caller
    return path


def loose_permissions(data_dir: Path, limit: int = 1000) -> list[str]:
    """Entries under ``data_dir`` that other local users can read or enter: one line
    each, with the command that fixes it. Missing directory: nothing to report."""
    found: list[str] = []
    if not data_dir.is_dir():
        return found
    entries = [data_dir]
    for root, dirs, files in os.walk(data_dir):
        entries += [Path(root) / n for n in dirs + files]
        if len(entries) > limit:
            break
    for p in entries[:limit]:
        try:
            st = p.lstat()
        except OSError:  # removed while we looked (a WAL file, a delivered mail)
            continue
        if stat.S_ISLNK(st.st_mode):
            continue
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            want = 0o700 if stat.S_ISDIR(st.st_mode) else 0o600
            found.append(f"{p} is mode {mode:04o}, readable by other users: chmod {want:04o} {p}")
    return found
