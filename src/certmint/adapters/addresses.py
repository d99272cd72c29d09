"""Which targets outbound requests may reach: the address policy.

Webhook endpoints are typed by organisation admins and did:web hosts come from credentials that
anyone can write, so either could aim Certmint at the machine it runs on or at its private
network (a database port, the cloud metadata service at 169.254.169.254). The policy allows
public unicast addresses only, judged on the addresses a name resolves to (not on the name):
loopback, link-local, private, shared (100.64.0.0/10), multicast, unspecified and reserved
addresses are refused, IPv4 and IPv6 alike, and an IPv4 address inside an IPv6 one (mapped,
compatible, NAT64, 6to4) is judged as the IPv4 address it carries. An operator allows chosen
networks anyway (``allowed_networks``, from ``CERTMINT_OUTBOUND_ALLOW_NETWORKS``), e.g. a
receiver on this host; in production only https URLs are used.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

from certmint.adapters.errors import OutboundRefused

__all__ = [
    "ALLOW_SETTING",
    "IPAddress",
    "IPNetwork",
    "OutboundPolicy",
    "Resolver",
    "Target",
    "literal_address",
    "resolve_host",
]

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network
#: Returns every address of a host name for a TCP port; raises ``OSError`` when it has none.
Resolver = Callable[[str, int], Sequence[IPAddress]]

#: Where an operator allows networks; named in refusals so the reader knows where to look.
ALLOW_SETTING = "CERTMINT_OUTBOUND_ALLOW_NETWORKS"
_NAT64 = IPv6Network("64:ff9b::/96")
_LOCALHOST = (IPv4Address("127.0.0.1"), IPv6Address("::1"))


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """The system resolver (``getaddrinfo``): every address of ``host``, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ip_address(info[4][0]) for info in infos))


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an address when it is written as one, the legacy IPv4 forms included that
    the system resolver would take without a DNS query (``127.1``, ``0x7f000001``,
    ``2130706433``); None for a name."""
    try:
        return ip_address(host)
    except ValueError:
        pass
    try:
        return IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries, if it is one of the forms that do."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    # NAT64 (64:ff9b::a.b.c.d), or the deprecated IPv4-compatible ::a.b.c.d
    if address in _NAT64 or (address.packed[:12] == bytes(12) and int(address) > 1):
        return IPv4Address(address.packed[12:])
    return None


def _kind(address: IPAddress) -> str | None:
    """What makes ``address`` unreachable by default ("a loopback address"); None if public."""
    if isinstance(address, IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return _kind(embedded)
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or (isinstance(address, IPv6Address) and address.is_site_local):
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


@dataclass(frozen=True)
class Target:
    """A URL's parts the client connects by, after the policy accepted the URL."""

    scheme: str
    host: str
    port: int


@dataclass(frozen=True)
class OutboundPolicy:
    """Which URLs and addresses outbound requests may reach (defaults: the strictest)."""

    require_https: bool = True
    allowed_networks: tuple[IPNetwork, ...] = ()

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` may not be reached ("a private address"); None when it may."""
        kind = _kind(address)
        if kind is None or self._allows(address):
            return None
        return kind

    def _allows(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, IPv6Address) and (embedded := _embedded_ipv4(address)):
            candidates.append(embedded)
        return any(a in network for a in candidates for network in self.allowed_networks)

    def check_url(self, url: str) -> Target:
        """Accept ``url`` as far as it can be judged without DNS (scheme, host, and the
        address when the host is written as one, or is ``localhost``); raise
        ``OutboundRefused`` otherwise. Names are judged again, by their addresses, when a
        request resolves them (``allowed_addresses``)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if self.require_https and scheme != "https":
            raise OutboundRefused(url, "only https:// URLs are allowed")
        if scheme not in ("https", "http"):
            raise OutboundRefused(url, "only http:// and https:// URLs are used")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise OutboundRefused(url, "its port is not a port number") from None
        host = parts.hostname or ""
        if not host:
            raise OutboundRefused(url, "it names no host")
        address = literal_address(host)
        if address is not None:
            self.allowed_addresses(url, [address])
        elif host == "localhost" or host.endswith(".localhost"):  # loopback by RFC 6761
            self.allowed_addresses(url, _LOCALHOST)
        return Target(scheme, host, port)

    def allowed_addresses(self, url: str, addresses: Sequence[IPAddress]) -> list[IPAddress]:
        """The addresses of ``addresses`` that may be reached, in order; ``OutboundRefused``
        when none may (a name that also resolves to a public address is reached there)."""
        allowed = [a for a in addresses if self.refusal(a) is None]
        if not allowed:
            kinds = sorted({self.refusal(a) or "" for a in addresses})
            raise OutboundRefused(
                url,
                f"its host is {' and '.join(kinds) or 'not an address'}, which is not allowed "
                f"unless {ALLOW_SETTING} includes it",
            )
        return allowed
