"""What each case adds to open need, on its way from the case's worker to the area owner.

Every worker scores only the cases of its own partitions, but area figures must be
counted once, over the whole borough (suppression needs every cell). So the scoring
agent tells each case's current footprint to an internal topic of one partition,
``<group>-footprints``, and the worker that owns that partition counts them
(``areas.counts.AreaCounts``) and publishes area need. A footprint carries a small area,
a day, a band and categories, keyed by the case's opaque id: nothing personal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from civic.contracts.envelope import KafkaRecord
from need_scoring.areas.counts import Footprint


@dataclass(frozen=True)
class FootprintTold:
    case_id: str
    revision: int
    footprint: Footprint | None

    def record(self, topic: str) -> KafkaRecord:
        value = {"revision": self.revision,
                 "footprint": self.footprint.to_json() if self.footprint else None}
        return KafkaRecord(topic=topic, key=self.case_id.encode(),
                           value=json.dumps(value, separators=(",", ":")).encode(),
                           headers=[])

    @classmethod
    def parse(cls, key: bytes | None, value: bytes | None) -> FootprintTold:
        """Raises (KeyError, ValueError, TypeError) on a record this service did not
        write; the caller dead-letters nothing, since no input is behind it, and logs."""
        if not key or value is None:
            raise ValueError("a footprint needs a case id and a value")
        data = json.loads(value)
        footprint = data["footprint"]
        return cls(key.decode(), int(data["revision"]),
                   Footprint.from_json(footprint) if footprint else None)


class FootprintOutbox:
    """The batch's footprints, newest per case: told once the batch is handled."""

    def __init__(self) -> None:
        self._told: dict[str, FootprintTold] = {}

    def changed(self, case_id: str, revision: int, footprint: Footprint | None) -> None:
        self._told[case_id] = FootprintTold(case_id, revision, footprint)

    def records(self, topic: str) -> list[KafkaRecord]:
        return [told.record(topic) for told in self._told.values()]
