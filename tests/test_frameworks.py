"""The framework registry, and what the host hands each framework's runner."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from packaging.version import Version

from harness import envs, frameworks, jobs, measure, runner
from harness.cases import builtin_cases
from harness.envs import Env, EnvSpec


def env_for(package: str, path: Path) -> Env:
    return Env(EnvSpec(package, "1.0", "/x/python", "3.6.15", None), path)


def child_env(package: str, path: Path) -> dict:
    return envs.child_env(env_for(package, path), frameworks.lookup(package))


@pytest.mark.parametrize("package, family, module", [
    ("tensorflow", "tensorflow", "tensorflow"), ("TensorFlow-CPU", "tensorflow", "tensorflow"),
    ("tensorflow-gpu", "tensorflow", "tensorflow"), ("tf_nightly", "tensorflow", "tensorflow"),
    ("tf-nightly-cpu", "tensorflow", "tensorflow"), ("torch", "torch", "torch"),
    ("Theano", "theano", "theano"), ("jax", "jax", "jax"), ("fake-flow", "tensorflow", "fake_flow"),
])
def test_every_distribution_resolves_to_one_family(package, family, module):
    found = frameworks.lookup(package)
    assert (found.family, found.module) == (family, module)


def test_every_tensorflow_distribution_gets_the_same_pins():
    expected = frameworks.lookup("tensorflow").pins_for(Version("1.0.0"))
    assert expected == ("numpy<1.17", "protobuf<3.20")
    for name in frameworks.TENSORFLOW.distributions:
        assert frameworks.lookup(name).pins_for(Version("1.0.0")) == expected
    assert frameworks.lookup("tensorflow").pins_for(Version("2.6.1")) == ("numpy<1.24", "protobuf<3.20", "keras<2.7")
    assert frameworks.lookup("tensorflow").pins_for(Version("2.21.0")) == ()
    assert frameworks.lookup("fakeflow").pins_for(Version("1.0.0")) == ()
    assert frameworks.lookup("torch").pins_for(Version("2.0.0")) == ("numpy", "numpy<2")


def test_each_family_has_one_adapter_file_with_make_and_python36_syntax():
    for family in frameworks.families():
        for name in runner.files_for(family):
            path = runner.HERE / name
            tree = ast.parse(path.read_text(), feature_version=(3, 6))
            if name.startswith("adapter_") and name != "adapter_common.py":
                assert any(isinstance(n, ast.FunctionDef) and n.name == "make" for n in tree.body), name


def test_job_names_the_module_and_adapter_and_carries_only_its_files(tmp_path):
    cases = [c for c in builtin_cases() if c.name == "seed_conv2d"]
    driver = jobs.write_job(tmp_path, cases, frameworks.lookup("Theano"))
    data = json.loads(driver.with_name("job.json").read_text())
    assert (data["module"], data["adapter"]) == ("theano", "theano")
    assert {p.name for p in tmp_path.glob("*.py")} == {"driver.py", "adapter_common.py", "adapter_theano.py"}


def test_theano_compiles_inside_its_environment_and_jax_runs_x64_on_the_cpu(tmp_path, monkeypatch):
    monkeypatch.delenv("THEANO_FLAGS", raising=False)
    theano = child_env("theano", tmp_path)
    assert theano["THEANO_FLAGS"] == f"base_compiledir={tmp_path / 'theano-compiledir'},cxx=g++"
    monkeypatch.setenv("THEANO_FLAGS", "optimizer=fast_compile")
    assert child_env("Theano", tmp_path)["THEANO_FLAGS"].startswith("optimizer=fast_compile,")
    jax = child_env("jax", tmp_path)
    assert jax["JAX_ENABLE_X64"] == "1" and jax["JAX_PLATFORMS"] == "cpu"
    tf = child_env("tensorflow", tmp_path)
    assert "JAX_ENABLE_X64" not in tf and "base_compiledir" not in tf.get("THEANO_FLAGS", "")


def test_child_env_puts_the_environment_first_and_drops_leaks(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv("PIP_USER", "1")
    out = envs.child_env(env_for("tensorflow", tmp_path), frameworks.lookup("tensorflow"), {"X": "1"})
    assert "PYTHONPATH" not in out and "PIP_USER" not in out and out["X"] == "1"
    assert out["PATH"].startswith(str(tmp_path / "bin")) and out["VIRTUAL_ENV"] == str(tmp_path)


def test_uv_cache_follows_uv_cache_dir_then_xdg(tmp_path, monkeypatch):
    monkeypatch.delenv("UV_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert envs.uv_cache_dir() == tmp_path / "uv"
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "mine"))
    assert envs.uv_cache_dir() == tmp_path / "mine"
    assert envs.uv_env()["UV_CACHE_DIR"] == str(tmp_path / "mine")


def test_compare_links_only_for_tagged_distributions():
    tf = frameworks.lookup("tensorflow")
    assert tf.compare("tensorflow", Version("2.4.0"), Version("2.5.0")).endswith("v2.4.0...v2.5.0")
    assert frameworks.lookup("tf-nightly").compare("tf-nightly", Version("2.4.0"), Version("2.5.0")) is None
    assert frameworks.lookup("theano").compare("theano", Version("1.0.4"), Version("1.0.5")) is None


def test_a_local_build_is_installed_and_stored_by_its_own_version(tmp_path):
    from harness.config import Config
    from harness.interpreters import Interpreter
    from harness.releases import Release, Wheel

    def wheel(name):
        return Wheel(name, "", None, frozenset())
    cpu = wheel("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
    plain = wheel("torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl")
    release = Release(Version("2.13.0"), (cpu, plain))
    assert measure.measured_version(release, cpu) == "2.13.0+cpu"
    assert measure.measured_version(release, plain) == "2.13.0"
    interp = Interpreter(Path("/x/python3.11"), (3, 11, 7), "")
    spec = measure.env_spec(Config(command="scan", package="torch"), release, interp, cpu)
    assert spec.install_args()[0] == "torch==2.13.0+cpu" and "numpy" in spec.requirements
