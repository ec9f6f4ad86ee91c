"""The STIX vocabulary of distillguard sharing: custom observables, their extension definitions, TLP 2.0.

The four custom cyber-observables are defined through STIX 2.1 extension definitions (``new-sco``)
whose JSON schemas ship in ``share/schemas/`` (named by extension-definition id, so ``stix2-validator
--schemas`` checks them offline) and are embedded as the definitions' ``schema`` text. Extension
definitions, the distillguard identity that created them and the TLP 2.0 marking definitions are
*reference objects*: every member has them from the software, so ``publish`` does not post them and
``pull`` adds them back.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from importlib import resources
from typing import Any

import stix2
from stix2.properties import IntegerProperty, ListProperty, StringProperty

_EXTENSION_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://distillguard.dev/stix/extension")
_DEFINED = "2026-01-01T00:00:00.000Z"

NETWORK_HASH = "x-distillguard-network-hash"
PAYMENT_HASH = "x-distillguard-payment-hash"
TEMPLATE_FINGERPRINT = "x-distillguard-template-fingerprint"
TIMING_SIGNATURE = "x-distillguard-timing-signature"
CUSTOM_TYPES: tuple[str, ...] = (NETWORK_HASH, PAYMENT_HASH, TEMPLATE_FINGERPRINT, TIMING_SIGNATURE)

EXTENSION_IDS: dict[str, str] = {
    name: f"extension-definition--{uuid.uuid5(_EXTENSION_NAMESPACE, name)}" for name in CUSTOM_TYPES
}
_EXTENSION_NAMES = {
    NETWORK_HASH: "distillguard keyed network hash",
    PAYMENT_HASH: "distillguard keyed payment hash",
    TEMPLATE_FINGERPRINT: "distillguard template fingerprint",
    TIMING_SIGNATURE: "distillguard timing signature",
}

# 1.1.0: timing signatures carry ``release_lag_hours`` per model (optional; 1.0.0 bundles still valid).
_EXTENSION_VERSIONS = {TIMING_SIGNATURE: "1.1.0"}

DISTILLGUARD_IDENTITY = stix2.v21.Identity(
    id=f"identity--{uuid.uuid5(_EXTENSION_NAMESPACE, 'distillguard project')}",
    created=_DEFINED,
    modified=_DEFINED,
    name="distillguard project",
    description="Authors of the distillguard STIX extensions for sharing distillation-campaign signals.",
    identity_class="organization",
)

# OASIS TLP 2.0 marking definitions (cti-stix-common-objects, extension-definition--60a3c5c5-...).
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
_TLP2_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_LEVELS: tuple[str, ...] = tuple(_TLP2_IDS)


def tlp_marking(level: str) -> stix2.v21.MarkingDefinition:
    """The OASIS TLP 2.0 marking definition for ``level`` ("clear", "green", "amber", ...)."""
    return stix2.v21.MarkingDefinition(
        id=_TLP2_IDS[level],
        created="2022-10-01T00:00:00.000Z",
        name=f"TLP:{level.upper()}",
        extensions={TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}},
        allow_custom=True,
    )


def tlp_level_of(marking_ids: list[str]) -> str | None:
    """The TLP 2.0 level among ``marking_ids``, if any."""
    by_id = {v: k for k, v in _TLP2_IDS.items()}
    return next((by_id[m] for m in marking_ids if m in by_id), None)


@cache
def extension_schema(type_name: str) -> dict[str, Any]:
    """The JSON schema of a custom observable type (self-contained: no remote ``$ref``)."""
    text = (
        resources.files("distillguard.share")
        .joinpath("schemas", f"{EXTENSION_IDS[type_name]}.json")
        .read_text()
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def schema_dir() -> str:
    """Folder of the extension schemas, for ``stix2validator.ValidationOptions(schema_dir=...)``."""
    return str(resources.files("distillguard.share").joinpath("schemas"))


def extension_definitions() -> list[stix2.v21.ExtensionDefinition]:
    return [
        stix2.v21.ExtensionDefinition(
            id=EXTENSION_IDS[name],
            created_by_ref=DISTILLGUARD_IDENTITY.id,
            created=_DEFINED,
            modified=_DEFINED,
            name=_EXTENSION_NAMES[name],
            description=extension_schema(name)["description"],
            schema=json.dumps(extension_schema(name), sort_keys=True),
            version=_EXTENSION_VERSIONS.get(name, "1.0.0"),
            extension_types=["new-sco"],
        )
        for name in CUSTOM_TYPES
    ]


def reference_objects(tlp_levels: tuple[str, ...] = TLP_LEVELS) -> list[Any]:
    """Objects every member has from the software (see the module docstring)."""
    return [DISTILLGUARD_IDENTITY, *extension_definitions(), *(tlp_marking(level) for level in tlp_levels)]


REFERENCE_IDS: frozenset[str] = frozenset(
    [DISTILLGUARD_IDENTITY.id, *EXTENSION_IDS.values(), *_TLP2_IDS.values()]
)

_KEYED = [("epoch", IntegerProperty(required=True)), ("key_id", StringProperty(required=True))]


@stix2.v21.CustomObservable(
    NETWORK_HASH,
    [
        ("value", StringProperty(required=True)),
        ("kind", StringProperty(required=True)),
        ("prefix_length", IntegerProperty()),
        *_KEYED,
    ],
    id_contrib_props=["value", "kind"],
    extension_name=EXTENSION_IDS[NETWORK_HASH],
)
class _NetworkHash:
    """A keyed hash of an IP prefix or User-Agent."""


NetworkHash: Any = _NetworkHash  # stix2 builds the constructor at run time


@stix2.v21.CustomObservable(
    PAYMENT_HASH,
    [("value", StringProperty(required=True)), *_KEYED],
    id_contrib_props=["value"],
    extension_name=EXTENSION_IDS[PAYMENT_HASH],
)
class _PaymentHash:
    """A keyed hash of an opaque payment-method id."""


PaymentHash: Any = _PaymentHash  # stix2 builds the constructor at run time


@stix2.v21.CustomObservable(
    TEMPLATE_FINGERPRINT,
    [
        ("value", StringProperty(required=True)),
        ("part", StringProperty(required=True)),
        ("method", StringProperty(required=True)),
        ("num_perm", IntegerProperty()),
        ("shingle_words", IntegerProperty()),
        ("requests", IntegerProperty()),
        *_KEYED,
    ],
    id_contrib_props=["value", "part"],
    extension_name=EXTENSION_IDS[TEMPLATE_FINGERPRINT],
)
class _TemplateFingerprint:
    """A MinHash signature of a masked user template, or a keyed hash of a system prompt / tool set."""


TemplateFingerprint: Any = _TemplateFingerprint  # stix2 builds the constructor at run time


@stix2.v21.CustomObservable(
    TIMING_SIGNATURE,
    [
        ("value", StringProperty(required=True)),
        ("hour_profile", ListProperty(IntegerProperty(), required=True)),
        ("median_interarrival_s", stix2.properties.FloatProperty()),
        ("active_hours_per_day", stix2.properties.FloatProperty()),
        ("model_first_use", ListProperty(stix2.properties.DictionaryProperty())),
    ],
    id_contrib_props=["value"],
    extension_name=EXTENSION_IDS[TIMING_SIGNATURE],
)
class _TimingSignature:
    """When a campaign sends requests, and when it first used each model."""


TimingSignature: Any = _TimingSignature  # stix2 builds the constructor at run time
