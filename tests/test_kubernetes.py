"""The Kubernetes manifests (infra/kubernetes/) cannot be applied here (no cluster), so
they are checked instead: every object against Kubernetes' own schemas
(``kubernetes-validate``, strict: an unknown field is an error), and the platform's
rules: probes on /readyz and /healthz on each service's port, every setting production
requires given, and every credential from the Secret, never written in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from case_intake.settings import Settings as CaseIntake
from civic.settings import ServiceSettings
from need_scoring.settings import Settings as NeedScoring
from partner_notifications.settings import Settings as PartnerNotifications
from qr_events.settings import Settings as QrEvents

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = ROOT / "infra/kubernetes"
KUBERNETES = "1.30.0"  # the oldest release still supported when these were written
SERVICES: dict[str, type[ServiceSettings]] = {
    "case-intake": CaseIntake, "need-scoring": NeedScoring, "qr-events": QrEvents,
    "partner-notifications": PartnerNotifications}
CREDENTIAL_WORDS = ("SECRET", "PASSWORD", "DATABASE_URL", "API_KEY")


def objects() -> list[dict[str, Any]]:
    return [doc for path in sorted(MANIFESTS.glob("*.yaml"))
            for doc in yaml.safe_load_all(path.read_text()) if doc]


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects() if o["kind"] == kind}


@pytest.mark.parametrize("manifest", objects(),
                         ids=lambda o: f"{o['kind']}/{o['metadata']['name']}")
def test_every_object_follows_kubernetes_schemas(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, KUBERNETES, strict=True)


def test_the_schema_check_can_fail() -> None:
    broken = by_kind("Deployment")["case-intake"]
    broken = {**broken, "spec": {**broken["spec"], "replicas": "two", "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES, strict=True)


def test_every_service_has_a_deployment_with_probes_on_its_own_port() -> None:
    deployments = by_kind("Deployment")
    assert set(deployments) == set(SERVICES)
    for name, settings in SERVICES.items():
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        port = settings.model_fields["port"].default
        assert container["ports"] == [{"name": "http", "containerPort": port}], name
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        service = by_kind("Service")[name]["spec"]
        assert service["ports"][0]["port"] == port, name


def test_every_setting_production_requires_is_given_and_credentials_come_from_the_secret(
        ) -> None:
    """Seen to fail with a database URL moved into the ConfigMap, and with case intake's
    session secret left out."""
    config = by_kind("ConfigMap")["civic-config"]["data"]
    secret = by_kind("Secret")["civic-secrets"]["stringData"]
    assert not [k for k in config if any(w in k for w in CREDENTIAL_WORDS)], \
        "a credential is in the ConfigMap"
    assert all("replace-me" in value for value in secret.values()), \
        "the example Secret holds only placeholders, which the services refuse"
    for name, settings in SERVICES.items():
        container = by_kind("Deployment")[name]["spec"]["template"]["spec"]["containers"][0]
        given = set(config) | {e["name"] for e in container.get("env", [])}
        needed = {settings.model_construct().env_name(f)
                  for f in settings.required_in_production}
        assert needed <= given, f"{name} lacks {sorted(needed - given)}"
        for entry in container.get("env", []):
            if any(word in entry["name"] for word in CREDENTIAL_WORDS):
                assert entry["valueFrom"]["secretKeyRef"] == {
                    "name": "civic-secrets", "key": entry["name"]}, entry["name"]
                assert entry["name"] in secret, f"{entry['name']} is not in the Secret"


def test_need_scoring_replicas_keep_a_standby_copy_of_every_case() -> None:
    """Every need-scoring worker answers reads about every case from its own copy, so
    each keeps standby copies of the others' partitions: replicas - 1 of them. No more
    replicas than the case topics' partitions. Autoscaling on consumer lag is the next
    step (it needs a metrics adapter), so no autoscaler is shipped."""
    deployment = by_kind("Deployment")["need-scoring"]
    replicas = deployment["spec"]["replicas"]
    env = {e["name"]: e.get("value")
           for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert 2 <= replicas <= 6
    assert env["NEED_SCORING_STANDBY_REPLICAS"] == str(replicas - 1)
    assert "HorizontalPodAutoscaler" not in {o["kind"] for o in objects()}
