"""Staff override a band from case intake's case page, where they are signed in to case
intake, not here. Case intake calls this API with its own staff key and names the
member of staff in ``Civic-Acting-For``, so the decision is recorded as theirs and the
audit line says which service relayed it. Only the key names listed in
``NEED_SCORING_DELEGATING_CALLERS`` may name someone else; from any other key the header
is refused, so no staff key can record a decision in a colleague's name."""

from __future__ import annotations

from civic.errors import NotAllowed
from civic.http.auth import Principal, Role

HEADER = "Civic-Acting-For"
ACTOR_ID_PATTERN = r"^[a-z0-9][a-z0-9_.:-]{0,63}$"


def acting_principal(caller: Principal, acting_for: str | None,
                     delegating_callers: frozenset[str]) -> tuple[Principal, str | None]:
    """Whose decision this is, and the relaying caller's name if it was relayed."""
    if acting_for is None or acting_for == caller.name:
        return caller, None
    if caller.name not in delegating_callers:
        raise NotAllowed("May not act for others",
                         f"The key {caller.name} may not send {HEADER}: only the keys in "
                         "NEED_SCORING_DELEGATING_CALLERS may act for a member of staff.",
                         slug="not-a-delegating-caller")
    return Principal(acting_for, Role.STAFF), caller.name
