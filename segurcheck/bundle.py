"""Opening an evidence bundle (a directory or a .zip) without trusting it.

Hard rules (ARCHITECTURE.md): no path escape, no symlink followed, bounded size,
count, compression ratio and nesting depth, nothing extracted to disk, and the input
never modified (files are only opened for reading).  Whatever is refused becomes a
``Skipped`` entry that the pipeline reports as a finding, never a crash.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from .model import LocalText


@dataclass(frozen=True)
class Limits:
    """Bounds applied to every bundle and every nested archive."""

    max_files: int = 20_000
    max_total_bytes: int = 4 << 30  # uncompressed, whole bundle
    max_file_bytes: int = 2 << 30  # one file (usage exports can be large)
    max_nested_bytes: int = 256 << 20  # one item extracted in memory from a nested archive
    max_ratio: int = 200  # uncompressed / compressed, for entries above ratio_floor
    ratio_floor: int = 1 << 20
    max_depth: int = 4  # nesting levels (bundle zip > eml > XDM zip > CDA ...)
    in_memory_bytes: int = 64 << 20  # larger files are streamed, not held in memory


DEFAULT_LIMITS = Limits()


class BundleError(Exception):
    """The bundle root itself cannot be read: the tool cannot do its job (exit 2)."""


@dataclass(frozen=True)
class Skipped:
    """An entry refused for safety; reported by DOSSIER-UNSAFE-FILE."""

    path: str
    reason: LocalText


@dataclass(frozen=True)
class Entry:
    """A regular file of the bundle, readable on demand."""

    path: str
    size: int
    opener: Callable[[], BinaryIO]


@dataclass
class Bundle:
    root: Path
    is_zip: bool
    entries: list[Entry] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    _zip: zipfile.ZipFile | None = None

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sha256(self, file_hashes: Mapping[str, str] | None = None) -> str:
        """Hash of the bundle as delivered, for caches and the report header: the zip
        bytes, or for a folder the sorted (path, SHA-256 of content) pairs.  The
        pipeline passes the file hashes it already computed so files are read once."""
        digest = hashlib.sha256()
        if self.is_zip:
            with self.root.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
        known = file_hashes or {}
        for entry in sorted(self.entries, key=lambda e: e.path):
            file_hash = known.get(entry.path) or _stream_hash(entry)
            digest.update(entry.path.encode() + b"\0" + file_hash.encode() + b"\n")
        return digest.hexdigest()


def _stream_hash(entry: Entry) -> str:
    digest = hashlib.sha256()
    with entry.opener() as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _why(fr: str, en: str) -> LocalText:
    return LocalText(fr, en)


def unsafe_member_name(name: str) -> LocalText | None:
    """Why an archive member name is refused (absolute, drive letter, '..', backslash)."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return _why("chemin absolu dans l'archive", "absolute path in the archive")
    if "\\" in name:
        return _why("séparateur '\\' dans un nom de l'archive", "'\\' separator in an archive name")
    if any(part == ".." for part in PurePosixPath(name).parts):
        return _why("chemin qui sort de l'archive ('..')", "path escaping the archive ('..')")
    if "\0" in name:
        return _why("caractère nul dans un nom", "NUL character in a name")
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


