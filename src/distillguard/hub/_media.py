"""TAXII 2.1 constants shared by the hub server and the share client."""

from __future__ import annotations

import uuid

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"

API_ROOT_PATH = "consortium"
COLLECTION_TITLE = "distillation-indicators"
# Deterministic, so every hub (and every client) agrees on the collection's id without configuration.
COLLECTION_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://distillguard.dev/taxii/" + COLLECTION_TITLE))

# Page size when a client gives no `limit`, and the largest page the hub serves.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# Largest POST body the hub accepts (also advertised as the API root's max_content_length).
MAX_CONTENT_LENGTH = 10 * 1024 * 1024
