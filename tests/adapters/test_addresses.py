"""The address policy, judged on addresses and URLs alone: nothing here opens a connection
(link-local, private and metadata addresses are never sent a packet by the test suite)."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address, ip_network

import pytest

from certmint.adapters import ALLOW_SETTING, OutboundPolicy, OutboundRefused, literal_address

STRICT = OutboundPolicy()
DEVELOPMENT = OutboundPolicy(require_https=False)

REFUSED = {
    "0.0.0.0": "unspecified",
    "::": "unspecified",
    "127.0.0.1": "loopback",
    "127.255.0.9": "loopback",
    "::1": "loopback",
    "169.254.169.254": "link-local",  # the cloud metadata service
    "fe80::1": "link-local",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "fc00::1": "private",
    "fd00:ec2::254": "private",  # AWS's IPv6 metadata service
    "fec0::1": "private",  # deprecated site-local
    "100.64.0.1": "reserved",  # shared address space (carrier-grade NAT)
    "192.0.2.1": "private",  # documentation
    "240.0.0.1": "private",
    "255.255.255.255": "private",
    "224.0.0.1": "multicast",
    "ff02::1": "multicast",
    "::ffff:127.0.0.1": "loopback",  # IPv4-mapped IPv6
    "::ffff:169.254.169.254": "link-local",
    "::127.0.0.1": "loopback",  # IPv4-compatible (deprecated)
    "64:ff9b::a9fe:a9fe": "link-local",  # NAT64 of 169.254.169.254
    "2002:a9fe:a9fe::1": "link-local",  # 6to4 of 169.254.169.254
}


@pytest.mark.parametrize(("address", "kind"), REFUSED.items())
def test_not_public_addresses_are_refused(address: str, kind: str) -> None:
    assert kind in (STRICT.refusal(ip_address(address)) or "")


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "2606:4700:4700::1111", "::ffff:93.184.216.34", "8.8.8.8"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert STRICT.refusal(ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/",
        "https://10.0.0.1/hooks",
        "https://[::ffff:7f00:1]/",
        "https://0.0.0.0:8000/",
        "https://[::]/",
        "https://2852039166/",  # 169.254.169.254 as one number
        "https://0xa9fea9fe/",
        "https://127.1/",
        "https://localhost/hooks",
        "https://api.localhost/",
    ],
)
def test_urls_naming_such_addresses_are_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(OutboundRefused) as refused:
        STRICT.check_url(url)
    assert ALLOW_SETTING in str(refused.value)
    assert str(refused.value).startswith(f"Certmint does not send requests to {url}: its host is")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://93.184.216.34/hooks", "only https:// URLs"),
        ("ftp://files.example/x", "only https:// URLs"),
        ("https:///no-host", "names no host"),
        ("https://hooks.example:99999/", "not a port number"),
    ],
)
def test_strict_policy_wants_https_urls_with_a_host(url: str, reason: str) -> None:
    with pytest.raises(OutboundRefused, match=reason):
        STRICT.check_url(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x.example/", "ftp://x.example/"])
def test_development_allows_http_but_no_other_scheme(url: str) -> None:
    assert DEVELOPMENT.check_url("http://hooks.example/in").port == 80
    with pytest.raises(OutboundRefused, match="only http:// and https://"):
        DEVELOPMENT.check_url(url)


def test_names_pass_the_url_check_and_are_judged_by_their_addresses() -> None:
    target = STRICT.check_url("https://hooks.example:8443/in?x=1")
    assert (target.scheme, target.host, target.port) == ("https", "hooks.example", 8443)
    public, private = ip_address("93.184.216.34"), ip_address("10.0.0.7")
    url = "https://hooks.example/in"
    assert STRICT.allowed_addresses(url, [private, public]) == [public]  # never the private one
    with pytest.raises(OutboundRefused, match="a loopback address and a private address"):
        STRICT.allowed_addresses(url, [private, ip_address("127.0.0.1")])


def test_an_operator_allows_chosen_networks_only() -> None:
    policy = OutboundPolicy(allowed_networks=(ip_network("10.1.0.0/16"), ip_network("::1/128")))
    assert policy.refusal(ip_address("10.1.2.3")) is None
    assert policy.refusal(ip_address("::ffff:10.1.2.3")) is None
    assert policy.refusal(ip_address("::1")) is None
    assert policy.refusal(ip_address("10.2.0.1")) == "a private address"
    assert policy.refusal(ip_address("169.254.169.254")) == "a link-local address"
    assert policy.check_url("https://10.1.0.9/hooks").host == "10.1.0.9"
    assert policy.check_url("https://localhost/").host == "localhost"  # ::1 is allowed


def test_literal_addresses_in_every_form_the_resolver_takes() -> None:
    assert literal_address("127.1") == IPv4Address("127.0.0.1")
    assert literal_address("0x7f000001") == IPv4Address("127.0.0.1")
    assert literal_address("2130706433") == IPv4Address("127.0.0.1")
    assert literal_address("::1") == ip_address("::1")
    assert literal_address("hooks.example") is None
