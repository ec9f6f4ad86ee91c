"""The consortium hub: a TAXII 2.1 server where members publish and read campaign indicators.

``create_app(open_store(path_or_url))`` is the ASGI application; ``serve`` runs it with uvicorn.
"""

from __future__ import annotations

from distillguard.hub._media import COLLECTION_ID, COLLECTION_TITLE, STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE
from distillguard.hub.app import create_app
from distillguard.hub.members import Member, member_identity_id, new_member
from distillguard.hub.store import HubStore, open_store

__all__ = [
    "COLLECTION_ID",
    "COLLECTION_TITLE",
    "STIX_MEDIA_TYPE",
    "TAXII_MEDIA_TYPE",
    "HubStore",
    "Member",
    "create_app",
    "member_identity_id",
    "new_member",
    "open_store",
]
