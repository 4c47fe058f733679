"""Run a case file's ``expect_`` functions in a child process.  Called by path, never imported.

    python expect_child.py CASE_FILE OUTDIR PARENT_PID NAME [NAME ...]

Standard library + numpy only (``host_expect`` copies it into a scratch
folder and runs it from there, that folder as cwd).  For each NAME, in
order, it calls ``expect_<NAME>(np)`` and writes OUTDIR/<i>.json: either
``{"dtypes": [...], "several": bool, "n": k}`` with OUTDIR/<i>_<k>.npy, or
``{"error": "..."}``.  Nothing is unpickled on either side.
"""

import json
import os
import runpy
import sys
import threading
import time
import traceback


def _write(out_dir, index, obj):
    tmp = os.path.join(out_dir, "%d.json.tmp" % index)
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, os.path.join(out_dir, "%d.json" % index))


def _what(exc):
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return "%s: %s" % (type(exc).__name__, lines[0][:300] if lines else "")


def _save(np, value, out_dir, index):
    """One expectation's arrays; the result dict (or an error dict)."""
    # A list of arrays is one expectation per output; a flat list of numbers is one array.
    several = isinstance(value, (list, tuple)) and not all(np.isscalar(v) for v in value)
    values = list(value) if several else [value]
    dtypes = []
    for k, v in enumerate(values):
        try:
            a = np.asarray(v)
        except Exception as exc:  # ragged lists and the like
            return {"error": "returned something that is not an array (%s)" % _what(exc)}
        if a.dtype.kind not in "biuf":
            return {"error": "returned %s (dtype %s), expected an array of numbers"
                    % (type(v).__name__, a.dtype)}
        np.save(os.path.join(out_dir, "%d_%d.npy" % (index, k)), a, allow_pickle=False)
        # A dtype is checked only when the user chose one deliberately.
        chosen = isinstance(v, (np.ndarray, np.generic)) and a.dtype.name not in ("float64", "int64")
        dtypes.append(str(a.dtype) if chosen else "")
    return {"n": len(values), "several": several, "dtypes": dtypes}


def watch_parent(parent):
    """Exit when the harness that started us is gone (kill -9 leaves no orphans)."""

    def loop():
        while True:
            if os.getppid() != parent:
                os._exit(4)
            time.sleep(0.5)

    threading.Thread(target=loop, name="parent-watchdog", daemon=True).start()


def main(argv):
    path, out_dir, parent, names = argv[1], argv[2], int(argv[3]), argv[4:]
    watch_parent(parent)
    import numpy as np

    open(os.path.join(out_dir, "started"), "w").close()  # the time limit counts from here
    try:
        # `import tensorflow` at the top of a case file: a stand-in module on the host,
        # which only fails if the file uses it at import time (harness/casefile.py)
        from harness.casefile import framework_stand_ins
    except ImportError:
        import contextlib

        framework_stand_ins = contextlib.nullcontext
    try:
        with framework_stand_ins():
            namespace = runpy.run_path(path, run_name="harness_user_cases")
    except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the file's own doing
        what = "exit code %s" % exc.code if isinstance(exc, SystemExit) else _what(exc)
        for index in range(len(names)):
            _write(out_dir, index, {"error": "loading the case file raised %s" % what})
        return 0
    for index, name in enumerate(names):
        try:
            result = _save(np, namespace["expect_" + name](np), out_dir, index)
        except BaseException as exc:
            what = "exit code %s" % exc.code if isinstance(exc, SystemExit) else _what(exc)
            result = {"error": "raised %s" % what, "traceback": traceback.format_exc()[-2000:]}
        _write(out_dir, index, result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
