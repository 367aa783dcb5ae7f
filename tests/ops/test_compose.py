"""docker-compose.yml, checked without a Docker engine (issue 14).

There is no engine on the development and CI machines, so the deployment is validated
statically: Debian's ``docker-compose`` (1.29, installed by ``make compose-tool``) must accept
the file with ``.env.example``; the services must run the processes ``make run`` starts
(``ops/supervisord.conf``, with the ports and files the Makefile gives it) with the same
arguments; every command must name files and modules of the repository, built into the
images by the ``Dockerfile`` rather than at container start; only the API may publish a
port; every long-running service restarts and has a healthcheck; and the example secrets
must be refused. What only an engine could show (that the images build, that the services
reach each other) is listed in docs/operations.md.
"""

from __future__ import annotations

import configparser
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.check_secrets import EX_CONFIG, problems

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
SUPERVISORD_CONF = ROOT / "ops" / "supervisord.conf"
MAKEFILE = ROOT / "Makefile"

# The processes of `make run` (ops/supervisord.conf), plus what a deployment adds; Redis is
# a program of `make run` too, and the official image in a deployment.
PROGRAMS = {"actions", "rasa", "api", "tchap"}
INFRASTRUCTURE = {"postgres", "redis"}
ONE_SHOT = {"migrate"}
# Inside a container a service listens on all its interfaces (the compose network is the
# boundary) and Rasa reads its compose endpoints: the only differences with `make run`.
CONTAINER_DIFFERENCES = {
    "127.0.0.1": "0.0.0.0",
    "bot/endpoints.yml": "bot/endpoints.compose.yml",
    "bot/endpoints.workers.yml": "bot/endpoints.compose.yml",
}
IMAGE_ROOT = "/app/"
SUPERVISOR_ROOT = "%(here)s/../"
GENERATED = ("pip ", "pip3 ", "e5_export", " train", "teletravail index", "npm ")


def compose_tool() -> str:
    """The docker-compose binary, or a clear skip."""
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose absent : `make compose-tool` l'installe (Debian, apt).")
    return tool


