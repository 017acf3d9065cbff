"""Who is calling: a stable user derived from the application key, never storing the key itself."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping

from reconciler.backends.datadog_widgets.emulator.settings import UserProfile
from reconciler.backends.datadog_widgets.emulator.store import User

_NAMESPACE = uuid.UUID("6f1c1e7a-3b7e-4f0e-9d63-8a1f4c2b9e10")


def key_fingerprint(app_key: str) -> str:
    return hashlib.sha256(app_key.encode()).hexdigest()


def user_for_app_key(app_key: str, profiles: Mapping[str, UserProfile]) -> User:
    """Distinct keys are distinct users; the same key is always the same user."""
    fingerprint = key_fingerprint(app_key)
    user_id = str(uuid.uuid5(_NAMESPACE, fingerprint))
    profile = profiles.get(app_key)
    if profile is not None:
        return User(user_id, profile.handle, profile.name)
    short = fingerprint[:8]
    return User(user_id, f"user-{short}@example.com", f"User {short}")
