"""The docker-compose stack agrees with the code it runs.

No container engine is needed: Debian's docker-compose validates and normalises the file
(`docker-compose config`), and everything else is checked against Parley's own sources --
the CLI parser, the settings reader, the metric registry -- so renaming a command, an
environment variable, a port or a metric without updating the deployment fails here.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

try:
    import yaml
except ImportError:  # pragma: no cover - pyyaml is in the [test] extra
    pytest.fail("PyYAML is needed to read docker-compose.yml: pip install -e '.[test]'", pytrace=False)

from parley import config as config_module
from parley import metrics as metrics_module
from parley.cli import build_parser
from parley.config import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROMETHEUS_FILE = ROOT / "deploy" / "prometheus.yml"
ALERTMANAGER_FILE = ROOT / "deploy" / "alertmanager.yml"
DASHBOARD_FILE = ROOT / "deploy" / "grafana" / "dashboards" / "parley.json"
DATASOURCE_FILE = ROOT / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
PARLEY_IMAGE = "parley:local"
ENV_READ_BY_CONFIG = re.compile(r"^(PARLEY_|KAFKA_|DATABASE_URL$)")


@pytest.fixture(scope="module")
def compose(docker_compose) -> dict:
    """The compose file as docker-compose itself resolves it (anchors merged, defaults set)."""
    result = subprocess.run(
        [docker_compose, "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(ROOT)},
    )
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def parley_services(compose) -> dict[str, dict]:
    return {name: svc for name, svc in compose["services"].items() if svc.get("image") == PARLEY_IMAGE}


def worker_names(parley_services: dict[str, dict]) -> dict[str, str]:
    """compose service name -> worker name, for services running `parley worker NAME`."""
    return {
        name: svc["command"][1]
        for name, svc in parley_services.items()
        if svc.get("command", [None])[0] == "worker"
    }


def subcommand_choices(parser, *path: str) -> set[str]:
    """The choices of the first positional argument under `parley <path...>`."""
    for name in path:
        sub_action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = sub_action.choices[name]
    positional = next(a for a in parser._actions if not a.option_strings and a.choices)
    return set(positional.choices)


def container_ports(service: dict) -> set[int]:
    ports = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.add(int(port["target"]))
        else:
            ports.add(int(str(port).split(":")[-1].split("/")[0]))
    return ports


def settings_for(service: dict, monkeypatch) -> Settings:
    for name in list(os.environ):
        if ENV_READ_BY_CONFIG.match(name):
            monkeypatch.delenv(name)
    for name, value in (service.get("environment") or {}).items():
        monkeypatch.setenv(name, "" if value is None else str(value))
    return Settings.from_env()


def test_compose_file_is_valid_for_docker_compose(compose):
    assert {"kafka", "postgres", "topics", "prometheus", "alertmanager", "grafana"} <= set(compose["services"])


def test_every_parley_command_in_compose_is_a_real_cli_command(parley_services):
    parser = build_parser()
    assert parley_services, "no service runs the parley image"
    for name, service in parley_services.items():
        command = service.get("command")
        assert command, f"service {name} has no command"
        try:
            parser.parse_args(command)
        except SystemExit:
            pytest.fail(f"service {name}: `parley {' '.join(command)}` is not a valid command line")


def test_compose_runs_exactly_one_container_per_worker_of_the_cli(parley_services):
    workers = worker_names(parley_services)
    assert sorted(workers.values()) == sorted(subcommand_choices(build_parser(), "worker"))
    assert all(service == worker for service, worker in workers.items())


def test_workers_start_only_after_the_topics_job_completed(parley_services):
    topics_jobs = [n for n, s in parley_services.items() if s.get("command") == ["topics", "create"]]
    assert topics_jobs == ["topics"]
    for name in worker_names(parley_services):
        depends = parley_services[name].get("depends_on", {})
        assert depends.get("topics", {}).get("condition") == "service_completed_successfully", name


def test_kafka_never_auto_creates_topics(compose):
    env = compose["services"]["kafka"]["environment"]
    assert str(env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]).lower() == "false"


def test_every_parley_environment_variable_in_compose_is_read_by_the_config(parley_services):
    source = Path(config_module.__file__).read_text()
    for name, service in parley_services.items():
        for variable in service.get("environment") or {}:
            if ENV_READ_BY_CONFIG.match(variable):
                assert f'"{variable}"' in source, f"{name}: {variable} is not read in services/parley/config.py"


def test_parley_containers_on_kafka_use_idempotent_producers(parley_services, monkeypatch):
    for name, service in parley_services.items():
        assert settings_for(service, monkeypatch).kafka_idempotence, name


def test_ingest_api_port_mapped_is_the_one_the_config_listens_on(parley_services, monkeypatch):
    ingest = parley_services["ingest"]
    assert settings_for(ingest, monkeypatch).ingest_port in container_ports(ingest)


def test_healthchecks_probe_readyz_on_the_configured_status_port(parley_services, monkeypatch):
    for name in worker_names(parley_services):
        service = parley_services[name]
        probe = " ".join(service["healthcheck"]["test"])
        settings = settings_for(service, monkeypatch)
        assert f":{settings.http_port}/readyz" in probe, name
        assert settings.http_host == "0.0.0.0", f"{name} would only listen inside its own loopback"


def test_readyz_is_served_by_parley(parley_services):
    from aiohttp import web

    from parley.http import Health, add_health_routes

    app = web.Application()
    add_health_routes(app, Health(stage="probe"))
    paths = {resource.canonical for resource in app.router.resources()}
    assert {"/readyz", "/metrics"} <= paths


def test_prometheus_scrapes_the_status_port_of_every_worker(parley_services, monkeypatch):
    scrape = yaml.safe_load(PROMETHEUS_FILE.read_text())
    parley_job = next(job for job in scrape["scrape_configs"] if job["job_name"] == "parley")
    targets = {t for group in parley_job["static_configs"] for t in group["targets"]}
    expected = {
        f"{name}:{settings_for(parley_services[name], monkeypatch).http_port}"
        for name in worker_names(parley_services)
    }
    assert targets == expected
    assert parley_job.get("metrics_path", "/metrics") == "/metrics"


def test_prometheus_config_passes_promtool(promtool):
    # promtool reads rule_files relative to prometheus.yml, as Prometheus does in the
    # container: deploy/alerts/ here, /etc/prometheus/alerts/ there (the mount is checked by
    # test_prometheus_mounts_the_rule_files_where_its_config_reads_them). So this also checks
    # the rule files the container loads, with no copy and no rewritten paths.
    result = subprocess.run([promtool, "check", "config", str(PROMETHEUS_FILE)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    rule_files = yaml.safe_load(PROMETHEUS_FILE.read_text())["rule_files"]
    assert f"SUCCESS: {len(rule_files)} rule files found" in result.stdout + result.stderr
    for rule_file in rule_files:
        assert (PROMETHEUS_FILE.parent / rule_file).is_file(), rule_file


def test_prometheus_and_grafana_mount_the_files_in_deploy(compose):
    prometheus_mounts = " ".join(map(str, compose["services"]["prometheus"]["volumes"]))
    grafana_mounts = " ".join(map(str, compose["services"]["grafana"]["volumes"]))
    assert str(PROMETHEUS_FILE) in prometheus_mounts
    assert str(ROOT / "deploy" / "grafana" / "provisioning") in grafana_mounts
    assert str(DASHBOARD_FILE.parent) in grafana_mounts


def container_path_of(service: dict, source: Path) -> PurePosixPath | None:
    """Where a host path is mounted in a service's container (through a file or folder mount)."""
    for volume in service.get("volumes", []):
        host, target, *mode = str(volume).split(":")
        if not host.startswith("/"):
            continue  # a named volume
        host_path = Path(host)
        if source == host_path or host_path in source.parents:
            return PurePosixPath(target) / source.relative_to(host_path)
    return None


