"""A bisect result ready to paste into an upstream issue, and a standalone repro per transition.

For each transition ``bisect`` prints a Markdown block: the two releases,
their outcomes and details, the interpreter, the upstream compare link, the
CPU flags that matter (oneDNN and Eigen pick kernels by them), the exact
install command (the environment's frozen pins, which embody the date cut)
and the command that found it.  Next to the results it writes
``repro/<case>-<old>-to-<new>.py``: a file a maintainer runs with nothing
but the release installed (the user's script as is, or a user case file
with a ``__main__`` that evaluates the case and prints what was expected).
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from packaging.version import Version

from harness import frameworks
from harness.cases import Case
from harness.results import Row


def block(case: Case, package: str, old: Row, new: Row, *, cut: str | None,
          repro: Path | None) -> str:
    """The Markdown block for one transition (``cut``: the date cut of ``new``'s environment)."""
    link = frameworks.lookup(package).compare(package, Version(old.version), Version(new.version))
    flags = " ".join((new.machine or {}).get("flags", [])) or "unknown"
    pins = " ".join(p for p in new.frozen if _PIN.match(p)
                    and not p.lower().startswith(("pip==", "setuptools==", "wheel==")))
    py = ".".join(new.python.split(".")[:2])
    venv = f"virtualenv -p python{py} env" if py.startswith("2") else f"python{py} -m venv env"
    run = f"python {repro.name}" if repro else f"python -c '...'  # {case.source}"
    lines = [
        f"**{package} {old.version} -> {new.version}: `{case.name}` went from {old.outcome} to "
        f"{new.outcome}**",
        "",
        f"| | {package} {old.version} | {package} {new.version} |",
        "|---|---|---|",
        f"| outcome | {old.outcome} | {new.outcome} |",
        f"| detail | {_cell(old.detail)} | {_cell(new.detail)} |",
        f"| python | {old.python} | {new.python} |",
        "",
        f"- changes: {link or 'no upstream tags for this pair'}",
        f"- CPU: {(new.machine or {}).get('cpu', 'unknown')} ({flags}); {(new.machine or {}).get('os', '')}",
        f"- dependencies as of {cut or 'today'} (pinned as installed):",
        "",
        "```sh",
        f"{venv} && env/bin/pip install {pins or f'{package}=={new.version}'}",
        f"env/bin/{run}",
        "```",
        "",
        f"Found with `python -m harness {shlex.join(sys.argv[1:])}`"
        + (f"; standalone repro: `{repro}`" if repro else "") + ".",
    ]
    return "\n".join(lines)


_PIN = re.compile(r"^[A-Za-z0-9._-]+==\S+$")  # uv's freeze output also says which environment


def _cell(text: str) -> str:
    return (text or "-").replace("|", "\\|").replace("\n", " ")[:160]


MAIN = '''

if __name__ == "__main__":  # added by the harness: evaluate the case with nothing but TensorFlow
    import numpy as np
    import tensorflow as tf

    value = case_{name}(tf, np)
    feeds = {{}}
    if isinstance(value, (tuple, list)) and len(value) == 2 and isinstance(value[1], dict):
        value, feeds = value
    eager = getattr(tf, "executing_eagerly", lambda: False)()
    if not eager and hasattr(tf, "Session"):
        with tf.Session() as sess:
            init = getattr(tf, "global_variables_initializer", None) or tf.initialize_all_variables
            sess.run(init())
            print("got:", sess.run(value, feed_dict=feeds or None))
    else:
        print("got:", [v.numpy() if hasattr(v, "numpy") else v for v in value]
              if isinstance(value, (tuple, list)) else (value.numpy() if hasattr(value, "numpy") else value))
    if "expect_{name}" in globals():
        print("expected:", expect_{name}(np))
'''


def write_repro(case: Case, folder: Path, old: str, new: str) -> Path | None:
    """The standalone repro file of a transition; None for built-in op cases (no source to give)."""
    if case.kind not in ("script", "user"):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case.name}-{old}-to-{new}.py"
    source = Path(case.source).read_text()
    if case.kind == "user":
        source += MAIN.format(name=case.name)
    path.write_text(source)
    return path
