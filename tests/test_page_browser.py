"""The report page in a real browser: headless Chromium (Debian's ``chromium``).

Two ways in, both stdlib only:

- ``--dump-dom`` of ``report.html#outcome=wrong`` (the filter state lives in
  the URL fragment): the DOM after the page's script ran;
- a driver page served with report.html from one loopback HTTP server (same
  origin), which loads the report in an iframe, sets the controls and fires
  their ``change``/``input`` events as a person would, clicks a case, and
  writes what it saw as JSON into its own DOM, which ``--dump-dom`` prints
  (another driver scrolls the table and measures that the header row and
  the case column stay put);
- ``--screenshot`` of the page filtered to ``wrong``, checked for its colour.

What the browser shows is checked against what Python computes from the same
report.  Skips, saying so, where no Chromium is installed (``.ci/run``
installs one); ``HARNESS_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from harness import facets, heatmap, page, render
from harness import tables
from harness.commands import report as command
from harness import frameworks

import reportdata  # tests/reportdata.py

FIXTURES = Path(__file__).parent / "fixtures"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    named = os.environ.get("HARNESS_CHROMIUM")
    if named:
        return shutil.which(named) or (named if Path(named).is_file() else None)
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium here: `apt-get install chromium` (Debian), "
    "or set HARNESS_CHROMIUM to a Chrome/Chromium binary")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """One headless run; ``--no-sandbox`` because CI runs as root."""
    argv = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
            "--virtual-time-budget=10000", *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{argv} exited {done.returncode}: {done.stderr[-2000:]}"
    return done


def dump_dom(tmp_path: Path, url: str) -> str:
    dom = chromium(tmp_path, "--dump-dom", url).stdout
    assert 'data-ready="1"' in dom, "the page's script did not finish"
    return dom


def visible_rows(dom: str) -> list[str]:
    """Keys of the table rows the script left shown (it sets ``hidden`` on the others)."""
    out = []
    for attrs in re.findall(r"<tr (data-key=[^>]*)>", dom):
        if not re.search(r'(^|\s)hidden(=""|\s|$)', attrs):
            out.append(html.unescape(re.search(r'data-key="([^"]*)"', attrs).group(1)))
    return out


@functools.cache
def real_report() -> tables.Report:
    return tables.build(tables.merge([tables.frame(reportdata.real_rows())]), package="tensorflow")


@pytest.fixture(scope="module")
def real_page(tmp_path_factory) -> Path:
    """report.html of the committed full history (101 releases x 124 cases), without picture."""
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(render.html_page(real_report()), encoding="utf-8")
    return path


def expected(report: tables.Report, *, outcome: str = "", op: str = "", dtype: str = "", q: str = "",
             changes_only: bool = True) -> list[str]:
    labels = heatmap.row_labels(report.table.index, report.machines)
    out = []
    for label, (key, values) in zip(labels, report.grid.iterrows()):
        f = facets.of(key[0])
        if ((not outcome or outcome in set(values)) and (not op or f.op == op)
                and (not dtype or f.dtype == dtype) and q.lower() in label.lower()
                and (not changes_only or heatmap.changes(list(values)))):
            out.append(label)
    return out


def test_outcome_filter_from_the_url(real_page, tmp_path):
    dom = dump_dom(tmp_path, real_page.as_uri() + "#outcome=wrong")
    want = expected(real_report(), outcome="wrong")
    assert 5 < len(want) < 60
    assert sorted(visible_rows(dom)) == sorted(want)
    never_change = len(expected(real_report(), outcome="wrong", changes_only=False)) - len(want)
    assert f"showing {len(want)} of 124 rows" + (f"; {never_change} more match but never change"
                                                 if never_change else "") in dom


def test_changes_only_by_default_all_rows_on_request_and_facets_combine(real_page, tmp_path):
    report = real_report()
    changing = expected(report)
    assert sorted(visible_rows(dump_dom(tmp_path, real_page.as_uri()))) == sorted(changing)
    assert len(changing) < 124
    assert len(visible_rows(dump_dom(tmp_path, real_page.as_uri() + "#all=1"))) == 124
    dom = dump_dom(tmp_path, real_page.as_uri() + "#all=1&op=conv2d&dtype=float16&q=SAME")
    want = expected(report, op="conv2d", dtype="float16", q="same", changes_only=False)
    assert want and sorted(visible_rows(dom)) == sorted(want)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def served(tmp_path):
    """A loopback HTTP server over ``tmp_path/site``; yields (site folder, base URL)."""
    site = tmp_path / "site"
    site.mkdir()
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


DRIVER = """<!doctype html><html><body><pre id="out">not run</pre>
<iframe id="f" src="report.html" style="width:1200px;height:900px"></iframe>
<script>
var frame = document.getElementById("f");
frame.onload = function () {
  var d = frame.contentDocument, w = frame.contentWindow, out = {};
  try {
    var pick = d.getElementById("outcome");
    pick.value = "wrong";
    pick.dispatchEvent(new w.Event("change"));
    var q = d.getElementById("q");
    q.value = "BACKPORT";
    q.dispatchEvent(new w.Event("input"));
    var rows = Array.prototype.slice.call(d.querySelectorAll("#grid tbody tr"));
    out.visible = rows.filter(function (tr) { return !tr.hidden; }).map(function (tr) { return tr.dataset.key; });
    out.count = d.getElementById("count").textContent;
    d.querySelector("#grid tbody tr:not([hidden]) th.key a").click();
    out.hash = w.location.hash;
    var box = d.getElementById("case");
    out.caseHidden = box.hidden;
    out.title = box.querySelector("h2").textContent;
    out.transitions = Array.prototype.map.call(box.querySelectorAll("ul.trans li"), function (li) {
      return li.textContent; });
    out.links = Array.prototype.map.call(box.querySelectorAll("a.compare"), function (a) { return a.href; });
    out.commands = Array.prototype.map.call(box.querySelectorAll("pre.cmd"), function (p) {
      return p.textContent; });
    out.strip = box.querySelectorAll("#strip span").length;
    out.history = Array.prototype.map.call(box.querySelectorAll("ol.runs li"), function (li) {
      return li.textContent.replace(/[\\s\\u00a0]+/g, " ").trim(); });
    box.querySelector("#close").click();
    out.closed = box.hidden;
    out.hashAfterClose = w.location.hash;
  } catch (err) {
    out.error = String(err && err.stack || err);
  }
  document.getElementById("out").textContent = JSON.stringify(out);
};
</script></body></html>
"""


def test_controls_filter_and_open_a_case_view_like_a_person(served, tmp_path):
    site, base = served
    report = tables.build(command.load([FIXTURES / "results_basic"]), package="tensorflow")
    (site / "report.html").write_text(render.html_page(report), encoding="utf-8")
    (site / "driver.html").write_text(DRIVER, encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", base + "driver.html").stdout
    seen = json.loads(html.unescape(re.search(r'<pre id="out">(.*?)</pre>', dom, re.S).group(1)))
    assert "error" not in seen, seen.get("error")
    assert seen["visible"] == ["depthwise_backport"] and seen["count"] == "showing 1 of 4 rows"
    assert seen["hash"] == "#q=BACKPORT&outcome=wrong&case=depthwise_backport"
    assert not seen["caseHidden"] and seen["title"] == "depthwise_backport"
    (t,) = [t for t in report.transitions if t.case == "depthwise_backport"]
    # the script's sentences, links and commands are Python's
    assert seen["transitions"][0].startswith(t.text())
    for change in t.also:
        assert f"backport: {change.text()}" in seen["transitions"][0]
    assert seen["links"] == [frameworks.lookup("tensorflow").compare("tensorflow", c.old.version, c.new.version)
                             for c in (t.change, *t.also)]
    assert seen["commands"] == [page.reproduce(report, t)]
    assert seen["strip"] == len(report.releases)
    assert seen["history"][0] == "pass 1.0.0 .. 1.1.0 (3) · max abs error 2.4e-07"
    assert seen["history"][1] == "skip 1.2.0 (1) · no interpreter with a cp36 wheel here"
    assert seen["closed"] and seen["hashAfterClose"] == "#q=BACKPORT&outcome=wrong"


def test_screenshot_filtered_to_wrong_shows_wrong_cells(real_page, tmp_path):
    """Also the picture for people: HARNESS_SCREENSHOT=path keeps a copy."""
    from PIL import Image

    shot = tmp_path / "wrong.png"
    chromium(tmp_path, "--window-size=1400,1000", f"--screenshot={shot}", real_page.as_uri() + "#outcome=wrong")
    image = Image.open(shot).convert("RGB")
    assert image.size == (1400, 1000)
    colours = dict((c, n) for n, c in image.getcolors(1 << 20))
    wrong = tuple(int(heatmap.PALETTE["wrong"][0][i:i + 2], 16) for i in (1, 3, 5))
    crash = tuple(int(heatmap.PALETTE["crash"][0][i:i + 2], 16) for i in (1, 3, 5))
    assert colours.get(wrong, 0) > 2000  # the wrong cells of the filtered rows
    if keep := os.environ.get("HARNESS_SCREENSHOT"):
        shutil.copy(shot, keep)
    # filtered to crash instead, the table shows crash cells and no more of them hidden
    chromium(tmp_path, "--window-size=1400,1000", f"--screenshot={shot}", real_page.as_uri() + "#outcome=crash")
    colours = dict((c, n) for n, c in Image.open(shot).convert("RGB").getcolors(1 << 20))
    assert colours.get(crash, 0) > 500


def test_changes_only_says_how_many_matching_rows_it_hides(tmp_path):
    report = tables.build(command.load([FIXTURES / "results_basic"]), package="tensorflow")
    path = tmp_path / "report.html"
    path.write_text(render.html_page(report), encoding="utf-8")
    dom = dump_dom(tmp_path, path.as_uri() + "#outcome=pass")
    assert visible_rows(dom) == ["conv1d_api", "conv1d_nan", "depthwise_backport"]
    assert "showing 3 of 4 rows; 1 more match but never change" in dom  # stable_conv2d


STICKY = """<!doctype html><html><body><pre id="out">not run</pre>
<iframe id="f" src="report.html#all=1" style="width:700px;height:700px"></iframe>
<script>
var frame = document.getElementById("f");
frame.onload = function () {
  var d = frame.contentDocument, out = {};
  try {
    var box = d.querySelector(".scroll"), head = d.querySelector("#grid thead th.range");
    var key = d.querySelector("#grid tbody tr:nth-child(40) th.key");
    var before = {head: head.getBoundingClientRect().top, key: key.getBoundingClientRect().left};
    box.scrollTop = 400;
    box.scrollLeft = 300;
    out.scrolled = [box.scrollTop, box.scrollLeft];
    out.headMoved = head.getBoundingClientRect().top - before.head;
    out.keyMoved = key.getBoundingClientRect().left - before.key;
  } catch (err) {
    out.error = String(err && err.stack || err);
  }
  document.getElementById("out").textContent = JSON.stringify(out);
};
</script></body></html>
"""


def test_header_and_case_column_stay_put_when_the_table_scrolls(served, tmp_path):
    site, base = served
    (site / "report.html").write_text(render.html_page(real_report()), encoding="utf-8")
    (site / "driver.html").write_text(STICKY, encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", base + "driver.html").stdout
    seen = json.loads(html.unescape(re.search(r'<pre id="out">(.*?)</pre>', dom, re.S).group(1)))
    assert "error" not in seen, seen.get("error")
    assert seen["scrolled"][0] > 300 and seen["scrolled"][1] > 100  # the table did scroll both ways
    assert abs(seen["headMoved"]) < 1 and abs(seen["keyMoved"]) < 1
