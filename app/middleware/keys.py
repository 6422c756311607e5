"""Provider keys: ``"<venue>:<domain>"`` (composites) and ``"<venue>:<domain>:<rest|ws>"`` (transports)."""

from __future__ import annotations

from functools import lru_cache

REST = "rest"
WS = "ws"
COMPOSITE = "composite"
PUBLIC = "public"
PRIVATE = "private"


class ProviderKey:
    """A parsed provider key; ``str(key)`` gives the text form back. Hashes by its text (cached)."""

    __slots__ = ("_hash", "domain", "kind", "text", "venue")

    def __init__(self, venue: str, domain: str, kind: str) -> None:
        self.venue = venue
        self.domain = domain
        self.kind = kind  # REST | WS | COMPOSITE
        self.text = f"{venue}:{domain}" if kind == COMPOSITE else f"{venue}:{domain}:{kind}"
        self._hash = hash(self.text)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProviderKey) and other.text == self.text

    @property
    def is_private(self) -> bool:
        return self.domain == PRIVATE

    def sibling(self, kind: str) -> ProviderKey:
        """The key of the same venue and domain with another kind (composite -> its ws / rest)."""
        return ProviderKey(self.venue, self.domain, kind)

    @property
    def attributes(self) -> dict[str, str]:
        """Metric / span attributes naming this key."""
        return {"cex.venue": self.venue, "cex.domain": self.domain, "cex.provider.kind": self.kind}

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"ProviderKey({self.text!r})"


@lru_cache(maxsize=256)
def parse_key(text: str) -> ProviderKey:
    """Parse ``"gateio:public"`` or ``"gateio:private:rest"``; ValueError on anything else."""
    parts = text.split(":")
    if len(parts) == 2 and all(parts):
        return ProviderKey(parts[0], parts[1], COMPOSITE)
    if len(parts) == 3 and all(parts) and parts[2] in (REST, WS):
        return ProviderKey(parts[0], parts[1], parts[2])
    raise ValueError(f"provider key must be 'venue:domain' or 'venue:domain:rest|ws', got {text!r}")
