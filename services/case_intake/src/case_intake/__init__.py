"""Case intake service: requests for help from residents, phone staff and partners."""

from civic.identity import ServiceIdentity

__version__ = "0.1.0"

IDENTITY = ServiceIdentity(
    name="case_intake",
    title="Case intake",
    version=__version__,
    event_source="/civic/case-intake",
    summary="Requests for help from residents, phone staff and partners.",
    description="Files cases, places them in ward and small area, links earlier contacts "
    "by pseudonym, runs the case lifecycle and partner claims, and publishes "
    "`cases.submitted` and `cases.lifecycle` through a transactional outbox. Errors are "
    "RFC 9457 problem+json. Authenticate with `Authorization: Bearer <API key>`.",
)
