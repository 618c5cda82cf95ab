"""The case state machine. Every change is explicit here; anything else is refused."""

from __future__ import annotations

from civic.contracts.common import CaseStatus as S
from civic.errors import Conflict

TRANSITIONS: dict[S, frozenset[S]] = {
    S.SUBMITTED: frozenset({S.TRIAGED, S.WITHDRAWN, S.CLOSED}),
    S.TRIAGED: frozenset({S.CLAIMED, S.IN_PROGRESS, S.WITHDRAWN, S.CLOSED}),
    # a partner may hand a case back to the pool (claimed -> triaged)
    S.CLAIMED: frozenset({S.IN_PROGRESS, S.TRIAGED, S.WITHDRAWN, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.WITHDRAWN, S.CLOSED}),
    # a resolved case can be reopened if the help did not land
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# What each status means to the resident who asked for help, in plain English.
STATUS_MESSAGES = {
    S.SUBMITTED: "We have your request and will look at it soon.",
    S.TRIAGED: "We have looked at your request and are finding the right help.",
    S.CLAIMED: "An organisation has agreed to help you and will be in touch.",
    S.IN_PROGRESS: "Help is being arranged.",
    S.RESOLVED: "We think your request has been dealt with.",
    S.CLOSED: "This request is closed.",
    S.WITHDRAWN: "This request was withdrawn.",
}


class IllegalTransition(Conflict):
    def __init__(self, current: S, target: S) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (it is final)"
        super().__init__("Illegal status change",
                         f"a {current} case cannot become {target}; allowed: {allowed}",
                         slug="illegal-transition")
        self.current, self.target = current, target


def check(current: S, target: S) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
