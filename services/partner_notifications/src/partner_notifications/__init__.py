"""Partner notifications service: signed webhooks to the partners who deliver help."""

from civic.identity import ServiceIdentity

__version__ = "0.1.0"

IDENTITY = ServiceIdentity(
    name="partner_notifications",
    title="Partner notifications",
    version=__version__,
    event_source="/civic/partner-notifications",
    summary="Signed webhooks to the voluntary groups that deliver help.",
    description="Sends Standard Webhooks, signed and with no personal data, to the partner "
    "organisations subscribed to the cases and areas they serve, and only ever to addresses "
    "that are safe to reach. Under construction: see the service README for what exists. "
    "Errors are RFC 9457 problem+json.",
)
