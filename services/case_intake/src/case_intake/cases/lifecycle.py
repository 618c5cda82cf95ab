"""The case state machine. Every change is explicit here; anything else is refused."""

from __future__ import annotations

from civic.contracts.common import CaseStatus as S

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

OPEN = frozenset({S.SUBMITTED, S.TRIAGED, S.CLAIMED, S.IN_PROGRESS})


class IllegalTransition(Exception):
    def __init__(self, current: S, target: S) -> None:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (it is final)"
        super().__init__(f"a {current} case cannot become {target}; allowed: {allowed}")
        self.current, self.target = current, target


def check(current: S, target: S) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
