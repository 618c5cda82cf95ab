"""The partner directory as this process has read it from ``partners.directory``.

Partner notifications issues partner keys and publishes each partner's record (live key
hashes and coverage, :class:`civic.contracts.partners.PartnerDirectoryEntry`) on that
compacted topic. A service that admits partner keys follows the topic whole, in every
worker (:meth:`PartnerDirectory.reader`), and hands the directory to its
:class:`civic.http.auth.ApiKeyStore`, which asks it first. So one key works everywhere,
its coverage is the one ops set, and a revocation reaches every worker as fast as the
topic does (well under a second on a healthy broker), with no cache to wait out.

Records are applied only if newer than the partner's last (by ``revision``), so a
replay from the beginning, or a record read twice, changes nothing.
"""

from __future__ import annotations

import threading
import time

from civic.contracts import EventPayload
from civic.contracts.partners import PartnerDirectoryEntry
from civic.http.auth import Principal, Role
from civic.http.coverage import Coverage
from civic.kafka.compacted import CompactedReader
from civic.observability import gauge


class PartnerDirectory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revisions: dict[str, int] = {}
        self._hashes: dict[str, frozenset[str]] = {}  # partner id -> its live key hashes
        self._by_hash: dict[str, Principal] = {}
        self._synced_at: float | None = None
        gauge("civic_partner_directory_age_seconds", "Seconds since this worker's partner "
              "directory was last known current with partners.directory (NaN: not yet); "
              "alert when it grows, as revocations wait on it.").set_function(
            lambda: float("nan") if (age := self.age_s()) is None else age)
        gauge("civic_partner_directory_partners",
              "Partners in this worker's directory.").set_function(lambda: len(self))

    def apply(self, entry: PartnerDirectoryEntry) -> bool:
        """Take a record in; False (and nothing changes) unless it is newer."""
        with self._lock:
            if self._revisions.get(entry.partner_id, 0) >= entry.revision:
                return False
            self._revisions[entry.partner_id] = entry.revision
            for digest in self._hashes.pop(entry.partner_id, frozenset()):
                self._by_hash.pop(digest, None)
            if not entry.active:
                return True
            principal = Principal(entry.partner_id, Role.PARTNER, Coverage(
                frozenset(entry.wards), frozenset(c.value for c in entry.categories)))
            self._hashes[entry.partner_id] = frozenset(entry.key_hashes)
            for digest in entry.key_hashes:
                self._by_hash[digest] = principal
            return True

    def principal_for(self, key_hash: str) -> Principal | None:
        """The partner whose live key has this SHA-256, if the directory knows one."""
        return self._by_hash.get(key_hash)

    def knows(self, partner_id: str) -> bool:
        return partner_id in self._revisions

    def __len__(self) -> int:
        return len(self._revisions)

    def mark_synced(self) -> None:
        self._synced_at = time.monotonic()

    def age_s(self) -> float | None:
        """Seconds since the reader last had nothing left to read (None: not yet)."""
        return None if self._synced_at is None else time.monotonic() - self._synced_at

    def reader(self, bootstrap_servers: str, client_id: str) -> CompactedReader:
        """A reader (not yet started) that keeps this directory current."""
        return CompactedReader(bootstrap_servers, PartnerDirectoryEntry.topic,
                               client_id=f"{client_id}-directory", on_event=self._on_event,
                               on_synced=self.mark_synced)

    def _on_event(self, payload: EventPayload) -> None:
        if isinstance(payload, PartnerDirectoryEntry):
            self.apply(payload)
