"""The case table, keyed the way Kafka partitions the case's events.

A case's events (and its override commands) are keyed by the case id's bytes, and the
producers' default partitioner (murmur2, the same in every Kafka client) puts them on
partition ``murmur2(id) % n``. The table is keyed by the same bytes, with as many
partitions, and sends each row to its changelog through that same partitioner
(``use_partitioner``), so a case's row lands in the partition its events arrive on: the
table is co-partitioned with its inputs by construction, whichever event is current.
``tests/stream/test_copartitioning.py`` checks the partitioners agree.

The rest of the service names cases by their id as text; this mapping translates.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any


class ByCaseId(MutableMapping[str, dict[str, Any]]):
    def __init__(self, table: Any) -> None:
        self.table = table  # a faust Table keyed by bytes (a MutableMapping at run time)

    def __getitem__(self, case_id: str) -> dict[str, Any]:
        value: dict[str, Any] = self.table[case_id.encode()]
        return value

    def get(self, case_id: str, default: Any = None) -> Any:
        return self.table.get(case_id.encode(), default)

    def __setitem__(self, case_id: str, value: dict[str, Any]) -> None:
        self.table[case_id.encode()] = value

    def __delitem__(self, case_id: str) -> None:
        del self.table[case_id.encode()]

    def __iter__(self) -> Iterator[str]:
        return (key.decode() for key in self.table)

    def __len__(self) -> int:
        return len(self.table)