def compose_config(env_file: Path) -> tuple[dict[str, Any], str]:
    """``docker-compose config`` with every profile, parsed, and what it wrote on stderr."""
    arguments = ["-f", str(COMPOSE_FILE), "--env-file", str(env_file), "--profile", "tchap"]
    result = subprocess.run(
        [compose_tool(), *arguments, "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout), result.stderr


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as written (PyYAML resolves its anchors and merge keys)."""
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def example_config() -> tuple[dict[str, Any], str]:
    """``docker-compose config`` with ``.env.example``: the configuration and its warnings."""
    return compose_config(ENV_EXAMPLE)


@pytest.fixture(scope="module")
def resolved(example_config: tuple[dict[str, Any], str]) -> dict[str, Any]:
    """The configuration docker-compose builds from the file and ``.env.example``."""
    return example_config[0]


def makefile_variables() -> dict[str, str]:
    """The values of the Makefile's variables, as make itself computes them."""
    pattern = re.compile(r"^(?:export\s+)?([A-Z0-9_]+)\s*[:?]?=", re.MULTILINE)
    names = sorted(set(pattern.findall(MAKEFILE.read_text(encoding="utf-8"))))
    printer = "show-variables:\n" + "".join(f"\t@echo '{n}=$({n})'\n" for n in names)
    shown = subprocess.run(
        ["make", "-s", "--no-print-directory", "-f", str(MAKEFILE), "-f", "-", "show-variables"],
        input=printer,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )
    return dict(line.partition("=")[::2] for line in shown.stdout.splitlines() if "=" in line)


def supervisor_programs() -> dict[str, configparser.SectionProxy]:
    """The programs of ops/supervisord.conf that run the project's code (not Redis)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(SUPERVISORD_CONF, encoding="utf-8")
    return {
        section.removeprefix("program:"): parser[section]
        for section in parser.sections()
        if section.startswith("program:") and section.removeprefix("program:") not in INFRASTRUCTURE
    }


def compose_default(value: str) -> str:
    """A compose value with its ``${VARIABLE:-default}`` replaced by the default."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def in_container(value: str, variables: dict[str, str]) -> str:
    """A value of ops/supervisord.conf as the container must see it."""
    value = value.replace(SUPERVISOR_ROOT, IMAGE_ROOT)
    value = re.sub(r"%\(ENV_([A-Z0-9_]+)\)s", lambda m: variables[m[1]], value)
    return CONTAINER_DIFFERENCES.get(value, value)


def supervisor_environment(program: configparser.SectionProxy) -> dict[str, str]:
    pairs = re.findall(r'([A-Z0-9_]+)="([^"]*)"', program.get("environment", ""))
    return dict(pairs)


def full_command(service: dict[str, Any]) -> list[str]:
    """Entry point and command of a service, as one argument list."""
    parts: list[str] = []
    for key in ("entrypoint", "command"):
        value = service.get(key) or []
        parts += shlex.split(value) if isinstance(value, str) else [str(v) for v in value]
    return parts


def service_command(service: dict[str, Any]) -> list[str]:
    """The service's own command: what follows the secrets check's ``--``."""
    return [str(v) for v in service["command"]]


def secrets_options(service: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The variables ops.check_secrets checks for a service (--secret, --required)."""
    entrypoint = [str(v) for v in service["entrypoint"]]
    assert entrypoint[1:3] == ["-m", "ops.check_secrets"] and entrypoint[-1] == "--"
    options = entrypoint[3:-1]
    pairs = list(zip(options[::2], options[1::2], strict=True))
    return [v for k, v in pairs if k == "--secret"], [v for k, v in pairs if k == "--required"]


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def dockerfile_stages() -> dict[str, str]:
    """Each ``FROM … AS name`` stage of the Dockerfile and its text (continuations joined)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    stages: dict[str, str] = {}
    current = ""
    for line in text.splitlines():
        match = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line)
        if match:
            current = match[1]
            stages[current] = ""
        if current:
            stages[current] += line + "\n"
    return stages


# -- docker-compose config ------------------------------------------------------------------


def test_docker_compose_accepts_the_file_with_the_example_env(
    example_config: tuple[dict[str, Any], str],
) -> None:
    config, stderr = example_config
    assert "WARNING" not in stderr.upper(), stderr
    assert set(config["services"]) == PROGRAMS | INFRASTRUCTURE | ONE_SHOT


def test_every_variable_of_the_file_is_in_the_example_env(compose: dict[str, Any]) -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", text))
    assert used <= set(read_env_file(ENV_EXAMPLE)), used - set(read_env_file(ENV_EXAMPLE))


# -- the same processes as make run ------------------------------------------------------------


def test_the_services_run_the_supervised_programs_with_their_arguments(
    services: dict[str, dict[str, Any]],
) -> None:
    programs = supervisor_programs()
    variables = makefile_variables()
    assert set(programs) == PROGRAMS
    for name, program in programs.items():
        expected = [in_container(arg, variables) for arg in shlex.split(program["command"])]
        assert service_command(services[name]) == expected, name


def test_the_services_keep_the_supervised_environment_and_stop_delay(
    services: dict[str, dict[str, Any]],
) -> None:
    variables = makefile_variables()
    for name, program in supervisor_programs().items():
        environment = services[name].get("environment", {})
        for variable, value in supervisor_environment(program).items():
            expected = in_container(value, variables)
            assert compose_default(str(environment.get(variable))) == expected, (
                name,
                variable,
            )
        stop_wait = program.get("stopwaitsecs", "10")
        assert services[name]["stop_grace_period"] == f"{stop_wait}s", name


def test_tchap_starts_only_with_its_profile(services: dict[str, dict[str, Any]]) -> None:
    assert services["tchap"]["profiles"] == ["tchap"]
    assert all("profiles" not in s for n, s in services.items() if n != "tchap")


# -- commands refer to the repository, nothing is installed at start ----------------------------


def module_exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def cli_command_exists(words: list[str]) -> bool:
    """``teletravail db upgrade``: each word is a registered command of cli/ (read, not run)."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "cli").glob("*.py"))
    return all(re.search(rf'(?:name=|command\()"{re.escape(word)}"', sources) for word in words)


def test_every_command_names_files_and_modules_of_the_repository(
    services: dict[str, dict[str, Any]],
) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = re.findall(r'^\s*"([a-z0-9_-]+)', pyproject, flags=re.MULTILINE)
    built = {"var/rasa/models/teletravail.tar.gz"}  # the Dockerfile's rasa train, see below
    for name, service in services.items():
        if "build" not in service:
            continue
        arguments = full_command(service)
        program = arguments[0]
        assert program in {"/app/.venv/bin/python", "/app/.venv-rasa/bin/python"}, name
        for index, argument in enumerate(arguments):
            previous = arguments[index - 1] if index else ""
            if previous == "-m":
                assert module_exists(argument), (name, argument)
            elif argument.startswith("/app/.venv/bin/") and index:
                executable = argument.removeprefix("/app/.venv/bin/")
                if executable == "teletravail":
                    assert f'{executable} = "cli.main:app"' in pyproject
                    words = [w for w in arguments[index + 1 :] if not w.startswith("-")]
                    assert cli_command_exists(words), (name, words)
                elif executable != "python":
                    assert executable in dependencies, (name, executable)
            elif re.fullmatch(r"[a-z_]+(\.[a-z_]+)*:[a-z_]+", argument):
                module, _, attribute = argument.partition(":")
                assert module_exists(module), (name, argument)
                source = ROOT.joinpath(*module.split(".")).with_suffix(".py")
                assert re.search(rf"^{attribute}\s*=", source.read_text(), re.MULTILINE)
            elif previous == "--actions":
                assert module_exists(argument), (name, argument)
            elif "/" in argument and not argument.startswith(("/app/", "http")):
                assert (ROOT / argument).is_file() or argument in built, (name, argument)


def test_the_rasa_image_holds_what_its_command_loads(services: dict[str, dict[str, Any]]) -> None:
    stage = dockerfile_stages()["rasa"]
    copied = " ".join(re.findall(r"^COPY\s+(?!--from)(.*)$", stage, flags=re.MULTILINE))
    arguments = full_command(services["rasa"])
    for index, argument in enumerate(arguments):
        if arguments[index - 1] == "-m":
            assert argument.replace(".", "/") + ".py" in copied, argument
        elif argument.startswith("bot/"):
            assert "bot/" in copied.split(), argument


def test_nothing_is_installed_or_built_when_a_container_starts(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        line = " " + " ".join(full_command(service)) + " "
        assert not any(word in line for word in GENERATED), name


def test_the_dockerfile_builds_what_make_builds(services: dict[str, dict[str, Any]]) -> None:
    stages = dockerfile_stages()
    targets = {s["build"]["target"] for s in services.values() if "build" in s}
    assert targets == {"app", "rasa"} and targets <= set(stages)
    make = MAKEFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    make_train = re.search(r"\$\(RASA\) train (.*)", make)
    docker_train = re.search(r"rasa train (.*)", stages["rasa-build"])
    assert make_train and docker_train
    assert shlex.split(docker_train[1]) == shlex.split(make_train[1])
    out = docker_train[1].split("--out ")[1].split()[0]
    name = docker_train[1].split("--fixed-model-name ")[1].split()[0]
    model = f"{out}/{name}.tar.gz"
    assert model == makefile_variables()["RASA_MODEL"]
    assert model in service_command(services["rasa"])
    assert "-m knowledge.embedding.e5_export" in stages["app-build"]  # make model
    assert "teletravail index" in stages["app-build"]  # make index
    assert "pip install -r requirements-rasa.txt" in stages["rasa-build"]
    assert "npm ci" in stages["web"]


# -- network, restarts, healthchecks ---------------------------------------------------------


def test_only_the_api_publishes_a_port(
    services: dict[str, dict[str, Any]], compose: dict[str, Any]
) -> None:
    assert {name for name, s in services.items() if s.get("ports")} == {"api"}
    assert all("network_mode" not in s for s in services.values())
    assert compose["networks"]["interne"]["internal"] is True
    for name in ("rasa", "actions", "postgres", "redis"):
        assert services[name]["networks"] == ["interne"], name


def test_long_running_services_restart_and_report_their_health(
    services: dict[str, dict[str, Any]],
) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service["restart"] == "no"
            continue
        assert service["restart"] == "unless-stopped", name
        test = service["healthcheck"]["test"]
        assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, name
        assert "start_period" in service["healthcheck"], name


def test_one_shot_services_finish_before_the_others_start(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in PROGRAMS - {"rasa"}:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_what_must_persist_is_in_named_volumes(
    services: dict[str, dict[str, Any]], compose: dict[str, Any]
) -> None:
    assert set(compose["volumes"]) == {"postgres-data", "drafts", "tchap-store"}
    assert "postgres-data:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "drafts:/data/drafts" in services["api"]["volumes"]
    assert "drafts:/data/drafts" in services["actions"]["volumes"]
    assert "tchap-store:/data/tchap" in services["tchap"]["volumes"]
    assert services["tchap"]["environment"]["TCHAP_STORE_DIR"] == "/data/tchap"
    init = ROOT / "ops" / "postgres-init.sh"
    assert f"./{init.relative_to(ROOT)}:" in " ".join(services["postgres"]["volumes"])
    assert os.access(init, os.X_OK)


# -- Rasa: PostgreSQL conversations, Redis lock, actions on the compose network ----------------


def test_rasa_shares_conversations_through_postgres_and_redis(
    services: dict[str, dict[str, Any]],
) -> None:
    endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.compose.yml").read_text())
    local = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text())
    rasa = services["rasa"]["environment"]
    lock = endpoints["lock_store"]
    assert lock["type"] == "redis" and lock["url"] in services and lock["port"] == 6379
    assert lock["password"] == "${REDIS_PASSWORD}" and "REDIS_PASSWORD" in rasa
    assert str(lock["key_prefix"]).isalnum()
    assert endpoints["tracker_store"]["type"] == local["tracker_store"]["type"]
    assert rasa["TELETRAVAIL_TRACKER_DB_URL"].startswith("postgresql://rasa:")
    assert "@postgres:5432/rasa" in rasa["TELETRAVAIL_TRACKER_DB_URL"]
    assert rasa["SANIC_WORKERS"] == "${RASA_WORKERS:-2}"
    actions_port = service_command(services["actions"])[-1]
    assert endpoints["action_endpoint"]["url"] == f"http://actions:{actions_port}/webhook"
    api = services["api"]["environment"]
    assert api["RASA_URL"] == services["tchap"]["environment"]["RASA_URL"] == "http://rasa:5005"
    assert api["TELETRAVAIL_ACTIONS_URL"] == f"http://actions:{actions_port}"
    for name in ("api", "actions", "tchap", "migrate"):
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://"), name


# -- secrets ---------------------------------------------------------------------------------


def test_the_example_secrets_are_refused(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        if "entrypoint" not in service:
            continue
        secret, required = secrets_options(service)
        assert secret or required, name
        found = problems(service["environment"], secret, required)
        assert found, f"{name} démarrerait avec .env.example"
        for variable in secret + required:
            assert variable in service["environment"], (name, variable)
        # Every variable that receives a secret of .env is checked, not only some of them.
        placeholders = {k for k, v in service["environment"].items() if "a-changer" in str(v)}
        assert placeholders <= set(secret + required), (name, placeholders)


def test_real_secrets_are_accepted(tmp_path: Path) -> None:
    lines = []
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if "a-changer" in value and not line.startswith("#"):
            value = {
                "TCHAP_HOMESERVER": "https://matrix.agent.tchap.gouv.fr",
                "TCHAP_BOT_USER": "@assistant:agent.tchap.gouv.fr",
                "TCHAP_REFERENT_ROOM": "!abcdef:agent.tchap.gouv.fr",
                "TCHAP_ALLOWED_DOMAINS": "agent.tchap.gouv.fr",
            }.get(name, secrets.token_hex(32))
            line = f"{name}={value}"
        lines.append(line)
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config, _ = compose_config(env_file)
    for name, service in config["services"].items():
        if "entrypoint" in service:
            assert problems(service["environment"], *secrets_options(service)) == [], name


def test_the_api_refuses_its_development_token_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pydantic import ValidationError

    from api.settings import WebSettings

    example = read_env_file(ENV_EXAMPLE)["TELETRAVAIL_REFERENT_TOKEN"]
    monkeypatch.setenv("TELETRAVAIL_ENV", "production")
    monkeypatch.setenv("TELETRAVAIL_REFERENT_TOKEN", example)
    with pytest.raises(ValidationError, match="TELETRAVAIL_REFERENT_TOKEN"):
        WebSettings()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "vide"),
        ("rasa-jeton-a-changer-mais-long", "valeur d'exemple"),
        ("CHANGEME0123456789abcdef", "valeur d'exemple"),
        ("court", "trop courte"),
    ],
)
def test_check_secrets_refuses(value: str, reason: str) -> None:
    (problem,) = problems({"RASA_AUTH_TOKEN": value}, ["RASA_AUTH_TOKEN"], [])
    assert reason in problem and "RASA_AUTH_TOKEN" in problem


def test_check_secrets_runs_the_command_or_refuses_without_printing_values() -> None:
    command = [sys.executable, "-m", "ops.check_secrets", "--secret", "TOKEN", "--required"]
    command += ["URL", "--", sys.executable, "-c", "print('service')"]
    good = {**os.environ, "TOKEN": secrets.token_hex(16), "URL": "postgresql://u:p@h/db"}
    ran = subprocess.run(command, cwd=ROOT, env=good, capture_output=True, text=True, check=False)
    assert (ran.returncode, ran.stdout) == (0, "service\n"), ran.stderr
    bad = {**good, "URL": "postgresql://u:secret-a-changer@h/db"}
    refused = subprocess.run(
        command, cwd=ROOT, env=bad, capture_output=True, text=True, check=False
    )
    assert refused.returncode == EX_CONFIG and refused.stdout == ""
    assert "URL garde la valeur d'exemple" in refused.stderr
    assert "secret-a-changer" not in refused.stderr


def test_make_test_installs_the_compose_tool() -> None:
    make = MAKEFILE.read_text(encoding="utf-8")
    prerequisites = re.search(r"^test:([^#\n]*)", make, flags=re.MULTILINE)
    assert prerequisites and "compose-tool" in prerequisites[1].split()
    assert re.search(r"^compose-tool:.*## ", make, flags=re.MULTILINE)
