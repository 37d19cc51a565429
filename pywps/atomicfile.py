"""Writing a file so that a reader sees the old text or the new, never half of one."""

from __future__ import annotations

import os


def _temp_prefix(path: str) -> str:
    return f".{os.path.basename(path)}.pywps-"


def write_atomically(path: str, text: str) -> None:
    """Temp file beside the target, fsync, rename, fsync the directory: a reader sees the old file or the new,
    never half of one. Blocking: the daemon calls it off its event loop."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    import tempfile  # here, not at the top: with shutil, bz2 and lzma it is ~5 ms of the daemon's start

    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
            os.fchmod(f.fileno(), mode)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def remove_stale_temp_files(path: str) -> list[str]:
    """Temp files that a save killed half-way (SIGKILL, power loss) left beside `path`: only this file's own
    (named after it), so another daemon's save in the same directory is never touched. Call before saving."""
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temp_prefix(path)
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if name.startswith(prefix):
            try:
                os.unlink(os.path.join(directory, name))
                removed.append(name)
            except OSError:
                pass
    return removed
