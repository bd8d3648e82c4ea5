"""Case documents on disk, stored under their SHA-256: ``<root>/<sha[:2]>/<sha>``.

A file is written to a temporary file on the same filesystem while it is hashed, fsynced, then renamed into place:
a reader sees the whole file or none, and the same bytes stored twice take the space once. Files are never changed
after that (the hash chain relies on it), so the store is a set of immutable objects: the layout maps to an object
store's keys as it is. Nothing here reads a whole file into memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024  # bytes read at a time when hashing or copying
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PARTIAL = ".partial"  # uploads under way: <root>/.partial/<upload id>


def is_sha256(value) -> bool:
    return isinstance(value, str) and bool(_SHA256.match(value))


def _fsync_dir(path: Path) -> None:
    """A rename is durable only once its directory is synced."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # a platform that cannot open directories: nothing to sync
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ContentStore:
    """Files under ``root`` by their SHA-256 (lower-case hex)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # --- reading ---------------------------------------------------------------------------------
    def path_of(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def size_of(self, sha256: str) -> int:
        return self.path_of(sha256).stat().st_size

    def sha256_of(self, sha256: str) -> str:
        """The hash of the bytes now on disk under ``sha256`` (differs from it when the file was changed);
        FileNotFoundError when it is missing."""
        return hash_file(self.path_of(sha256))

    def open_read(self, sha256: str) -> BinaryIO:
        return self.path_of(sha256).open("rb")

    def read_range(self, sha256: str, offset: int, length: int) -> bytes:
        """At most ``length`` bytes from ``offset`` (fewer at the end, none past it)."""
        with self.open_read(sha256) as f:
            f.seek(offset)
            return f.read(length)

    def iter_file(self, sha256: str, chunk: int = CHUNK) -> Iterator[bytes]:
        with self.open_read(sha256) as f:
            while block := f.read(chunk):
                yield block

    # --- writing ---------------------------------------------------------------------------------
    def put_stream(self, stream: BinaryIO) -> tuple[str, int]:
        """Store what ``stream`` yields; its (sha256, size). Already stored: nothing new is written."""
        tmp_dir = self._tmp_dir()
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                while block := stream.read(CHUNK):
                    out.write(block)
            return self.adopt(tmp)
        finally:
            tmp.unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        return self.put_stream(io.BytesIO(data))

    def adopt(self, tmp: Path, sha256: str | None = None) -> tuple[str, int]:
        """Move a complete file (written under ``partial_path``, the same filesystem) into the store under its hash;
        its (sha256, size). ``sha256``: its hash when the caller just computed it from the file, else hashed here."""
        sha, size = sha256 or hash_file(tmp), tmp.stat().st_size
        final = self.path_of(sha)
        if final.is_file():
            tmp.unlink(missing_ok=True)  # the same bytes are stored already (content addressing)
            return sha, size
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        with contextlib.suppress(OSError):
            os.chmod(final, 0o440)  # immutable by convention: read-only
        _fsync_dir(final.parent)
        return sha, size

    def remove(self, sha256: str) -> None:
        """Only for a file no record refers to (a refused upload's own file)."""
        self.path_of(sha256).unlink(missing_ok=True)

    # --- uploads under way -----------------------------------------------------------------------
    def _tmp_dir(self) -> Path:
        path = self.root / _PARTIAL
        path.mkdir(parents=True, exist_ok=True)
        return path

    def partial_path(self, upload_id: str) -> Path:
        """Where an upload's bytes gather until it is finished (same filesystem as the store: a rename moves it)."""
        if not re.match(r"^[A-Za-z0-9_-]{1,64}$", upload_id or ""):
            raise ValueError(f"not an upload id: {upload_id!r}")
        return self._tmp_dir() / upload_id

    def write_at(self, upload_id: str, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset`` of an upload's partial file (created when absent): a chunk written again
        at its own offset leaves the file as it was."""
        path = self.partial_path(upload_id)
        flags = os.O_WRONLY | os.O_CREAT
        fd = os.open(path, flags, 0o600)
        try:
            os.lseek(fd, offset, os.SEEK_SET)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)

    def discard_partial(self, upload_id: str) -> None:
        self.partial_path(upload_id).unlink(missing_ok=True)

    def partial_uploads(self) -> list[str]:
        path = self.root / _PARTIAL
        return sorted(p.name for p in path.iterdir() if p.is_file()) if path.is_dir() else []


def hash_file(path: Path, pause: Callable[[], None] | None = None) -> str:
    """SHA-256 of a file read a chunk at a time; ``pause`` between chunks (a service lets other green threads run)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
            if pause is not None:
                pause()
    return digest.hexdigest()
