"""Errors the pipeline raises, each carrying a hint that tells the user how to fix it.

Only the edges (CLI, web app) turn these into exit codes or UI messages; the
pipeline itself never prints. Deliberately small: a base class and a few kinds
that callers need to tell apart.
"""

from __future__ import annotations


class QAError(Exception):
    """Base error: `message` says what went wrong, `hint` how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


def format_error(error: QAError) -> str:
    """The text an edge (CLI, app start-up) prints for `error`: message, then the hint."""
    return f"error: {error.message}" + (f"\n  → {error.hint}" if error.hint else "")


class InvalidQuestionError(QAError):
    """The question is empty, too long or otherwise unusable.

    `reason` ("not_text", "empty", "no_words", "too_long", "language") and
    `values` let an edge show the problem in its own words and language
    (the web chat's texts); `message` and `hint` are English, for the CLI and logs.
    """

    exit_code = 2

    def __init__(self, message: str, hint: str = "", reason: str = "invalid", values: dict[str, int] | None = None) -> None:
        super().__init__(message, hint)
        self.reason = reason
        self.values = dict(values or {})


class ConfigError(QAError):
    """A setting in qa.toml, the environment or a flag is invalid."""

    exit_code = 2


class IndexMissingError(QAError):
    """No index has been built yet."""

    exit_code = 3


class IndexMismatchError(QAError):
    """The index was built with another format, embedder or chunking."""

    exit_code = 3


class IndexCorruptError(QAError):
    """An index file is missing, truncated or inconsistent."""

    exit_code = 3


class IndexWriteError(QAError):
    """A new index could not be written (disk full, no permission); the previous index stays in use."""

    exit_code = 3


class StoreUnavailableError(QAError):
    """The index's store (a Milvus server or Milvus Lite file) cannot be reached, or its client is not installed."""

    exit_code = 3


class ModelMissingError(QAError):
    """A model package or file could not be found."""

    exit_code = 4


class ModelChecksumError(QAError):
    """An assembled model file does not have the expected size or checksum."""

    exit_code = 4


class ModelCrashedError(QAError):
    """The model's process died (a crash, an out-of-memory kill) or stopped answering."""

    exit_code = 4


class ModelServerError(QAError):
    """No model or embedding server (OpenAI-compatible API) answered, or one refused the request."""

    exit_code = 4


class NoDocumentsError(QAError):
    """The seeds folder holds no loadable document."""

    exit_code = 5
