"""The job folder: what the host hands the runner, and the output arrays it gets back.

A job folder holds ``job.json`` (the module, the adapter family and the
cases), each op case's inputs as ``.npy`` files and a copy of the runner's
files (``harness/runner/``).  The runner writes ``out/<index>.json`` and
``out/<index>_<k>.npy``.  Output arrays are read with
``allow_pickle=False``: a case can never make the host unpickle anything.
Kept outputs (``compare``) are named ``<case>_<k>.npy`` in a folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from harness import runner
from harness.cases import Case
from harness.frameworks import Framework


def new_job_dir(work_dir: Path, prefix: str) -> Path:
    """A fresh job folder named after this process (``clean_stale`` knows whose it is)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}-pid{os.getpid()}-", dir=work_dir))


def clean_stale(work_dir: Path) -> None:
    """Remove job folders left by a harness that was killed (kill -9, power cut).

    A folder belongs to the process in its name; it is stale when that process
    is gone (folders of runs going on at once are left alone).
    """
    if not work_dir.is_dir():
        return
    for folder in work_dir.iterdir():
        match = re.search(r"-pid(\d+)-", folder.name)
        if match is None or not folder.is_dir() or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # alive, another user's


def write_job(job_dir: Path, cases: Sequence[Case], framework: Framework) -> Path:
    """Inputs as .npy files plus job.json, the runner's only input; returns the driver's path."""
    entries = []
    for case in cases:
        if case.kind == "user":
            entries.append({"name": case.name, "kind": "user", "file": case.source,
                            "function": case.function})
            continue
        files = []
        for k, array in enumerate(case.inputs):
            name = f"{case.name}_in{k}.npy"
            np.save(job_dir / name, array)
            files.append(name)
        entries.append({"name": case.name, "kind": "op", "spec": {**case.spec, "inputs": files}})
    (job_dir / "job.json").write_text(json.dumps(
        {"module": framework.module, "adapter": framework.family, "cases": entries}))
    # The runner runs from a copy: by path from harness/ its folder would be
    # sys.path[0] and harness/bisection.py's neighbours could shadow the stdlib.
    for name in runner.files_for(framework.family):
        shutil.copyfile(runner.HERE / name, job_dir / name)
    return job_dir / "driver.py"


class NotNumeric(ValueError):
    """An output file that is not a plain numeric array (an object array, say)."""


def read_outputs(out_dir: Path, result: dict) -> list[np.ndarray]:
    """The runner's output arrays of one case; ``NotNumeric`` instead of unpickling."""
    outputs = []
    for name in result.get("outputs", []):
        try:
            outputs.append(np.load(out_dir / name, allow_pickle=False))
        except ValueError as exc:
            raise NotNumeric(f"output {name} is not a numeric array ({exc})") from None
    return outputs


def _kept(folder: Path, case: str) -> list[Path]:
    files = [p for p in folder.glob(f"{case}_*.npy") if p.stem[len(case) + 1:].isdigit()]
    return sorted(files, key=lambda p: int(p.stem[len(case) + 1:]))


def keep_outputs(folder: Path, case: str, outputs: Sequence[np.ndarray]) -> None:
    """Replace ``case``'s kept output arrays in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in _kept(folder, case):
        old.unlink()
    for k, array in enumerate(outputs):
        np.save(folder / f"{case}_{k}.npy", array)


def kept_outputs(folder: Path, case: str) -> list[np.ndarray]:
    """``case``'s kept output arrays, in output order (empty when none were kept)."""
    return [np.load(p, allow_pickle=False) for p in _kept(folder, case)]
