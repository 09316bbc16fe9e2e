"""Where the credentials come from, resolved when a client is built (never at import).

Order: explicit ``api_key`` → explicit ``client_id``/``client_secret`` (legacy token) → ``AKOOL_API_KEY``
→ Colab secret ``AKOOL_API_KEY`` → ``AKOOL_CLIENT_ID``/``AKOOL_CLIENT_SECRET``. The key itself is kept in
a :class:`Secret`, whose repr and str never show it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ._exceptions import MissingCredentialsError
from ._logging import register_secret

ENV_API_KEY = "AKOOL_API_KEY"
ENV_CLIENT_ID = "AKOOL_CLIENT_ID"
ENV_CLIENT_SECRET = "AKOOL_CLIENT_SECRET"
COLAB_SECRET_NAME = "AKOOL_API_KEY"


class Secret:
    """A string that does not show itself in reprs, f-strings, tracebacks or logs."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)  # masked everywhere from the moment it is known, before any client exists

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Credentials:
    """Either an API key (sent as ``x-api-key``) or a legacy client id + secret (exchanged for a token)."""

    api_key: Secret | None = None
    client_id: str | None = None
    client_secret: Secret | None = None
    source: str = ""

    @property
    def uses_token(self) -> bool:
        return self.api_key is None

    def secrets(self) -> list[str]:
        return [s.reveal() for s in (self.api_key, self.client_secret) if s]


def colab_secret(name: str = COLAB_SECRET_NAME) -> tuple[str | None, str]:
    """Read a Colab secret. Returns ``(value, "")`` or ``(None, why_not)`` with a distinct reason."""
    try:
        from google.colab import userdata  # type: ignore[import-not-found]
    except ImportError:
        return None, "not running in Google Colab"
    try:
        value = userdata.get(name)
    except Exception as exc:  # the classes live in google.colab.userdata; match by name to stay import-safe
        kind = type(exc).__name__
        if kind == "SecretNotFoundError":
            return None, f"Colab has no secret named {name!r} (add it in the key icon panel on the left)"
        if kind == "NotebookAccessError":
            return None, (
                f"Colab secret {name!r} exists but this notebook was not granted access "
                "(toggle 'Notebook access' for it in the key icon panel)"
            )
        return None, f"reading Colab secret {name!r} failed: {kind}"
    if not value:
        return None, f"Colab secret {name!r} is empty"
    return value, ""


def missing_credentials_message(colab_reason: str) -> str:
    return (
        "No Akool API key found. Provide one in any of these three ways:\n"
        "  1. pass it: akool_nb.Akool(api_key=...)  (or client_id=/client_secret= for legacy token auth)\n"
        f"  2. set the environment variable {ENV_API_KEY}\n"
        f"  3. in Google Colab, store it as the secret {COLAB_SECRET_NAME} and grant this notebook access "
        f"({colab_reason})\n"
        "Without a key, akool_nb.connect() starts the offline Akool (simulated results, no credits)."
    )


def find_credentials(
    api_key: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> tuple[Credentials | None, str]:
    """Return ``(credentials, "")`` or ``(None, message listing the three ways)``. Never raises."""
    if api_key:
        return Credentials(api_key=Secret(api_key), source="argument"), ""
    if client_id and client_secret:
        return Credentials(client_id=client_id, client_secret=Secret(client_secret), source="argument"), ""
    env_key = os.environ.get(ENV_API_KEY)
    if env_key:
        return Credentials(api_key=Secret(env_key), source=f"${ENV_API_KEY}"), ""
    value, colab_reason = colab_secret()
    if value:
        return Credentials(api_key=Secret(value), source="Colab secret"), ""
    env_id, env_secret = os.environ.get(ENV_CLIENT_ID), os.environ.get(ENV_CLIENT_SECRET)
    if env_id and env_secret:
        return Credentials(client_id=env_id, client_secret=Secret(env_secret), source="environment"), ""
    return None, missing_credentials_message(colab_reason)


def require_credentials(
    api_key: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> Credentials:
    creds, message = find_credentials(api_key, client_id, client_secret)
    if creds is None:
        raise MissingCredentialsError(message)
    return creds
