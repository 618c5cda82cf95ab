"""Everything about a new case that needs no database: placement, pseudonyms, the
receipt, the rows and the event. Done before the write, outside any lock."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

from case_intake.cases.schemas import CaseCreate, CaseCreated, LocationOut
from case_intake.cases.writer import NewCase
from case_intake.location.resolver import LocationResolver
from case_intake.residents.pseudonym import Pseudonymiser
from civic.contracts.cases import CaseLocation, ConsentFacts
from civic.contracts.common import CaseStatus
from civic.http.auth import Principal

# A case's version (Case.version, SQLAlchemy's version counter) when filed; every change
# raises it, and every event about the case carries it.
FIRST_VERSION = 1


def receipt_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def prepare(body: CaseCreate, principal: Principal, resolver: LocationResolver,
            pseudonymiser: Pseudonymiser) -> NewCase:
    now = datetime.now(UTC)
    case_id = uuid.uuid4()
    place = resolver.resolve(postcode=body.location.postcode,
                             ward_code=body.location.ward_code,
                             lsoa_code=body.location.lsoa_code)
    contact = body.contact
    keys = pseudonymiser.keys(phone=contact.phone, email=contact.email,
                              name=contact.name, date_of_birth=contact.date_of_birth)
    token = secrets.token_urlsafe(16)
    created = CaseCreated(
        id=case_id, status=CaseStatus.SUBMITTED, receipt_token=token,
        location=LocationOut(ward_code=place.ward_code, lsoa_code=place.lsoa_code,
                             resolved=place.resolved, needs_review=not place.resolved,
                             review_reason=place.review_reason))
    resident_key = keys[0] if keys else None
    return NewCase(
        case=dict(
            id=str(case_id), created_at=now, updated_at=now, channel=body.channel.value,
            source=body.source, categories=[c.value for c in body.categories],
            urgency=body.urgency.value, household=body.household.model_dump(mode="json"),
            status=CaseStatus.SUBMITTED.value, ward_code=place.ward_code,
            lsoa_code=place.lsoa_code, location_resolved=place.resolved,
            needs_review=not place.resolved, review_reason=place.review_reason,
            resident_key=resident_key, previous_contacts_12m=0,
            lawful_basis=body.consent.lawful_basis.value,
            share_with_partners=body.consent.share_with_partners,
            terms_version=body.consent.terms_version, receipt_hash=receipt_hash(token),
            created_by=principal.name, version=FIRST_VERSION),
        personal=dict(
            case_id=str(case_id), name=contact.name, phone=contact.phone,
            email=str(contact.email) if contact.email else None,
            date_of_birth=contact.date_of_birth, address=contact.address,
            postcode=body.location.postcode, details=body.details,
            preferred_contact=contact.preferred_contact),
        keys=keys,
        first_status=dict(case_id=str(case_id), at=now, actor_role=principal.role.value,
                          actor_id=principal.name, from_status=None,
                          to_status=CaseStatus.SUBMITTED.value,
                          reason=f"submitted via {body.channel.value}"),
        event=dict(
            case_id=case_id, submitted_at=now, channel=body.channel, source=body.source,
            categories=body.categories, urgency=body.urgency, household=body.household,
            location=CaseLocation(ward_code=place.ward_code, lsoa_code=place.lsoa_code,
                                  resolved=place.resolved),
            resident_key=resident_key, case_version=FIRST_VERSION,
            consent=ConsentFacts(lawful_basis=body.consent.lawful_basis.value,
                                 share_with_partners=body.consent.share_with_partners,
                                 terms_version=body.consent.terms_version)),
        response=created.model_dump(mode="json"))
