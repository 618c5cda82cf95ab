"""The two URLs of a code: the short URL printed for typing, and the same URL marked as a
scan, which the QR image encodes. Both resolve; the mark tells scanned from typed."""

from __future__ import annotations

from dataclasses import dataclass

SCAN_VIA = "qr"
SCAN_MARK = f"via={SCAN_VIA}"  # on the URL inside the QR image


@dataclass(frozen=True)
class ShortLinks:
    base_url: str

    def short_url(self, code: str) -> str:
        return f"{self.base_url.rstrip('/')}/q/{code}"

    def scan_url(self, code: str) -> str:
        return f"{self.short_url(code)}?{SCAN_MARK}"

    def printed(self, code: str) -> str:
        """The short URL as printed: no scheme, nothing to mistype."""
        return self.short_url(code).split("://", 1)[-1]
