"""The hub secrets every test process uses: a secrets file of its own, made
before any ``Settings`` is built, so no test reads a developer's ``var/``."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

ADMIN_TOKEN = "test-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TOKEN_KEY = "test-token-signing-key"
WEBHOOK_SECRET = "test-webhook-secret"
DATA_KEY = "dGVzdC1kYXRhLWtleS10ZXN0LWRhdGEta2V5LTMyYiE="  # 32 bytes, Fernet form
TEST_SECRETS = {
    "admin_token": ADMIN_TOKEN,
    "token_key": TOKEN_KEY,
    "webhook_secret": WEBHOOK_SECRET,
    "data_key": DATA_KEY,
}


def install_test_secrets() -> Path:
    """Point EVROAM_DATA_DIR at a fresh directory holding the test secrets."""
    data_dir = Path(tempfile.mkdtemp(prefix="evroam-test-data-"))
    (data_dir / "secrets.json").write_text(json.dumps(TEST_SECRETS))
    os.environ["EVROAM_DATA_DIR"] = str(data_dir)
    for name in TEST_SECRETS:
        os.environ.pop(f"EVROAM_{name.upper()}", None)
    return data_dir