class _BoundedReader(io.RawIOBase):
    """Stops a stream that yields more than its declared size (lying zip headers)."""

    def __init__(self, stream: IO[bytes], limit: int):
        self._stream = stream
        self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        chunk = self._stream.read(min(len(view), self._left + 1))
        if len(chunk) > self._left:
            raise OSError("entry is larger than its declared size")
        self._left -= len(chunk)
        view[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._stream.close()
        super().close()


def check_member(info: zipfile.ZipInfo, limits: Limits, max_bytes: int) -> LocalText | None:
    """Why one zip member must not be read (None when it is safe to read)."""
    reason = unsafe_member_name(info.filename)
    if reason is not None:
        return reason
    if _is_symlink(info):
        return _why("lien symbolique dans l'archive (non suivi)", "symbolic link in the archive (not followed)")
    if info.file_size > max_bytes:
        return _why(
            f"fichier trop gros une fois décompressé ({info.file_size} octets)",
            f"file too large once uncompressed ({info.file_size} bytes)",
        )
    if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        return _why(
            f"taux de compression suspect ({info.file_size}/{info.compress_size}) : bombe de décompression ?",
            f"suspicious compression ratio ({info.file_size}/{info.compress_size}): decompression bomb?",
        )
    if info.flag_bits & 0x1:
        return _why("fichier chiffré dans l'archive", "encrypted file in the archive")
    return None


def iter_zip_members(
    archive: zipfile.ZipFile, limits: Limits, max_bytes: int
) -> Iterator[tuple[zipfile.ZipInfo, LocalText | None]]:
    """Each file member with the reason to refuse it (None = safe), enforcing the
    count and total-size limits; directories are skipped silently."""
    total = 0
    seen: set[str] = set()
    count = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        count += 1
        if count > limits.max_files:
            yield info, _why("trop de fichiers dans l'archive", "too many files in the archive")
            continue
        if info.filename in seen:
            yield info, _why("nom en double dans l'archive", "duplicate name in the archive")
            continue
        seen.add(info.filename)
        reason = check_member(info, limits, max_bytes)
        if reason is None:
            total += info.file_size
            if total > limits.max_total_bytes:
                reason = _why("taille totale décompressée dépassée", "total uncompressed size exceeded")
        yield info, reason


def read_zip_bytes(data: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[list[tuple[str, bytes]], list[Skipped]]:
    """Read a nested archive held in memory (an IHE_XDM.ZIP attachment...) safely.

    Returns the readable members with their bytes and the refused ones with a reason.
    A corrupt archive gives one refused pseudo-member named ''.
    """
    members: list[tuple[str, bytes]] = []
    skipped: list[Skipped] = []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info, reason in iter_zip_members(archive, limits, limits.max_nested_bytes):
                if reason is not None:
                    skipped.append(Skipped(info.filename, reason))
                    continue
                try:
                    with _BoundedReader(archive.open(info), info.file_size) as stream:
                        members.append((info.filename, stream.read()))
                except (OSError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError, zlib.error) as exc:
                    skipped.append(Skipped(info.filename, _why(f"illisible : {exc}", f"unreadable: {exc}")))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as exc:
        skipped.append(Skipped("", _why(f"archive ZIP illisible : {exc}", f"unreadable ZIP archive: {exc}")))
    return members, skipped


def _open_zip(path: Path, limits: Limits) -> Bundle:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"{path}: not a readable ZIP archive ({exc})") from None
    bundle = Bundle(root=path, is_zip=True, _zip=archive)
    for info, reason in iter_zip_members(archive, limits, limits.max_file_bytes):
        if reason is not None:
            bundle.skipped.append(Skipped(info.filename, reason))
            continue

        def opener(info: zipfile.ZipInfo = info) -> BinaryIO:
            return io.BufferedReader(_BoundedReader(archive.open(info), info.file_size))

        bundle.entries.append(Entry(info.filename.rstrip("/"), info.file_size, opener))
    return bundle


def _open_dir(root: Path, limits: Limits) -> Bundle:
    bundle = Bundle(root=root, is_zip=False)
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(dirpath)
        for name in sorted(dirnames):
            if (base / name).is_symlink():
                rel = (base / name).relative_to(root).as_posix()
                bundle.skipped.append(
                    Skipped(rel, _why("lien symbolique vers un dossier (non suivi)", "symbolic link to a folder (not followed)"))
                )
        dirnames[:] = sorted(d for d in dirnames if not (base / d).is_symlink())
        for name in sorted(filenames):
            full = base / name
            rel = full.relative_to(root).as_posix()
            info = full.lstat()
            if stat.S_ISLNK(info.st_mode):
                bundle.skipped.append(Skipped(rel, _why("lien symbolique (non suivi)", "symbolic link (not followed)")))
                continue
            if not stat.S_ISREG(info.st_mode):
                bundle.skipped.append(Skipped(rel, _why("fichier spécial (non lu)", "special file (not read)")))
                continue
            if len(bundle.entries) >= limits.max_files:
                bundle.skipped.append(Skipped(rel, _why("trop de fichiers dans le dossier", "too many files in the bundle")))
                continue
            if info.st_size > limits.max_file_bytes or total + info.st_size > limits.max_total_bytes:
                bundle.skipped.append(
                    Skipped(rel, _why(f"fichier trop gros ({info.st_size} octets)", f"file too large ({info.st_size} bytes)"))
                )
                continue
            total += info.st_size

            def opener(full: Path = full) -> BinaryIO:
                return full.open("rb")

            bundle.entries.append(Entry(rel, info.st_size, opener))
    return bundle


def open_bundle(path: Path, limits: Limits = DEFAULT_LIMITS) -> Bundle:
    """Open a bundle for reading; raise ``BundleError`` when its root is unusable."""
    if path.is_symlink():
        raise BundleError(f"{path}: the bundle root is a symbolic link; pass the real path")
    if path.is_dir():
        return _open_dir(path, limits)
    if path.is_file():
        return _open_zip(path, limits)
    raise BundleError(f"{path}: no such directory or .zip file")
