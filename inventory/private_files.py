"""Files and folders the product makes for itself (the SQLite database, the probe spool and its
lock, the scheduler lock): readable by their owner only, whatever the umask.

The database holds officials' and agencies' data and the sign-in records; the spool holds
probe rounds. A umask of 022 (the usual default) would make them readable by every account
on the machine. Only what we create is set: a file or folder that already exists keeps the
mode its administrator gave it. Exports written to a path the user names (`-o FILE`) are
the user's files and keep the umask's mode.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path: Path) -> Path:
    """Create `path` and its missing parents with mode 0700 (existing ones are left alone)."""
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, FOLDER_MODE)
        except FileExistsError:  # another process made it first: theirs, then
            continue
        os.chmod(folder, FOLDER_MODE)  # the umask may have removed bits from the mode
    return path


def private_opener(path: str | os.PathLike[str], flags: int) -> int:
    """An `opener` for `open()` that creates a missing file with mode 0600 (`open(path, "a",
    opener=private_opener)`); an existing file is opened as it is."""
    if not flags & os.O_CREAT:
        return os.open(path, flags)
    while True:
        try:
            fd = os.open(path, flags | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            try:
                return os.open(path, flags & ~os.O_CREAT)
            except FileNotFoundError:  # removed in between (a spool being emptied): create it
                continue
        os.fchmod(fd, FILE_MODE)
        return fd


def create_private_file(path: Path) -> bool:
    """Create an empty file with mode 0600 (and its folders 0700) unless it exists; True if
    this call created it."""
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return False
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
    return True
