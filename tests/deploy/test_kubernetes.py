"""The Kubernetes example parses, and says what the README says: roles, probes, migrations, secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.config import Secrets, load_config

ROOT = Path(__file__).resolve().parents[2]


def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    documents = yaml.safe_load_all((ROOT / "deploy/kubernetes/opsbot.yaml").read_text(encoding="utf-8"))
    return {(d["kind"], d["metadata"]["name"]): d for d in documents if d}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    [only] = deployment["spec"]["template"]["spec"]["containers"]
    return only


def test_web_and_worker_deployments_run_their_roles_with_readiness_on_healthz() -> None:
    found = manifests()
    for role in ("web", "worker"):
        pod = container(found[("Deployment", f"opsbot-{role}")])
        assert pod["command"][:4] == ["opsbot", "run", "--role", role]
        assert pod["readinessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"secretRef": {"name": "opsbot-secrets"}} in pod["envFrom"]
    selector = found[("Service", "opsbot-web")]["spec"]["selector"]
    assert selector == {"app": "opsbot", "role": "web"}


def test_a_job_migrates_the_database() -> None:
    job = manifests()[("Job", "opsbot-migrate")]
    [pod] = job["spec"]["template"]["spec"]["containers"]
    assert pod["command"][:3] == ["opsbot", "db", "upgrade"]


def test_the_config_is_valid_and_the_secrets_are_ones_opsbot_reads(tmp_path: Path) -> None:
    found = manifests()
    config = tmp_path / "config.yaml"
    config.write_text(found[("ConfigMap", "opsbot-config")]["data"]["config.yaml"], encoding="utf-8")
    settings = load_config(config, environ={}).settings
    assert settings.telegram.mode == "webhook" and settings.server.host == "0.0.0.0"
    assert set(found[("Secret", "opsbot-secrets")]["stringData"]) <= set(Secrets.model_fields)
