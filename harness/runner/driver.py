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

A case may kill the process (SIGSEGV, SIGFPE, a failed CHECK).  On Linux,
when nothing but this thread runs after the import, the cases run in a
forked child instead: when the child dies, this process writes the case's
``crash`` record (``returncode`` and where its output starts in the log,
which the host turns into the message) and forks again from the imported
state, so a crash costs a fork, not a new import (3-5 s for TF 2.x).  A
thread started by the import would make forking unsafe (a lock it holds is
never released in the child), so then the cases run here and the host
restarts the runner after a crash, importing again.
"""

import importlib
import json
import os
import sys
import threading
import time
import traceback
import signal

IMPORT_FAILED = 3
PARENT_GONE = 4
CRASHED = "crashed.txt"  # forked: the indices of the cases whose child died, one per line


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
    """Exit when the harness that started us is gone (kill -9 leaves no orphans).
    Returns a function that stops the watching thread (before forking)."""
    done = threading.Event()

    def loop():
        while not done.wait(0.5):
            if os.getppid() != parent:
                os._exit(PARENT_GONE)

    thread = threading.Thread(target=loop, name="parent-watchdog")
    thread.daemon = True
    thread.start()

    def stop():
        done.set()
        thread.join()
    return stop


def forking_wanted():
    return sys.platform.startswith("linux") and hasattr(os, "fork") and not os.environ.get("HARNESS_NO_FORK")


def can_fork():
    """Linux, and this is the only thread: what the import started would not survive a fork."""
    if not forking_wanted():
        return False
    deadline = time.time() + 0.5  # a joined thread leaves /proc a moment after join() returns
    while True:
        try:
            threads = len(os.listdir("/proc/self/task"))
        except OSError:
            return False
        if threads == 1 or time.time() > deadline:
            break
        time.sleep(0.005)
    if threads > 1:
        sys.stderr.write("runner: %d threads after the import; a crash restarts the runner\n" % threads)
    return threads == 1


def log_size():
    """Where the next output lands in the log (stdout is the log, opened for appending)."""
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        return os.fstat(1).st_size
    except OSError:
        return 0


def run_forked(adapter, job, np, job_dir, out_dir, parent):
    """Run the pending cases in a forked child; when it dies, record the case that was
    running as a crash and fork again for the rest."""
    cases = job["cases"]

    def pending():
        return [i for i in range(len(cases)) if not os.path.exists(os.path.join(out_dir, "%d.json" % i))]

    while pending():
        todo = pending()
        log_from = log_size()
        pid = os.fork()
        if pid == 0:  # the child: run the cases, leave without the import's exit handlers
            code = 0
            try:
                for index in todo:
                    run_case(adapter, cases[index], np, job_dir, out_dir, index)
            except SystemExit as exc:  # a case that exits is a crash with its code, as unforked
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        while True:
            got, status = os.waitpid(pid, os.WNOHANG)
            if got:
                break
            if parent is not None and os.getppid() != parent:
                os.kill(pid, signal.SIGKILL)
                os._exit(PARENT_GONE)
            time.sleep(0.02)
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            continue
        returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        left = pending()
        if left:  # the child works in order: the first case without a result was running
            write_json(os.path.join(out_dir, "%d.json" % left[0]),
                       {"status": "crash", "returncode": returncode, "log_from": log_from,
                        "log_to": log_size()})
            with open(os.path.join(out_dir, CRASHED), "a") as f:  # the host finishes these
                f.write("%d\n" % left[0])
    return 0


def main(argv):
    job_path, out_dir = argv[1], argv[2]
    parent = int(argv[3]) if len(argv) > 3 else None
    stop_watching = watch_parent(parent) if parent is not None else (lambda: None)
    with open(job_path) as f:
        job = json.load(f)
    job_dir = os.path.dirname(os.path.abspath(job_path))
    started = time.time()
    if forking_wanted():
        # OpenBLAS starts its thread pool when numpy is imported, and a second thread
        # rules out forking; numpy does no heavy algebra here (inputs are generated,
        # frameworks compute, the host judges), so its BLAS gets one thread
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        import numpy as np
        module = importlib.import_module(job["module"])  # writes .pyc if the host lets it
        # and nothing after: the adapters' (a new job folder each run), those of what a
        # case imports (TF's autograph writes a temporary module per run)
        sys.dont_write_bytecode = True
        adapter = importlib.import_module("adapter_" + job["adapter"]).make(module)
    except BaseException as exc:  # ImportError, but also SystemExit/ABI errors
        write_json(os.path.join(out_dir, "import_error.json"), {
            "error_class": type(exc).__name__,
            "message": (str(exc).strip().splitlines() or [""])[-1][:500],
            "traceback": traceback.format_exc()[-4000:],
        })
        return IMPORT_FAILED
    stop_watching()  # the fork check counts threads; waiting children watch the parent instead
    forked = can_fork()
    if not forked and parent is not None:
        watch_parent(parent)
    write_json(os.path.join(out_dir, "ready.json"), {
        "import_seconds": time.time() - started,
        "framework_version": adapter.version,
        "numpy_version": np.__version__,
        "python": sys.version.split()[0],
        "eager": adapter.eager,
        "forked": forked,
    })
    if forked:
        return run_forked(adapter, job, np, job_dir, out_dir, parent)
    for index, case in enumerate(job["cases"]):
        if not os.path.exists(os.path.join(out_dir, "%d.json" % index)):
            run_case(adapter, case, np, job_dir, out_dir, index)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
