"""kafka-python checks and writes every record batch's CRC-32C. Its own pure-Python CRC
was about a fifth of the outbox relay's time (py-spy under make bench), so civic depends
on ``kafka-python[crc32c]``; this fails if the C checksum stops being the one used."""

from __future__ import annotations

import crc32c
from kafka.record import util


def test_kafka_python_uses_the_c_checksum() -> None:
    assert util._crc32c is crc32c.crc32c
    assert util.calc_crc32c(memoryview(b"123456789")) == 0xE3069283  # the CRC-32C check value
