"""The one place that touches llama-cpp-python's private internals.

The fixed-prefix KV cache needs what llama-cpp-python does not expose
publicly: the context pointer (`llama._ctx.ctx`), the vocabulary object
(`llama._model`), the evaluated tokens (`llama.input_ids`, `llama.n_tokens`),
`kv_cache_seq_rm` on the context wrapper, and the C functions
`llama_state_seq_get_size/get_data/set_data`. `REQUIRED` lists them and
`missing_internals` checks them, so a version bump that renames one fails
loudly in a test (tests/test_models.py) and in `qa check`, not with a crash.

It also loads the CPU backend variants when llama.cpp was built with runtime
CPU dispatch (`GGML_BACKEND_DL`): see `load_cpu_backends`.

Leaves out: when to save or restore a prefix (the adapter decides that).
"""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# (object, attribute) pairs the adapter relies on; "module" means the llama_cpp module.
REQUIRED: tuple[tuple[str, str], ...] = (
    ("module", "llama_state_seq_get_size"),
    ("module", "llama_state_seq_get_data"),
    ("module", "llama_state_seq_set_data"),
    ("llama", "_ctx"),
    ("llama", "_model"),
    ("llama", "input_ids"),
    ("llama", "n_tokens"),
    ("context", "ctx"),
    ("context", "kv_cache_seq_rm"),
    ("vocabulary", "token_get_text"),
    ("vocabulary", "vocab"),
    ("module", "llama_vocab_is_eog"),
)


def missing_internals(llama: Any) -> list[str]:
    """The private members from `REQUIRED` that this llama-cpp-python lacks (empty when all are there)."""
    import llama_cpp

    owners = {"module": llama_cpp, "llama": llama, "context": getattr(llama, "_ctx", None),
              "vocabulary": getattr(llama, "_model", None)}
    return [f"{owner}.{name}" for owner, name in REQUIRED if not hasattr(owners[owner], name)]


def cached_tokens(llama: Any, length: int) -> tuple[int, ...]:
    """The first `length` token ids in the model's KV cache (fewer if fewer are cached)."""
    return tuple(llama.input_ids[: min(length, llama.n_tokens)].tolist())


def keep_cached(llama: Any, length: int) -> None:
    """Keep only the first `length` cached tokens; the next generation evaluates the rest in one batch."""
    llama.n_tokens = length


def save_sequence(llama: Any) -> bytes:
    """The KV cells of sequence 0 (the evaluated prefix), as bytes."""
    import llama_cpp

    size = llama_cpp.llama_state_seq_get_size(llama._ctx.ctx, 0)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(llama._ctx.ctx, buffer, size, 0)
    return bytes(buffer[:written])


def restore_sequence(llama: Any, tokens: tuple[int, ...], saved: bytes) -> bool:
    """Load saved KV cells for the prefix `tokens`; False (cache left empty) if llama.cpp refuses them."""
    import llama_cpp

    llama._ctx.kv_cache_seq_rm(-1, 0, -1)
    buffer = (ctypes.c_uint8 * len(saved)).from_buffer_copy(saved)
    if llama_cpp.llama_state_seq_set_data(llama._ctx.ctx, buffer, len(saved), 0) != len(saved):
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        return False
    llama.input_ids[: len(tokens)] = tokens
    llama.n_tokens = len(tokens)
    return True


@contextlib.contextmanager
def model_params(use_extra_buffers: bool) -> Iterator[None]:
    """Within the block, models load with `use_extra_bufts` set as given.

    `Llama()` takes no such argument: it fills llama.cpp's default model
    parameters itself. With `False`, weights stay out of the extra buffer
    types (weight repacking and, in builds that have it, AMX).
    """
    import llama_cpp.llama as llama_module

    defaults = llama_module.llama_cpp.llama_model_default_params

    def patched() -> Any:
        params = defaults()
        params.use_extra_bufts = use_extra_buffers
        return params

    llama_module.llama_cpp.llama_model_default_params = patched
    try:
        yield
    finally:
        llama_module.llama_cpp.llama_model_default_params = defaults


def is_end_of_generation(llama: Any, token: int) -> bool:
    """True for a token that ends generation (the model may have several)."""
    import llama_cpp

    return bool(llama_cpp.llama_vocab_is_eog(llama._model.vocab, token))


def token_text(llama: Any, token: int) -> str:
    """The text of one special token (for the chat template's BOS/EOS)."""
    return str(llama._model.token_get_text(token))


def library_folder() -> Path:
    """The folder holding llama-cpp-python's shared libraries."""
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("llama_cpp")
    return Path(spec.origin).parent / "lib"


def cpu_backend_variants(folder: Path | None = None) -> list[str]:
    """The CPU backend variants shipped as `libggml-cpu-<variant>.so` (empty for a single-kernel build)."""
    folder = folder or library_folder()
    return sorted(p.name[len("libggml-cpu-"):-len(".so")] for p in folder.glob("libggml-cpu-*.so"))


def best_cpu_variant(folder: Path | None = None) -> str | None:
    """The CPU variant ggml would load on this CPU (the highest `ggml_backend_score`), or None without variants.

    Each variant library reports 0 when the CPU lacks one of its features, so
    loading it only to ask is safe.
    """
    import llama_cpp  # noqa: F401 - loads libggml-base, which every variant links against

    folder = folder or library_folder()
    best, best_score = None, 0
    for variant in cpu_backend_variants(folder):
        library = ctypes.CDLL(str(folder / f"libggml-cpu-{variant}.so"))
        score = int(library.ggml_backend_score())
        if score > best_score:
            best, best_score = variant, score
    return best


def load_cpu_backends() -> None:
    """Register llama.cpp's CPU backends from llama-cpp-python's own folder, before the first model loads.

    With runtime CPU dispatch (`GGML_BACKEND_DL`), ggml looks for backends next
    to the Python executable and in the working folder, never in the package;
    this points it at the package folder, where ggml scores each variant
    against the CPU and loads the best one. A single-kernel build links its CPU
    backend directly and needs nothing: then this does nothing.
    """
    folder = library_folder()
    if not cpu_backend_variants(folder):
        return
    import llama_cpp  # noqa: F401 - loads libggml, whose registry the call below fills

    # By soname, not by path: a wheel stores libggml.so and libggml.so.0 as two copies, and only the one
    # libllama loaded (its soname) holds the backend registry llama.cpp reads.
    ggml = ctypes.CDLL("libggml.so.0")
    if ggml.ggml_backend_reg_count() == 0:
        ggml.ggml_backend_load_all_from_path(str(folder).encode())
