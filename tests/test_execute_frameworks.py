"""What the host hands a non-TensorFlow runner: job files, module, adapter family, variables."""

from __future__ import annotations

import json
from pathlib import Path

from packaging.version import Version

from harness import envs, execute
from harness.cases import builtin_cases
from harness.envs import Env, EnvSpec


def env_for(package: str, path: Path) -> Env:
    return Env(EnvSpec(package, "1.0", "/x/python", "3.6.15", None), path)


def test_job_names_the_framework_and_carries_the_adapters(tmp_path):
    cases = [c for c in builtin_cases() if c.name == "seed_conv2d"]
    job = execute.write_job(tmp_path, cases, execute.module_name("Theano"), execute.framework_of("Theano"))
    data = json.loads(job.read_text())
    assert (data["module"], data["framework"]) == ("theano", "theano")
    assert {p.name for p in tmp_path.glob("*.py")} == {"runner.py", "framework_adapters.py"}
    assert execute.framework_of("tf-nightly") == "tensorflow" and execute.framework_of("torch") == "torch"
    assert execute.framework_of("jax") == "jax"


def test_theano_compiles_inside_its_environment_and_jax_runs_x64_on_the_cpu(tmp_path, monkeypatch):
    monkeypatch.delenv("THEANO_FLAGS", raising=False)
    theano = envs.child_env(env_for("theano", tmp_path))
    assert theano["THEANO_FLAGS"] == f"base_compiledir={tmp_path / 'theano-compiledir'},cxx=g++"
    monkeypatch.setenv("THEANO_FLAGS", "optimizer=fast_compile")
    assert envs.child_env(env_for("Theano", tmp_path))["THEANO_FLAGS"].startswith("optimizer=fast_compile,")
    jax = envs.child_env(env_for("jax", tmp_path))
    assert jax["JAX_ENABLE_X64"] == "1" and jax["JAX_PLATFORMS"] == "cpu"
    tf = envs.child_env(env_for("tensorflow", tmp_path))
    assert "JAX_ENABLE_X64" not in tf and "base_compiledir" not in tf.get("THEANO_FLAGS", "")


def test_a_local_build_is_installed_and_stored_by_its_own_version(tmp_path):
    from harness.config import Config
    from harness.interpreters import Interpreter
    from harness.releases import Release, Wheel

    def wheel(name):
        return Wheel(name, "", None, frozenset())
    cpu = wheel("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
    plain = wheel("torch-2.13.0-cp311-cp311-manylinux_2_28_x86_64.whl")
    release = Release(Version("2.13.0"), (cpu, plain))
    assert execute.measured_version(release, cpu) == "2.13.0+cpu"
    assert execute.measured_version(release, plain) == "2.13.0"
    interp = Interpreter(Path("/x/python3.11"), (3, 11, 7), "")
    spec = execute._env_spec(Config(command="scan", package="torch"), release, interp, cpu)
    assert spec.install_args()[0] == "torch==2.13.0+cpu" and "numpy" in spec.requirements
