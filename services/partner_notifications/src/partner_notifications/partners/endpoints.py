"""Ops register partners and issue, rotate and revoke each partner's one key; a partner
reads its own record. Every change reaches every service through the directory."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from civic.contracts.partners import PARTNER_ID_PATTERN
from civic.http.auth import Principal, Role, require
from civic.http.problems import PROBLEM_RESPONSES
from partner_notifications.dependencies import Partners
from partner_notifications.partners.schemas import (
    PartnerChangeIn,
    PartnerContactOut,
    PartnerIn,
    PartnerKeyOut,
    PartnerOut,
)

router = APIRouter(prefix="/v1/partners", tags=["partners"], responses=PROBLEM_RESPONSES)
Ops = Annotated[Principal, Depends(require(Role.OPS))]
PartnerId = Annotated[str, Path(pattern=PARTNER_ID_PATTERN, examples=["partner.foodbank"])]


@router.post("", status_code=201, response_model=PartnerOut, responses={
    409: {"description": "A partner with this id exists"},
    422: {"description": "A field is wrong, or a ward is not the council's"}})
def register_partner(body: PartnerIn, ops: Ops, partners: Partners) -> PartnerOut:
    """Register an organisation. It has no key until `POST /v1/partners/{id}/key`."""
    return partners.register(body, ops)


@router.get("", response_model=list[PartnerOut])
def list_partners(_ops: Ops, partners: Partners) -> list[PartnerOut]:
    return partners.every()


@router.get("/me", response_model=PartnerOut)
def my_partner_record(partner: Annotated[Principal, Depends(require(Role.PARTNER))],
                      partners: Partners) -> PartnerOut:
    """The calling partner's own record: its coverage, as every service applies it."""
    return partners.me(partner)


@router.get("/{partner_id}", response_model=PartnerOut)
def get_partner(partner_id: PartnerId, _ops: Ops, partners: Partners) -> PartnerOut:
    return partners.get(partner_id)


@router.get("/{partner_id}/contact", response_model=PartnerContactOut)
def read_partner_contact(
        partner_id: PartnerId, ops: Ops, partners: Partners,
        purpose: Annotated[str, Query(min_length=3, max_length=200,
                                      description="Why you need it; kept in the audit log.")],
) -> PartnerContactOut:
    """The organisation's contact, often a named person: each read is audited."""
    return partners.contact(partner_id, ops, purpose)


@router.patch("/{partner_id}", response_model=PartnerOut)
def change_partner(partner_id: PartnerId, body: PartnerChangeIn, ops: Ops,
                   partners: Partners) -> PartnerOut:
    """Change the organisation, contact or coverage, or deactivate it (its key is then
    revoked everywhere). Case intake applies new coverage within seconds."""
    return partners.change(partner_id, body, ops)


@router.post("/{partner_id}/key", status_code=201, response_model=PartnerKeyOut, responses={
    403: {"description": "The partner is deactivated"}})
def issue_partner_key(partner_id: PartnerId, ops: Ops, partners: Partners) -> PartnerKeyOut:
    """Issue the partner's key, or rotate it: the old key stops working everywhere within
    seconds. The key is shown once."""
    return partners.issue_key(partner_id, ops)


@router.delete("/{partner_id}/key", status_code=204, response_class=Response, responses={
    404: {"description": "No such partner, or it has no live key"}})
def revoke_partner_key(partner_id: PartnerId, ops: Ops, partners: Partners) -> Response:
    """Revoke the key here and, within seconds, at every service."""
    partners.revoke_key(partner_id, ops)
    return Response(status_code=204)
