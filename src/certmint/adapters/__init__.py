"""Adapters: how Certmint talks to the outside world (the guarded HTTP client) and runs its
repeated work (the scheduler).

Beside ``storage/``, ``credentials/`` and ``rendering/``: libraries without a database or the
settings; ``bootstrap`` builds them from the settings and hands them to services and entry
points. Callers import from this package, which re-exports each module's ``__all__``.
"""

from certmint.adapters.addresses import (
    ALLOW_SETTING,
    IPAddress,
    IPNetwork,
    OutboundPolicy,
    Resolver,
    Target,
    literal_address,
    resolve_host,
)
from certmint.adapters.errors import OutboundError, OutboundFailed, OutboundRefused
from certmint.adapters.http import GuardedHttpClient
from certmint.adapters.scheduling import Periodic, Scheduler

__all__ = [
    "ALLOW_SETTING",
    "GuardedHttpClient",
    "IPAddress",
    "IPNetwork",
    "OutboundError",
    "OutboundFailed",
    "OutboundPolicy",
    "OutboundRefused",
    "Periodic",
    "Resolver",
    "Scheduler",
    "Target",
    "literal_address",
    "resolve_host",
]
