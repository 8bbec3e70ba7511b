"""A tiny authoritative resolver for one VPC (or the control node): exact names and *.suffix wildcards."""

from __future__ import annotations

import asyncio
import logging

from dnslib import QTYPE, RCODE, RR, A, DNSRecord

LOG = logging.getLogger(__name__)
TTL = 5


def lookup(records: dict[str, tuple[str, ...]], name: str) -> tuple[str, ...] | None:
    name = name.rstrip(".").lower()
    if name in records:
        return records[name]
    labels = name.split(".")
    for i in range(1, len(labels)):
        wildcard = "*." + ".".join(labels[i:])
        if wildcard in records:
            return records[wildcard]
    return None


def answer(records: dict[str, tuple[str, ...]], packet: bytes) -> bytes | None:
    try:
        request = DNSRecord.parse(packet)
    except Exception:  # noqa: BLE001 - garbage on the wire gets no answer
        return None
    reply = request.reply()
    qname = str(request.q.qname)
    addresses = lookup(records, qname)
    if addresses is None:
        reply.header.rcode = RCODE.NXDOMAIN
    elif request.q.qtype in (QTYPE.A, QTYPE.ANY):
        for address in addresses:
            reply.add_answer(RR(qname, QTYPE.A, rdata=A(address), ttl=TTL))
    # other types (AAAA ...): the name exists but has no such record, NOERROR with no answer
    return reply.pack()


class DnsProtocol(asyncio.DatagramProtocol):
    def __init__(self, zone: dict[str, tuple[str, ...]]) -> None:
        self.zone = zone
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        response = answer(self.zone, data)
        if response is not None and self.transport is not None:
            self.transport.sendto(response, addr)
