"""The harness's uv settings (harness/uv.toml): PyPI's own cache lifetimes, unless the
user configures uv, and a file uv itself accepts."""

from __future__ import annotations

import subprocess

from harness import envs


def test_the_harness_config_is_passed_unless_the_user_configures_uv(tmp_path):
    home = tmp_path / "config"
    plain = {"XDG_CONFIG_HOME": str(home), "XDG_CONFIG_DIRS": str(tmp_path / "none")}
    assert envs.uv_config_args(plain) == ["--config-file", str(envs.UV_CONFIG)]
    assert envs.uv_config_args({**plain, "UV_CONFIG_FILE": "/x/uv.toml"}) == []
    assert envs.uv_config_args({**plain, "UV_NO_CONFIG": "1"}) == []
    (home / "uv").mkdir(parents=True)
    (home / "uv" / "uv.toml").write_text("")
    assert envs.uv_config_args(plain) == [], "the user's own uv.toml applies, as it would to uv"


def test_uv_reads_the_harness_config(tmp_path):
    """uv refuses a config file it cannot parse: a typo here would fail every build."""
    out = subprocess.run([envs.uv_binary(), "pip", "compile", "--config-file", str(envs.UV_CONFIG),
                          "--offline", "--no-index", "-"], input="", capture_output=True, text=True,
                         env=envs.uv_env(), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = envs.UV_CONFIG.read_text()
    assert 'files = "max-age=365000000, immutable, public"' in text


def test_sdists_built_are_counted_from_uv_output():
    out = ("Resolved 3 packages in 1.20s\n   Building termcolor==1.1.0\n   Building wrapt==1.12.1\n"
           "      Built termcolor==1.1.0\nPrepared 3 packages in 2s\n")
    assert envs.sdists_built(out) == 2
    assert envs.sdists_built("Resolved 1 package in 5ms\n") == 0
