"""Batch writes to a faust table: every assignment to a faust table sends a changelog
message, so a bucket that a batch touches 40 times is written once, at the end."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

_DELETED = object()


class StagedTable(MutableMapping[str, Any]):
    def __init__(self, table: MutableMapping[str, Any]) -> None:
        self._table = table
        self._staged: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        value = self._staged.get(key, None)
        if value is _DELETED:
            raise KeyError(key)
        if value is not None:
            return value
        return self._table[key]

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[key]
        except KeyError:
            return default

    def __setitem__(self, key: str, value: Any) -> None:
        self._staged[key] = value

    def __delitem__(self, key: str) -> None:
        self._staged[key] = _DELETED

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a staged table is for reads and writes by key only")

    def __len__(self) -> int:
        raise TypeError("a staged table is for reads and writes by key only")

    def flush(self) -> None:
        for key, value in self._staged.items():
            if value is _DELETED:
                self._table.pop(key, None)
            else:
                self._table[key] = value
        self._staged.clear()
