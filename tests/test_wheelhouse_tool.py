"""tools/wheelhouse.py without the network: target markers, platform flags, missing requirements."""

import importlib.util
import zipfile

import pytest

from helpers.paths import REPO_ROOT

spec = importlib.util.spec_from_file_location("wheelhouse", REPO_ROOT / "tools" / "wheelhouse.py")
wheelhouse = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wheelhouse)


def fake_wheel(folder, name, version, requires):
    path = folder / f"{name}-{version}-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}-{version}.dist-info/METADATA", meta)
    return path.name


@pytest.fixture
def downloaded(tmp_path):
    files = [
        fake_wheel(tmp_path, "tqdm", "4.67.1", ['colorama; platform_system == "Windows"']),
        fake_wheel(
            tmp_path, "ipykernel", "7.0.0", ['appnope>=0.1.2; sys_platform == "darwin"', "tornado>=6"]
        ),
        fake_wheel(tmp_path, "tornado", "6.5", []),
        fake_wheel(
            tmp_path,
            "jupyter_server",
            "2.17",
            ['pywinpty>=2.0.3; os_name == "nt"', 'tomli; python_version < "3.11"'],
        ),
        fake_wheel(tmp_path, "nbval", "0.11", ["coverage[toml]"]),
        fake_wheel(
            tmp_path, "coverage", "7.0", ['tomli; extra == "toml" and python_full_version <= "3.11.0a6"']
        ),
    ]
    return tmp_path, files


REQS = ["tqdm>=4.66", "ipykernel", "jupyter-server", "nbval"]


@pytest.mark.parametrize(
    ("platform", "python", "missing"),
    [
        ("manylinux_2_28_x86_64", "3.11", []),
        ("win_amd64", "3.11", ["colorama", "pywinpty>=2.0.3"]),
        ("macosx_11_0_arm64", "3.12", ["appnope>=0.1.2"]),
        ("manylinux_2_28_x86_64", "3.10", ["tomli"]),
    ],
)
def test_markers_are_judged_for_the_target_not_this_machine(downloaded, platform, python, missing):
    folder, files = downloaded
    env = wheelhouse.marker_environment(platform, python)
    assert wheelhouse.missing_for(folder, files, REQS, env) == missing


def test_marker_environments():
    win = wheelhouse.marker_environment("win_amd64", "3.12")
    assert (win["sys_platform"], win["os_name"], win["platform_machine"]) == ("win32", "nt", "AMD64")
    mac = wheelhouse.marker_environment("macosx_11_0_arm64", "3.11")
    assert (mac["sys_platform"], mac["platform_system"], mac["platform_machine"]) == (
        "darwin",
        "Darwin",
        "arm64",
    )
    intel_mac = wheelhouse.marker_environment("macosx_10_15_x86_64", "3.11")
    assert (intel_mac["sys_platform"], intel_mac["platform_machine"]) == ("darwin", "x86_64")
    linux = wheelhouse.marker_environment("manylinux_2_28_aarch64", "3.10")
    assert (linux["sys_platform"], linux["platform_machine"], linux["python_version"]) == (
        "linux",
        "aarch64",
        "3.10",
    )


def test_a_manylinux_target_accepts_older_glibc_tags_only():
    flags = wheelhouse.platform_flags("manylinux_2_28_x86_64")
    tags = flags[1::2]
    assert flags[::2] == ["--platform"] * len(tags)
    assert (
        tags[0] == "manylinux_2_28_x86_64"
        and "manylinux_2_17_x86_64" in tags
        and "manylinux2014_x86_64" in tags
    )
    assert "manylinux_2_29_x86_64" not in tags and "manylinux_2_16_x86_64" not in tags
    assert wheelhouse.platform_flags("win_amd64") == ["--platform", "win_amd64"]
    assert wheelhouse.python_flags("3.12") == [
        "--python-version",
        "3.12",
        "--implementation",
        "cp",
        "--abi",
        "cp312",
    ]


def test_requirements_include_the_build_backend_and_the_extras():
    base = wheelhouse.requirements(REPO_ROOT / "pyproject.toml", [])
    assert any(r.startswith("openvino") for r in base) and "setuptools>=68" in base and "wheel" in base
    assert not any(r.startswith("pytest") for r in base)
    assert any(r.startswith("pytest") for r in wheelhouse.requirements(REPO_ROOT / "pyproject.toml", ["dev"]))


def test_a_target_with_an_older_openvino_is_named():
    manifest = {
        "win_amd64-py3.11": ["openvino-2026.4.1-22982-cp311-cp311-win_amd64.whl"],
        "manylinux2014_x86_64-py3.11": ["openvino-2025.4.1-20426-cp311-cp311-manylinux2014_x86_64.whl"],
    }
    assert wheelhouse.version_warnings(manifest, "openvino") == [
        "manylinux2014_x86_64-py3.11 gets openvino 2025.4.1, not 2026.4.1: "
        "no newer wheel for that platform tag"
    ]
    assert wheelhouse.version_warnings({"a": manifest["win_amd64-py3.11"]}, "openvino") == []


def test_install_scripts_name_the_targets_and_the_extras(tmp_path):
    wheelhouse.write_scripts(tmp_path, ["win_amd64-py3.11"], ["dev"])
    sh = (tmp_path / "install.sh").read_text(encoding="utf-8")
    ps1 = (tmp_path / "install.ps1").read_bytes().decode("utf-8")
    assert "--no-index --find-links" in sh and '-e "$course[dev]"' in sh and ".installed-dev" in sh
    assert "covers: win_amd64-py3.11" in sh and "PIP_CONFIG_FILE=/dev/null" in sh
    assert "\r\n" in ps1 and '-e "$Course[dev]"' in ps1 and "ExecutionPolicy Bypass" in ps1
    assert (tmp_path / "install.sh").stat().st_mode & 0o111
