"""The hub's own secrets: where they live, how they are made, which are refused.

``EVROAM_DATA_DIR`` (default ``var/``) holds ``secrets.json`` (mode 0600) with the
admin token, the T/CEC token-signing key, the payment webhook secret and the
data key that encrypts partner secrets at rest. ``evroam demo`` and
``evroam db upgrade --init`` create it; ``Settings`` reads the environment
first, then this file, so every worker of one hub reads the same values
(ADR 0015).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from evroam.shared.errors import EvroamError

SECRETS_FILE = "secrets.json"
SECRET_NAMES = ("admin_token", "token_key", "webhook_secret", "data_key")
# Defaults earlier evroam versions shipped in their source: public, never accepted.
PUBLIC_VALUES = frozenset(
    {
        "evroam-admin-dev-token",
        "evroam-development-key-change-me",
        "evroam-sandbox-webhook-secret",
    }
)


class SecretsError(EvroamError):
    """A secret is missing, publicly known, or its file cannot be read."""


def secrets_path(data_dir: Path) -> Path:
    return data_dir / SECRETS_FILE


def new_data_key() -> str:
    """A Fernet key: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _new_value(name: str) -> str:
    return new_data_key() if name == "data_key" else secrets.token_urlsafe(32)


def read_secrets(data_dir: Path) -> dict[str, str]:
    """The values in ``data_dir``'s secrets file ({} when there is none)."""
    path = secrets_path(data_dir)
    try:
        found = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise SecretsError(f"cannot read {path}: {exc}") from None
    if not isinstance(found, dict):
        raise SecretsError(f"{path} is not a JSON object")
    return {k: str(v) for k, v in found.items() if k in SECRET_NAMES}


def ensure_secrets(data_dir: Path) -> Path:
    """Create the secrets file (0600) with random values for any it lacks;
    values already there are kept."""
    path = secrets_path(data_dir)
    values = read_secrets(data_dir)
    missing = [n for n in SECRET_NAMES if not values.get(n)]
    if not missing:
        return path
    values |= {n: _new_value(n) for n in missing}
    data_dir.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{SECRETS_FILE}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(values, out, indent=2, sort_keys=True)
    os.replace(draft, path)  # another process sees the old file or the new one
    return path


def refused_secrets(values: Mapping[str, str]) -> list[str]:
    """The names whose value is empty or publicly known, in a fixed order."""
    return [n for n in SECRET_NAMES if not values.get(n) or values[n] in PUBLIC_VALUES]


def check_secrets(values: Mapping[str, str], data_dir: Path) -> None:
    """Refuse to serve with an empty or publicly known secret (one line)."""
    refused = refused_secrets(values)
    if not refused:
        return
    named = ", ".join(
        f"{n} ({'empty' if not values.get(n) else 'a publicly known default'})"
        for n in refused
    )
    raise SecretsError(
        f"refusing to start: {named}; set EVROAM_{refused[0].upper()} or run "
        f"evroam db upgrade --init to write new ones to {secrets_path(data_dir)}"
    )
