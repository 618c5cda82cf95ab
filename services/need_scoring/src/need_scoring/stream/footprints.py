"""What each case adds to open need, on its way from the case's worker to the area owner.

Every worker scores only the cases of its own partitions, but area figures must be
counted once, over the whole borough (suppression needs every cell). So the scoring
agent tells each case's current footprint to an internal topic of one partition,
``<group>-footprints``, and the worker that owns that partition counts them
(``areas.counts.AreaCounts``) and publishes area need. A footprint carries the case's
opaque id and revision, a small area, a day, a band and categories: nothing personal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from civic.contracts.envelope import KafkaRecord
from need_scoring.areas.counts import Footprint

PER_RECORD = 500  # footprints in one record: at most about 120 kB, under the broker's 1 MB


@dataclass(frozen=True)
class FootprintTold:
    case_id: str
    revision: int
    footprint: Footprint | None

    def to_json(self) -> list[object]:
        return [self.case_id, self.revision,
                self.footprint.to_json() if self.footprint else None]

    @classmethod
    def from_json(cls, data: list[object]) -> FootprintTold:
        case_id, revision, footprint = data
        if not isinstance(case_id, str) or not case_id:
            raise ValueError("a footprint needs a case id")
        return cls(case_id, int(str(revision)),
                   Footprint.from_json(footprint) if footprint else None)  # type: ignore[arg-type]


def parse(value: bytes | None) -> list[FootprintTold]:
    """A record's footprints. Raises (KeyError, ValueError, TypeError) on a record this
    service did not write; the caller dead-letters nothing, since no input is behind
    it, and logs."""
    if value is None:
        raise ValueError("a footprints record needs a value")
    return [FootprintTold.from_json(item) for item in json.loads(value)["told"]]


class FootprintOutbox:
    """The batch's footprints, newest per case, told once the batch is handled: a few
    records a batch rather than one a case, since each record costs the broker and both
    ends more than its few bytes do."""

    def __init__(self) -> None:
        self._told: dict[str, FootprintTold] = {}

    def changed(self, case_id: str, revision: int, footprint: Footprint | None) -> None:
        self._told[case_id] = FootprintTold(case_id, revision, footprint)

    def records(self, topic: str) -> list[KafkaRecord]:
        told = list(self._told.values())
        return [KafkaRecord(topic=topic, key=b"footprints", headers=[], value=json.dumps(
                    {"told": [t.to_json() for t in told[i:i + PER_RECORD]]},
                    separators=(",", ":")).encode())
                for i in range(0, len(told), PER_RECORD)]
