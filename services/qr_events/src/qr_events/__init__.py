"""QR events service: printed codes, short-link redirects and scan events."""

from civic.identity import ServiceIdentity

__version__ = "0.1.0"

IDENTITY = ServiceIdentity(
    name="qr_events",
    title="QR events",
    version=__version__,
    event_source="/civic/qr-events",
    summary="Printed QR codes that bridge paper and online services.",
    description="Creates codes for posters, letters, leaflets, venues and stickers; draws "
    "them as SVG, PNG and print-ready PDF; redirects each scan from memory (`/q/{code}`, "
    "never cached, never waiting on Kafka) and publishes it on `qr.scans` with its "
    "touchpoint and nothing about the person. Codes and their history are on the "
    "compacted `qr.codes`. Errors are RFC 9457 problem+json. Authenticate with "
    "`Authorization: Bearer <API key>`.",
)
