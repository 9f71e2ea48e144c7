"""docker/: the compose file parses and sets what a production start needs; nginx logs no token."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DOCKER = Path(__file__).resolve().parent.parent / "docker"


def test_the_compose_file_parses_and_trusts_only_its_own_network() -> None:
    compose = yaml.safe_load((DOCKER / "compose.yaml").read_text())
    app = compose["services"]["app"]["environment"]
    assert app["VITRINE_ENV"] == "production" and app["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert app["FORWARDED_ALLOW_IPS"] != "*"
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert app["FORWARDED_ALLOW_IPS"] == subnet
    assert compose["services"]["migrate"]["environment"]["ALLOW_DEMO"] == "${ALLOW_DEMO:-false}"


def test_nginx_logs_paths_without_their_query() -> None:
    conf = (DOCKER / "nginx.conf").read_text()
    formats = re.findall(r"log_format\s+\w+\s+([^;]+);", conf)
    assert formats and all("$request " not in f and "$request_uri" not in f and "$args" not in f for f in formats)
    assert re.search(r"access_log\s+\S+\s+vitrine;", conf)
