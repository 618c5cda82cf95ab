"""Band overrides travel as commands, so only the worker that owns a case changes it.

The endpoint (on any worker) keeps the decision in the database as ``pending`` and puts
a command on ``need-scoring.band-overrides``, keyed by the case id like the case's own
events and with as many partitions, so it reaches the worker that owns the case. That
worker applies it in its agent, publishes the new score and records the outcome; the
endpoint answers once the outcome is in the database. The command carries the
decision's id, band, role and time: the reason never leaves the database.

Every policy version's consumer group reads the commands and applies them, but only the
group of the policy the decision was made under records its outcome: a new version's
group, replaying, may meet the command before the case, and keeps it for when the case
comes. Only a pending decision's outcome is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session, sessionmaker

from civic.contracts.envelope import KafkaRecord
from civic.contracts.scoring import AppliedOverride
from need_scoring.overrides import repository

OVERRIDE_COMMANDS = "need-scoring.band-overrides"

State = Literal["pending", "applied", "not-found", "erased"]


@dataclass(frozen=True)
class Outcome:
    override_id: int
    state: State
    computed_band: str = ""  # the band the policy gives, which the decision replaced


POLICY_HEADER = "civic_policy_version"


def command(case_id: str, override: AppliedOverride, policy_version: str) -> KafkaRecord:
    return KafkaRecord(topic=OVERRIDE_COMMANDS, key=case_id.encode(),
                       value=override.model_dump_json().encode(),
                       headers=[(POLICY_HEADER, policy_version.encode())])


def policy_of(headers: list[tuple[str, bytes]]) -> str | None:
    return next((bytes(v).decode() for k, v in headers if k == POLICY_HEADER), None)


def record_outcomes(sessions: sessionmaker[Session], outcomes: list[Outcome]) -> None:
    with sessions.begin() as session:
        for outcome in outcomes:
            repository.settle(session, outcome.override_id, outcome.state,
                              outcome.computed_band)
            if outcome.state == "erased":  # staff's words about an erased case go
                repository.remove(session, outcome.override_id)
