"""environment.yml must parse and list the same packages as pyproject.toml."""

import re

import tomllib
import yaml

from helpers.paths import REPO_ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_matches_pyproject():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pips = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pips and "-e ." in pips[0]["pip"], "the repo itself must be installed with pip -e ."
    py = next(d for d in conda if d.startswith("python="))
    assert py.split("=")[1] in {"3.10", "3.11", "3.12", "3.13"}
    env_pkgs = {_name(d) for d in conda} - {"python", "pip"}
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert env_pkgs == {_name(d) for d in project["dependencies"]}


def test_no_openvino_runtime_imports():
    offenders = []
    for path in [
        *REPO_ROOT.glob("helpers/*.py"),
        *REPO_ROOT.glob("notebooks/*.ipynb"),
        *REPO_ROOT.glob("tools/*.py"),
        *REPO_ROOT.glob("benchmarks/*.py"),
    ]:
        if "openvino.runtime" in path.read_text(encoding="utf-8"):
            offenders.append(path.name)
    assert offenders == []
