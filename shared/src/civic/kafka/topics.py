"""The topic registry: topics as data (infra/topics.yaml), applied idempotently."""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from pydantic import BaseModel, ConfigDict, Field

from civic.paths import infra_file

log = logging.getLogger(__name__)

DLQ_SUFFIX = ".dlq"


class TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9._-]*$")
    key: str
    partitions: int = Field(ge=1, le=256)
    retention_ms: int | None = Field(default=None, ge=60_000)
    compacted: bool = False
    dlq: bool = False
    replication_factor: int = 1

    def configs(self) -> dict[str, str]:
        configs = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if self.retention_ms is not None:
            configs["retention.ms"] = str(self.retention_ms)
        return configs


class _Defaults(BaseModel):
    replication_factor: int = 1
    dlq_retention_ms: int = 30 * 24 * 3600 * 1000


class _RegistryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: _Defaults = _Defaults()
    topics: list[TopicSpec]


class TopicRegistry:
    def __init__(self, topics: list[TopicSpec]) -> None:
        self.topics = topics
        self._by_name = {t.name: t for t in topics}

    @classmethod
    def load(cls, path: Path | None = None) -> TopicRegistry:
        path = path or infra_file("topics.yaml")
        raw = _RegistryFile.model_validate(yaml.safe_load(path.read_text()))
        topics: list[TopicSpec] = []
        for spec in raw.topics:
            spec = spec.model_copy(update={"replication_factor": raw.defaults.replication_factor})
            topics.append(spec)
            if spec.dlq:
                topics.append(
                    spec.model_copy(
                        update={
                            "name": spec.name + DLQ_SUFFIX,
                            "retention_ms": raw.defaults.dlq_retention_ms,
                            "compacted": False,
                            "dlq": False,
                        }
                    )
                )
        return cls(topics)

    def __getitem__(self, name: str) -> TopicSpec:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        return [t.name for t in self.topics]

    def apply(self, bootstrap_servers: str) -> list[str]:
        """Create the topics the broker lacks; return the names created."""
        admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="civic-topics")
        try:
            existing = set(admin.list_topics())
            missing = [t for t in self.topics if t.name not in existing]
            created = []
            for spec in missing:
                try:
                    admin.create_topics(
                        [
                            NewTopic(
                                name=spec.name,
                                num_partitions=spec.partitions,
                                replication_factor=spec.replication_factor,
                                topic_configs=spec.configs(),
                            )
                        ]
                    )
                    created.append(spec.name)
                except TopicAlreadyExistsError:
                    pass  # another process won the race; that is fine
            if created:
                log.info("created topics: %s", ", ".join(created))
            return created
        finally:
            admin.close()
