"""KEYS.yaml: which bearer API key belongs to which account (and, optionally, when accounts were created).

```yaml
keys:
  sk-live-abc: acct_acme
  sk-live-def: acct_acme        # an account may hold several keys
accounts:                       # optional: creation times, for the policy's account-age conditions
  acct_acme: {created: 2025-01-15T00:00:00Z}
```
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from distillguard.errors import ConfigError
from distillguard.policy._located import Located, load_located_file


@dataclass(frozen=True)
class KeyTable:
    accounts_by_key: dict[str, str]
    account_created: dict[str, datetime] = field(default_factory=dict)

    def account_for(self, key: str) -> str | None:
        return self.accounts_by_key.get(key)

    @classmethod
    def from_file(cls, path: str | Path) -> KeyTable:
        return _from_located(load_located_file(Path(path), ConfigError))


def key_id(key: str) -> str:
    """A stable, non-secret id for an API key, recorded in events instead of the key itself."""
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _from_located(doc: Located) -> KeyTable:
    data = doc.data
    if not isinstance(data, dict) or "keys" not in data:
        raise doc.error("a keys file must have a 'keys:' mapping of API key to account id", ())
    unknown = set(data) - {"keys", "accounts"}
    if unknown:
        raise doc.error(f"unknown key '{sorted(unknown)[0]}' (expected 'keys' and optional 'accounts')", ())
    keys = data["keys"]
    if not isinstance(keys, dict) or not keys:
        raise doc.error("'keys' must map each API key to an account id", ("keys",))
    table: dict[str, str] = {}
    for key, account in keys.items():
        if not isinstance(account, str | int) or isinstance(account, bool) or not str(account).strip():
            raise doc.error(
                f"the account id of a key must be a non-empty string, got {account!r}", ("keys", key)
            )
        table[str(key)] = str(account)
    return KeyTable(table, _created(doc, data.get("accounts")))


def _created(doc: Located, raw: object) -> dict[str, datetime]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise doc.error("'accounts' must map account ids to {created: TIME}", ("accounts",))
    out: dict[str, datetime] = {}
    for account, info in raw.items():
        path = ("accounts", account, "created")
        created = info.get("created") if isinstance(info, dict) else None
        if isinstance(created, str):
            try:
                created = datetime.fromisoformat(created)
            except ValueError:
                raise doc.error(f"cannot read time {created!r} (use RFC 3339)", path) from None
        if not isinstance(created, datetime):
            raise doc.error("each account needs 'created: RFC 3339 time'", path)
        out[str(account)] = created if created.tzinfo else created.replace(tzinfo=UTC)
    return out
