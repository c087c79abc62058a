"""Who may do what in the web chat: credentials by host, and whether the page may re-index.

`decide_access(config, environ)` turns the Config and the environment into an
`Access`: on a loopback address (127.0.0.1, localhost, ::1) the app may stay
open; on any other address it needs credentials, from `QA_AUTH=user:password`
in the environment or from the file named by `auth_file` (one `user:password`
per line), and refuses to start without them. The credentials go to Gradio's
`launch(auth=...)`, which guards the page and the `/ask` API alike.
Re-indexing from the page follows `allow_reindex`: "auto" allows it on a
loopback address only; elsewhere it must be set to "true" explicitly.

Left out: user roles (every signed-in user has the same rights), password
hashing (the credentials live in the environment or a file the operator
protects) and TLS (put a reverse proxy in front for that).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from qa.config import Config
from qa.errors import ConfigError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
AUTH_VARIABLE = "QA_AUTH"
_REINDEX_VALUES = {"auto": None, "true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


@dataclass(frozen=True)
class Access:
    """What the app allows: `credentials` (empty = no sign-in) and whether the page may re-index."""

    credentials: tuple[tuple[str, str], ...]
    allow_reindex: bool

    @property
    def auth(self) -> list[tuple[str, str]] | None:
        """The value for Gradio's `launch(auth=...)`: the credentials, or None for an open app."""
        return list(self.credentials) or None


def parse_credentials(text: str, source: str) -> tuple[tuple[str, str], ...]:
    """`user:password` lines (blank lines and `#` comments skipped) as pairs; ConfigError on a bad line."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, separator, password = line.partition(":")
        if not separator or not user.strip() or not password:
            raise ConfigError(f"Line {number} of {source} is not user:password.",
                              hint="Write one user:password per line (the password may contain ':').")
        pairs.append((user.strip(), password))
    return tuple(pairs)


def read_credentials(config: Config, environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The credentials from QA_AUTH and from `config.auth_file` (both may be given)."""
    credentials = parse_credentials(environ.get(AUTH_VARIABLE, ""), AUTH_VARIABLE)
    if config.auth_file:
        path = Path(config.auth_file).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"Cannot read the auth_file {path}: {error}",
                              hint="Create it with one user:password per line, or remove auth_file.") from error
        credentials += parse_credentials(text, str(path))
    return credentials


def decide_access(config: Config, environ: Mapping[str, str], share: bool = False) -> Access:
    """Decide sign-in and re-indexing for `config.host`; ConfigError when a shared host has no credentials.

    Args:
        config: host, auth_file and allow_reindex.
        environ: the environment (QA_AUTH).
        share: a public gradio.live link is wanted, which counts as a shared host.
    """
    loopback = config.host.strip().lower() in LOOPBACK_HOSTS and not share
    credentials = read_credentials(config, environ)
    if not loopback and not credentials:
        raise ConfigError(
            f"The chat would be reachable from other computers ({'a public share link' if share else config.host}) "
            "without credentials.",
            hint=f"Set {AUTH_VARIABLE}=user:password or auth_file (one user:password per line), "
                 "or listen on 127.0.0.1.",
        )
    setting = config.allow_reindex.strip().lower()
    if setting not in _REINDEX_VALUES:
        raise ConfigError(f"allow_reindex={config.allow_reindex!r} is not auto, true or false.",
                          hint="Set allow_reindex to auto (this computer only), true or false.")
    allowed = _REINDEX_VALUES[setting]
    return Access(credentials, loopback if allowed is None else allowed)
