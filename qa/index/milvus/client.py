"""Connecting to Milvus: the address, the client, and Milvus's failures turned into errors with the fix.

`milvus_uri` is a Milvus Lite file (`index/milvus.db`: Lite runs inside this process) or a server
(`http://host:19530`; the token comes from the environment variable QA_MILVUS_TOKEN only). pymilvus
is imported only when this store is chosen; a missing package or an unreachable server is a
StoreUnavailableError with the fix, within `milvus_timeout_s`. Leaves out: what is stored and how it
is searched (qa.index.milvus.store) and built (qa.index.milvus.build).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qa.config import Config
from qa.errors import ConfigError, StoreUnavailableError

TOKEN_VARIABLE = "QA_MILVUS_TOKEN"
INSTALL_HINT = "Install the pinned clients with `make install` (pymilvus==3.0.2 and milvus-lite==3.2.2 in requirements.txt)."
RETRY_HINT = "Check that the Milvus server is up, then try again."
KEPT_HINT = "The previous index is still in use. Fix the cause, then run `qa index` again."
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")


def milvus_uri(config: Config) -> str:
    """The configured address: `milvus_uri`, or the Lite file milvus.db in the index folder when empty."""
    return config.milvus_uri or str(config.index_dir / "milvus.db")


def shown_uri(uri: str) -> str:
    """The address without any user:password part, for messages and the manifest."""
    return re.sub(r"(://)[^/@]*@", r"\1", uri)


@contextmanager
def server_errors(what: str, hint: str) -> Iterator[None]:
    """Turn a failure that Milvus reports into StoreUnavailableError: `what` failed, and `hint`."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except MilvusException as error:
        raise StoreUnavailableError(f"{what} failed: {error.message}", hint=hint) from error


def connect(config: Config) -> Any:
    """A MilvusClient for the configured address, or StoreUnavailableError with the fix."""
    try:
        from pymilvus import MilvusClient
    except ImportError as error:
        raise StoreUnavailableError(f"The Milvus store needs pymilvus, which is not installed ({error}).",
                                    hint=INSTALL_HINT) from error
    # pymilvus and Milvus Lite log every failure with a traceback; it reaches the user once, as
    # StoreUnavailableError with the fix. Embedded Lite's gRPC server also logs the calls it does not
    # implement (query_iterator asks for a timestamp, then uses the client's).
    for logger in ("pymilvus", "milvus_lite", "grpc._server"):
        logging.getLogger(logger).setLevel(logging.CRITICAL)
    uri = milvus_uri(config)
    if not _NAME.match(config.milvus_collection):
        raise ConfigError(f"milvus_collection {config.milvus_collection!r} is not a valid Milvus name.",
                          hint="Use letters, digits and underscores, starting with a letter.")
    lite = "://" not in uri
    if lite and not uri.endswith(".db"):
        raise ConfigError(f"milvus_uri {uri!r} is neither a Milvus Lite file (….db) nor a server address.",
                          hint="Use e.g. index/milvus.db or http://host:19530.")
    if lite:
        os.makedirs(os.path.dirname(uri) or ".", exist_ok=True)
    hint = (f"Is another process using {uri}? Milvus Lite opens a file in one process only; for several, run "
            f"`milvus-lite server --data-dir DIR --port 19530` and set milvus_uri = \"http://127.0.0.1:19530\"."
            if lite else f"Start the Milvus server at {shown_uri(uri)} (or fix milvus_uri; the token is read "
            f"from {TOKEN_VARIABLE}), then try again.")
    with server_errors(f"Opening the Milvus store at {shown_uri(uri)}", hint):
        return MilvusClient(uri=uri, token=os.environ.get(TOKEN_VARIABLE, ""), timeout=config.milvus_timeout_s)
