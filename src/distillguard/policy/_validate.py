"""Turn a parsed policy document into a ``Policy``, rejecting anything doubtful with its line number.

A policy decides whether paying customers are served, so nothing is guessed: unknown keys, wrong types,
out-of-range scores and unknown actions are errors, each naming the file, the line and a fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from distillguard.policy._located import Located, PathKey
from distillguard.policy.model import (
    _CONDITION_FIELDS,
    PEER_SIGNAL,
    Action,
    Conditions,
    Policy,
    Rule,
)

_TOP_KEYS = ("version", "dry_run", "default_action", "allow_lists", "rules")
_RULE_KEYS = ("name", "description", "when", "action", "requests_per_minute", "burst", "allow_peer_only")
_UNIT_FIELDS = ("account_score_min", "account_score_max", "campaign_score_min")
_BOOL_FIELDS = ("flagged", "in_campaign", "peer_corroborated")
_NONNEG_FIELDS = ("account_age_max_days", "account_age_min_days", "peer_indicator_min")


def policy_from_located(doc: Located) -> Policy:
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("a policy must be a mapping with 'version' and 'rules'", ())
    _reject_unknown(doc, data, _TOP_KEYS, ())
    if "version" not in data:
        raise doc.error("missing 'version' (a string recorded with every decision, e.g. '2026-11-01')", ())
    version = data["version"]
    if not isinstance(version, str | int | float) or isinstance(version, bool) or not str(version).strip():
        raise doc.error("'version' must be a non-empty string", ("version",))
    allow_lists = _allow_lists(doc, data.get("allow_lists"))
    rules = _rules(doc, data.get("rules"), allow_lists)
    return Policy(
        version=str(version),
        rules=rules,
        dry_run=_bool(doc, data.get("dry_run", False), ("dry_run",)),
        default_action=_action(doc, data.get("default_action", "allow"), ("default_action",)),
        allow_lists=allow_lists,
        source=doc.source,
    )


def _reject_unknown(doc: Located, mapping: dict[str, Any], known: Iterable[str], path: PathKey) -> None:
    known = tuple(known)
    for key in mapping:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(known)}"
            raise doc.error(f"unknown key '{key}'{hint}", (*path, key))


def _allow_lists(doc: Located, raw: Any) -> dict[str, frozenset[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise doc.error("'allow_lists' must map a list name to account ids", ("allow_lists",))
    out: dict[str, frozenset[str]] = {}
    for name, members in raw.items():
        path: PathKey = ("allow_lists", name)
        if name == "any":
            raise doc.error("'any' is reserved (it means every allow-list in conditions)", path)
        if members is None:
            members = []
        if not isinstance(members, list) or not all(isinstance(m, str | int) for m in members):
            raise doc.error(f"allow-list '{name}' must be a list of account ids", path)
        out[name] = frozenset(str(m) for m in members)
    return out


def _rules(doc: Located, raw: Any, allow_lists: dict[str, frozenset[str]]) -> tuple[Rule, ...]:
    if raw is None:
        raise doc.error("missing 'rules' (an ordered list; the first matching rule decides)", ())
    if not isinstance(raw, list):
        raise doc.error("'rules' must be a list", ("rules",))
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        rule = _rule(doc, item, ("rules", index), allow_lists)
        if rule.name in seen:
            raise doc.error(f"duplicate rule name '{rule.name}'", ("rules", index, "name"))
        seen.add(rule.name)
        rules.append(rule)
    return tuple(rules)


def _rule(doc: Located, raw: Any, path: PathKey, allow_lists: dict[str, frozenset[str]]) -> Rule:
    if not isinstance(raw, dict):
        raise doc.error("each rule must be a mapping with 'name', 'when' and 'action'", path)
    _reject_unknown(doc, raw, _RULE_KEYS, path)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise doc.error("a rule needs a non-empty 'name' (it is recorded with each decision)", path)
    if "action" not in raw:
        raise doc.error(f"rule '{name}' has no 'action'", path)
    action = _action(doc, raw["action"], (*path, "action"))
    when = _conditions(doc, raw.get("when"), (*path, "when"), allow_lists)
    rpm, burst = _throttle(doc, raw, action, path, name)
    if (
        action is Action.BLOCK
        and when.only_peer()
        and not _bool(doc, raw.get("allow_peer_only", False), path)
    ):
        raise doc.error(
            f"rule '{name}' blocks on a peer's signal alone; a peer's signal should only add to local "
            "evidence (add a local condition such as account_score_min, or set allow_peer_only: true)",
            (*path, "action"),
        )
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise doc.error("'description' must be a string", (*path, "description"))
    return Rule(
        name=name, action=action, when=when, requests_per_minute=rpm, burst=burst, description=description
    )


def _throttle(
    doc: Located, raw: dict[str, Any], action: Action, path: PathKey, name: str
) -> tuple[float | None, int | None]:
    rpm_raw, burst_raw = raw.get("requests_per_minute"), raw.get("burst")
    if action is not Action.THROTTLE:
        for key, value in (("requests_per_minute", rpm_raw), ("burst", burst_raw)):
            if value is not None:
                raise doc.error(f"'{key}' only applies to action 'throttle'", (*path, key))
        return None, None
    if rpm_raw is None:
        raise doc.error(f"rule '{name}' throttles but has no 'requests_per_minute'", (*path, "action"))
    rpm = _number(doc, rpm_raw, (*path, "requests_per_minute"))
    if rpm <= 0:
        raise doc.error("'requests_per_minute' must be greater than 0", (*path, "requests_per_minute"))
    burst = None
    if burst_raw is not None:
        if not isinstance(burst_raw, int) or isinstance(burst_raw, bool) or burst_raw < 1:
            raise doc.error("'burst' must be a whole number of requests, at least 1", (*path, "burst"))
        burst = burst_raw
    return rpm, burst


def _conditions(doc: Located, raw: Any, path: PathKey, allow_lists: dict[str, frozenset[str]]) -> Conditions:
    if raw is None:
        return Conditions()
    if not isinstance(raw, dict):
        raise doc.error("'when' must be a mapping of conditions", path)
    _reject_unknown(doc, raw, _CONDITION_FIELDS, path)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        where = (*path, key)
        if key in _UNIT_FIELDS:
            values[key] = _unit(doc, value, where)
        elif key in _BOOL_FIELDS:
            values[key] = _bool(doc, value, where)
        elif key in _NONNEG_FIELDS:
            values[key] = _nonneg(doc, value, where)
        elif key == "campaign_accounts_min":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise doc.error("'campaign_accounts_min' must be a whole number, at least 1", where)
            values[key] = value
        elif key == "signals":
            values[key] = _signals(doc, value, where)
        elif key == "in_allow_list":
            values[key] = _allow_list_names(doc, value, where, allow_lists)
    low, high = values.get("account_score_min"), values.get("account_score_max")
    if low is not None and high is not None and low > high:
        raise doc.error("'account_score_min' is above 'account_score_max': the rule can never match", path)
    return Conditions(**values)


def _signals(doc: Located, raw: Any, path: PathKey) -> dict[str, float]:
    if not isinstance(raw, dict) or not raw:
        raise doc.error(
            f"'signals' must map evidence signal names to minimum values (e.g. {PEER_SIGNAL}: 0.5)", path
        )
    return {name: _number(doc, value, (*path, name)) for name, value in raw.items()}


def _allow_list_names(
    doc: Located, raw: Any, path: PathKey, allow_lists: dict[str, frozenset[str]]
) -> tuple[str, ...]:
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise doc.error("'in_allow_list' must be an allow-list name, a list of names, or 'any'", path)
    for name in names:
        if name != "any" and name not in allow_lists:
            known = ", ".join(sorted(allow_lists)) or "none defined"
            raise doc.error(f"unknown allow-list '{name}' (defined: {known})", path)
    return tuple(names)


def _action(doc: Located, raw: Any, path: PathKey) -> Action:
    try:
        return Action(raw)
    except ValueError:
        names = [a.value for a in Action]
        close = difflib.get_close_matches(str(raw), names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(names)}"
        raise doc.error(f"unknown action '{raw}'{hint}", path) from None


def _bool(doc: Located, raw: Any, path: PathKey) -> bool:
    if not isinstance(raw, bool):
        raise doc.error(f"expected true or false, got {raw!r}", path)
    return raw


def _number(doc: Located, raw: Any, path: PathKey) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise doc.error(f"expected a number, got {raw!r}", path)
    return float(raw)


def _unit(doc: Located, raw: Any, path: PathKey) -> float:
    value = _number(doc, raw, path)
    if not 0.0 <= value <= 1.0:
        raise doc.error(f"a score is between 0 and 1, got {value}", path)
    return value


def _nonneg(doc: Located, raw: Any, path: PathKey) -> float:
    value = _number(doc, raw, path)
    if value < 0:
        raise doc.error(f"expected a number of at least 0, got {value}", path)
    return value
