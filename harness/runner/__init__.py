"""Code that runs *inside* a framework's environment, never in the harness.

These files are copied flat into each job folder and run by path
(``python driver.py JOB.json OUTDIR``); they import each other as top-level
modules, never ``harness``.  Valid Python 3.6, standard library + numpy only.

- ``driver.py``: the job and result file protocol and the parent watchdog;
- ``adapter_common.py``: what every adapter shares (``Unsupported``, keyword
  spelling, per-dimension values, the channels-first ``Conv`` view);
- ``adapter_<family>.py``: one per framework family (TensorFlow, PyTorch,
  Theano, JAX), each with ``make(module)`` returning an object that has
  ``outputs(case, job_dir) -> [(array, declared dtype name), ...]`` and ``eager``.

The ``adapter_`` prefix keeps a file from shadowing the framework it adapts
(the job folder is ``sys.path[0]``: a ``torch.py`` there would be imported
instead of PyTorch).
"""

from pathlib import Path

FILES = ("driver.py", "adapter_common.py")
HERE = Path(__file__).parent


def files_for(adapter: str) -> tuple:
    """The files a job of ``adapter``'s family needs in its folder."""
    return FILES + ("adapter_%s.py" % adapter,)