def is_read_only(service: dict, target: PurePosixPath) -> bool:
    for volume in service.get("volumes", []):
        parts = str(volume).split(":")
        if len(parts) >= 2 and (target == PurePosixPath(parts[1]) or PurePosixPath(parts[1]) in target.parents):
            return parts[2:] == ["ro"]
    return False


def command_flag(service: dict, flag: str) -> str:
    values = [arg.split("=", 1)[1] for arg in service.get("command", []) if arg.startswith(f"{flag}=")]
    assert len(values) == 1, f"{flag} is not set once in {service.get('command')}"
    return values[0]


def test_prometheus_mounts_the_rule_files_where_its_config_reads_them(compose):
    prometheus = compose["services"]["prometheus"]
    config_in_container = PurePosixPath(command_flag(prometheus, "--config.file"))
    assert container_path_of(prometheus, PROMETHEUS_FILE) == config_in_container
    rule_files = yaml.safe_load(PROMETHEUS_FILE.read_text())["rule_files"]
    assert rule_files, "prometheus.yml loads no rule file"
    for rule_file in rule_files:
        assert not any(c in rule_file for c in "*?["), f"{rule_file}: a glob would also load the rules' tests"
        in_repo = (PROMETHEUS_FILE.parent / rule_file).resolve()
        assert in_repo.is_file(), rule_file
        read_from = PurePosixPath(posixpath.normpath(config_in_container.parent / rule_file))
        assert container_path_of(prometheus, in_repo) == read_from, \
            f"Prometheus reads {read_from}, where {in_repo.relative_to(ROOT)} is not mounted"
        assert is_read_only(prometheus, read_from), read_from


