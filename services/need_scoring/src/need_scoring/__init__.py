"""Need scoring service: explainable need scores, area need and the heat map."""

from civic.identity import ServiceIdentity

__version__ = "0.1.0"

IDENTITY = ServiceIdentity(
    name="need_scoring",
    title="Need scoring",
    version=__version__,
    event_source="urn:civic:need-scoring",
    summary="Explainable need scores, area need and the heat map.",
    description="Scores every case on `cases.submitted` under a published policy, with "
    "every factor's points and reason, and publishes `cases.scored`; aggregates open "
    "need per ward and small area with small-number suppression and publishes "
    "`areas.need`. The score only orders work: it never closes or denies a case.",
)
