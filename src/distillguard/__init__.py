"""distillguard: find distillation campaigns in LLM API traffic and share signals with peers privately.

The public surface is small on purpose; everything else lives in private-by-convention stage modules
(``ingest``, ``fingerprint``, ``features``, ``detect``, ``report``, ``share``, ``hub``, ``policy``,
``gateway``) that follow the flow in DESIGN.md.
"""

from distillguard.errors import DistillguardError

__version__ = "0.1.0"

__all__ = ["DistillguardError", "__version__"]