def test_alertmanager_runs_a_pinned_image_with_the_config_in_deploy_read_only(compose):
    alertmanager = compose["services"]["alertmanager"]
    assert re.fullmatch(r"prom/alertmanager:v\d+\.\d+\.\d+", alertmanager["image"]), alertmanager["image"]
    config_in_container = PurePosixPath(command_flag(alertmanager, "--config.file"))
    assert container_path_of(alertmanager, ALERTMANAGER_FILE) == config_in_container
    assert is_read_only(alertmanager, config_in_container)
    assert alertmanager.get("restart") == "unless-stopped"


def test_alertmanager_and_prometheus_have_healthchecks_on_their_ready_endpoints(compose):
    for name, port in (("alertmanager", 9093), ("prometheus", 9090)):
        probe = " ".join(compose["services"][name]["healthcheck"]["test"])
        assert f"127.0.0.1:{port}/-/ready" in probe, name
        assert port in container_ports(compose["services"][name]), name


def test_prometheus_sends_alerts_to_the_alertmanager_service(compose):
    scrape = yaml.safe_load(PROMETHEUS_FILE.read_text())
    targets = {t for am in scrape["alerting"]["alertmanagers"] for group in am["static_configs"]
               for t in group["targets"]}
    assert targets == {"alertmanager:9093"}
    assert "alertmanager" in compose["services"]
    listen = [a for a in compose["services"]["alertmanager"]["command"] if a.startswith("--web.listen-address=")]
    assert listen in ([], ["--web.listen-address=:9093"])  # Alertmanager's default port


def exported_series() -> dict[str, set[str]]:
    """Series name -> label names, for every metric services/parley/metrics.py defines."""
    suffixes = {"counter": ("_total", "_created"), "gauge": ("",),
                "histogram": ("_bucket", "_sum", "_count", "_created"), "summary": ("", "_sum", "_count")}
    series = {}
    for value in vars(metrics_module).values():
        describe = getattr(value, "describe", None)
        if describe is None or not hasattr(value, "_labelnames"):
            continue
        for family in describe():
            labels = set(value._labelnames) | ({"le"} if family.type == "histogram" else set())
            for suffix in suffixes[family.type]:
                series[family.name + suffix] = labels
    return series


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD_FILE.read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    exprs += [var["definition"] for var in dashboard.get("templating", {}).get("list", []) if var.get("definition")]
    return exprs


def test_dashboard_queries_only_metrics_parley_exports():
    series = exported_series()
    used = {name for expr in dashboard_expressions() for name in re.findall(r"\bparley_[a-z0-9_]+", expr)}
    assert used, "the dashboard queries no Parley metric"
    assert used <= set(series), f"unknown metrics in the dashboard: {sorted(used - set(series))}"


def test_dashboard_groups_only_by_labels_the_metrics_carry():
    series = exported_series()
    for expr in dashboard_expressions():
        for labels, inner in re.findall(r"by \(([^)]*)\) \((.*)", expr):
            names = re.findall(r"\bparley_[a-z0-9_]+", inner)
            for label in (label.strip() for label in labels.split(",")):
                assert all(label in series[name] for name in names[:1]), f"{label!r} in {expr}"


def test_dashboard_covers_the_required_panels():
    exprs = " ".join(dashboard_expressions())
    for metric in ("parley_messages_in_total", "parley_messages_out_total", "parley_processing_seconds_bucket",
                   "parley_end_to_end_latency_seconds_bucket", "parley_consumer_lag", "parley_dlq_messages_total"):
        assert metric in exprs, metric


def test_dashboard_uses_the_provisioned_datasource():
    datasource = yaml.safe_load(DATASOURCE_FILE.read_text())["datasources"][0]
    dashboard = json.loads(DASHBOARD_FILE.read_text())
    uids = {panel["datasource"]["uid"] for panel in dashboard["panels"]}
    assert uids == {datasource["uid"]}


def test_docker_image_copies_only_paths_that_exist():
    copies = re.findall(r"^COPY\s+(.+?)\s+\S+$", (ROOT / "Dockerfile").read_text(), flags=re.M)
    sources = [src for line in copies for src in line.split()]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
