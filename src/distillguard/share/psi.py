"""Private set intersection (``openmined-psi``) for values too guessable to share even as keyed hashes.

A keyed hash of an IPv4 address can be reversed by anyone holding the consortium key (2^32 guesses),
so individual addresses, emails and payment ids are compared pairwise instead: one member (the
*server*) sends an encrypted, filtered form of its set; the other (the *client*) sends its blinded
values and learns which of them are in the overlap, nothing else. The server learns only the size of
the client's set. Running the protocol once in each direction lets both sides learn the overlap.

Messages are bytes (serialised protobufs) so they can travel over any channel the two members agree.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import private_set_intersection.python as psi

from distillguard.errors import ShareError

# Chance that a client query of the advertised size yields one false member of the overlap.
DEFAULT_FPR = 1e-9


def normalize_items(kind: str, values: Iterable[str]) -> list[str]:
    """Canonical, domain-separated items: '2001:DB8::1' meets '2001:db8::1'; an IP never meets an id."""
    items: set[str] = set()
    for value in values:
        text = value.strip()
        if not text:
            continue
        if kind == "ip":
            try:
                text = str(ipaddress.ip_address(text))
            except ValueError as exc:
                raise ShareError(f"not an IP address: {text!r}") from exc
        elif kind == "email":
            text = text.lower()
        items.add(f"{kind}:{text}")
    return sorted(items)


class PsiServer:
    """The side whose set is encrypted into a setup message; it answers one client's request."""

    def __init__(self, items: Sequence[str], fpr: float = DEFAULT_FPR) -> None:
        self._server = psi.server.CreateWithNewKey(True)
        self._items = list(items)
        self._fpr = fpr

    def setup_message(self, client_set_size: int) -> bytes:
        setup = self._server.CreateSetupMessage(
            self._fpr, max(client_set_size, 1), self._items, psi.DataStructure.GCS
        )
        data: bytes = setup.SerializeToString()
        return data

    def answer(self, request: bytes) -> bytes:
        parsed = psi.Request()
        try:
            parsed.ParseFromString(request)
            response = self._server.ProcessRequest(parsed)
        except Exception as exc:  # the C++ layer raises plain RuntimeError on bad input
            raise ShareError(f"unreadable PSI request: {exc}") from exc
        data: bytes = response.SerializeToString()
        return data


class PsiClient:
    """The side that learns which of its own items are in the overlap."""

    def __init__(self, items: Sequence[str]) -> None:
        self._client = psi.client.CreateWithNewKey(True)
        self.items = list(items)

    def request(self) -> bytes:
        data: bytes = self._client.CreateRequest(self.items).SerializeToString()
        return data

    def overlap(self, setup_message: bytes, response: bytes) -> list[str]:
        setup, answer = psi.ServerSetup(), psi.Response()
        try:
            setup.ParseFromString(setup_message)
            answer.ParseFromString(response)
            indices = self._client.GetIntersection(setup, answer)
        except Exception as exc:
            raise ShareError(f"unreadable PSI answer: {exc}") from exc
        return sorted(self.items[i] for i in indices)


@dataclass(frozen=True, slots=True)
class MutualOverlap:
    seen_by_a: tuple[str, ...]
    seen_by_b: tuple[str, ...]


def mutual_overlap(a_items: Sequence[str], b_items: Sequence[str], fpr: float = DEFAULT_FPR) -> MutualOverlap:
    """Run the protocol in both directions (in-process): each side learns the overlap of its own items."""

    def one_way(client_items: Sequence[str], server_items: Sequence[str]) -> list[str]:
        client, server = PsiClient(client_items), PsiServer(server_items, fpr)
        setup = server.setup_message(len(client_items))
        return client.overlap(setup, server.answer(client.request()))

    return MutualOverlap(tuple(one_way(a_items, b_items)), tuple(one_way(b_items, a_items)))
