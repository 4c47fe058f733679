"""Run a job's cases inside one framework environment.  Called by path, never imported.

    python driver.py JOB.json OUTDIR [PARENT_PID]

Valid Python 3.6, standard library + numpy only: it runs in every release's
environment from TF 0.12 on Python 3.6 to today.  The job names the module
to import and the adapter family (``adapter_<family>.py``, copied next to
this file).  For each case it writes OUTDIR/<index>.json (status, output
files, dtypes, error) and OUTDIR/<index>_<k>.npy (raw outputs); cases whose
result file already exists are skipped, so the host can restart it after a
crash or a timeout.  It never judges: comparison happens on the host.

Exit codes: 0 done, 3 the framework could not be imported (see
OUTDIR/import_error.json), 4 the parent (PARENT_PID) died.
"""

import importlib
import json
import os
import sys
import threading
import time
import traceback

IMPORT_FAILED = 3
PARENT_GONE = 4


def write_json(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f)
    os.replace(tmp, path)


def first_line(exc):
    return (str(exc).strip().splitlines() or [""])[0][:500]


def run_case(adapter, case, np, job_dir, out_dir, index):
    """Run one case and write its result file: outputs, or the error as data."""
    from adapter_common import Unsupported

    started = time.time()
    result = {"case": case["name"], "status": "ok", "outputs": [], "dtypes": [], "shapes": []}
    try:
        for k, (arr, declared) in enumerate(adapter.outputs(case, job_dir)):
            name = "%d_%d.npy" % (index, k)
            np.save(os.path.join(out_dir, name), arr)
            result["outputs"].append(name)
            result["dtypes"].append(declared or str(arr.dtype))
            result["shapes"].append(list(arr.shape))
    except Unsupported as exc:
        result.update(status="unsupported", error_class="Unsupported", message=str(exc))
    except Exception as exc:  # the case's own failure is data, not a runner bug
        result.update(status="error", error_class=type(exc).__name__, message=first_line(exc),
                      traceback=traceback.format_exc()[-4000:])
    result["seconds"] = time.time() - started
    write_json(os.path.join(out_dir, "%d.json" % index), result)


def watch_parent(parent):
    """Exit when the harness that started us is gone (kill -9 leaves no orphans)."""

    def loop():
        while True:
            if os.getppid() != parent:
                os._exit(PARENT_GONE)
            time.sleep(0.5)

    thread = threading.Thread(target=loop, name="parent-watchdog")
    thread.daemon = True
    thread.start()


def main(argv):
    job_path, out_dir = argv[1], argv[2]
    if len(argv) > 3:
        watch_parent(int(argv[3]))
    with open(job_path) as f:
        job = json.load(f)
    job_dir = os.path.dirname(os.path.abspath(job_path))
    started = time.time()
    try:
        import numpy as np
        module = importlib.import_module(job["module"])
        adapter = importlib.import_module("adapter_" + job["adapter"]).make(module)
    except BaseException as exc:  # ImportError, but also SystemExit/ABI errors
        write_json(os.path.join(out_dir, "import_error.json"), {
            "error_class": type(exc).__name__,
            "message": (str(exc).strip().splitlines() or [""])[-1][:500],
            "traceback": traceback.format_exc()[-4000:],
        })
        return IMPORT_FAILED
    write_json(os.path.join(out_dir, "ready.json"), {
        "import_seconds": time.time() - started,
        "framework_version": adapter.version,
        "numpy_version": np.__version__,
        "python": sys.version.split()[0],
        "eager": adapter.eager,
    })
    for index, case in enumerate(job["cases"]):
        if not os.path.exists(os.path.join(out_dir, "%d.json" % index)):
            run_case(adapter, case, np, job_dir, out_dir, index)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
