from __future__ import annotations

import json
import time

import pytest
from packaging.version import Version

from harness import releases
from harness.errors import CatalogError, UsageError
from harness.releases import Catalog, load_catalog, parse_simple_json, select


def catalog(page) -> Catalog:
    return Catalog("tensorflow", parse_simple_json("tensorflow", page), "fixture")


def test_versions_ordered_with_packaging(tf_page):
    found = [str(r.version) for r in catalog(tf_page).releases]
    assert found == ["0.12.0", "0.12.1", "1.0.0", "1.0.1", "1.15.5", "2.0.0", "2.16.2"]


def test_upload_time_and_tags(tf_page):
    rel = catalog(tf_page).find("1.0.1")
    assert rel.upload_time.year == 2017
    tags = {str(t) for w in rel.wheels for t in w.tags}
    assert "cp36-cp36m-manylinux1_x86_64" in tags
    assert all(not w.filename.endswith(".tar.gz") for w in rel.wheels)


def test_wheel_sizes_from_the_index_and_from_a_folder(tf_page, tmp_path):
    rel = catalog(tf_page).find("1.0.1")
    assert all(w.size and w.size > 10_000_000 for w in rel.wheels)
    (tmp_path / "fakeflow-1.0.0-py3-none-any.whl").write_bytes(b"x" * 123)
    (wheel,) = releases.catalog_from_folder("fakeflow", tmp_path).releases[0].wheels
    assert wheel.size == 123


def test_prereleases_and_yanked_files_excluded(tf_page):
    page = json.loads(json.dumps(tf_page))
    page["files"].append({"filename": "tensorflow-2.1.0rc1-cp37-cp37m-manylinux2010_x86_64.whl",
                          "upload-time": "2019-12-01T00:00:00Z", "yanked": False})
    page["files"].append({"filename": "tensorflow-2.1.0-cp37-cp37m-manylinux2010_x86_64.whl",
                          "upload-time": "2020-01-08T00:00:00Z", "yanked": "broken"})
    versions = [str(r.version) for r in parse_simple_json("tensorflow", page)]
    assert "2.1.0rc1" not in versions and "2.1.0" not in versions
    with_pre = parse_simple_json("tensorflow", page, include_prereleases=True)
    assert Version("2.1.0rc1") in [r.version for r in with_pre]


def test_select_range_and_versions(tf_page):
    cat = catalog(tf_page)
    assert [str(r) for r in select(cat, from_="1.0.0", to="2.0.0")] == ["1.0.0", "1.0.1", "1.15.5", "2.0.0"]
    assert [str(r) for r in select(cat, versions=["2.0.0", "1.0.1"])] == ["1.0.1", "2.0.0"]
    assert len(select(cat)) == 7


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(from_="2.0.0", to="1.0.0"), "--from 2.0.0 is after --to 1.0.0"),
        (dict(versions=["1.0.2"]), "tensorflow 1.0.2 is not a release with wheels; nearest releases: 1.0.0, 1.0.1, 1.15.5, 2.0.0"),
        (dict(versions=["2.1.0rc1"]), "is a pre-release"),
        (dict(from_="banana"), "--from banana: expected a version like 1.15.5, got 'banana'"),
        (dict(versions=["banana"]), "banana is not a valid version"),
        (dict(from_="1.0.2", to="1.0.9"), "no tensorflow release between 1.0.2 and 1.0.9"),
    ],
)
def test_select_errors_are_one_line_usage_errors(tf_page, kwargs, message):
    with pytest.raises(UsageError) as err:
        select(catalog(tf_page), **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert err.value.exit_code == 2


def test_bounds_need_not_be_releases(tf_page):
    assert [str(r) for r in select(catalog(tf_page), from_="1.0", to="1.1")] == ["1.0.0", "1.0.1"]


def test_empty_catalog(tf_page):
    with pytest.raises(UsageError, match="no tensorflow release"):
        select(Catalog("tensorflow", (), "x"))


def _write_cache(tmp_path, page, age):
    path = releases._cache_file(tmp_path, "tensorflow", "http://127.0.0.1:9/simple/")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"fetched_at": time.time() - age, "data": page}))


def test_offline_uses_cache(tmp_path, tf_page):
    _write_cache(tmp_path, tf_page, age=10 * 24 * 3600)
    cat = load_catalog("tensorflow", cache_dir=tmp_path, index_url="http://127.0.0.1:9/simple/", offline=True)
    assert len(cat.releases) == 7 and cat.source.startswith("cache of")


def test_unreachable_index_falls_back_to_stale_cache(tmp_path, tf_page):
    # port 9 (discard) on loopback refuses the connection: no real network used
    _write_cache(tmp_path, tf_page, age=10 * 24 * 3600)
    cat = load_catalog("tensorflow", cache_dir=tmp_path, index_url="http://127.0.0.1:9/simple/")
    assert "offline" in cat.source and len(cat.releases) == 7


def test_unreachable_index_without_cache_is_one_clear_error(tmp_path):
    with pytest.raises(CatalogError) as err:
        load_catalog("tensorflow", cache_dir=tmp_path, index_url="http://127.0.0.1:9/simple/")
    assert "no cached copy" in str(err.value) and "connect to the network once" in str(err.value)


def test_folder_catalog(tmp_path):
    for v in ("1.0.0", "1.1.0"):
        (tmp_path / f"fakeflow-{v}-py3-none-any.whl").write_bytes(b"")
    (tmp_path / "other-1.0-py3-none-any.whl").write_bytes(b"")
    cat = releases.catalog_from_folder("fakeflow", tmp_path)
    assert [str(r) for r in cat.releases] == ["1.0.0", "1.1.0"]


# ---------------------------------------------------------------- other frameworks

def test_sdist_only_releases_are_kept_and_sdists_never_beside_wheels():
    page = {"files": [
        {"filename": "Theano-1.0.5.tar.gz", "upload-time": "2020-07-27T16:13:54Z"},
        {"filename": "Theano-1.0.4.tar.gz", "upload-time": "2019-01-15T21:36:11Z", "yanked": True},
        {"filename": "Theano-0.9.0-py3-none-any.whl", "upload-time": "2017-03-20T00:00:00Z"},
        {"filename": "Theano-0.9.0.tar.gz", "upload-time": "2017-03-20T00:00:00Z"},
    ]}
    found = {str(r.version): r for r in parse_simple_json("theano", page)}
    assert sorted(found) == ["0.9.0", "1.0.5"]
    assert [w.is_sdist for w in found["1.0.5"].wheels] == [True]
    assert [w.is_sdist for w in found["0.9.0"].wheels] == [False]


def test_local_cpu_builds_join_their_release_and_come_first(tmp_path):
    index = Catalog("torch", parse_simple_json("torch", {"files": [
        {"filename": "torch-2.13.0-cp310-cp310-manylinux_2_28_x86_64.whl", "upload-time": "2026-07-08T00:00:00Z"},
        {"filename": "torch-2.14.0-cp311-cp311-manylinux_2_28_x86_64.whl", "upload-time": "2026-09-02T00:00:00Z"},
    ]}), "index")
    (tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")
    folder = releases.catalog_from_folder("torch", tmp_path)
    assert [str(r.version) for r in folder.releases] == ["2.13.0"]
    merged = releases.merge_local_builds(index, folder)
    wheels = merged.find("2.13.0").wheels
    assert [str(releases.local_version(w)) for w in wheels] == ["2.13.0+cpu", "None"]
    assert wheels[0].upload_time.isoformat().startswith("2026-07-08"), "the release's date, not the file's"
    assert len(merged.find("2.14.0").wheels) == 1
    assert releases.folder_has(tmp_path, "torch") and not releases.folder_has(tmp_path, "tensorflow")


def test_preference_cpu_then_plain_then_other_local_builds():
    def wheel(name):
        return releases.Wheel(name, "", None, frozenset())
    ranks = [releases.preference(wheel(f"torch-2.1.0{label}-cp311-cp311-linux_x86_64.whl"))
             for label in ("+cpu", "", "+cu121")]
    assert ranks == [0, 1, 2]


def test_a_package_with_only_dev_builds_is_catalogued_by_them(tmp_path):
    page = {"files": [
        {"filename": "tf_nightly-2.22.0.dev20261020-cp310-cp310-manylinux_2_27_x86_64.whl",
         "upload-time": "2026-10-20T00:00:00Z"},
        {"filename": "tf_nightly-2.22.0.dev20261021-cp310-cp310-manylinux_2_27_x86_64.whl",
         "upload-time": "2026-10-21T00:00:00Z"},
    ]}
    path = releases._cache_file(tmp_path, "tf-nightly", "http://127.0.0.1:9/simple/")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"fetched_at": time.time(), "data": page}))
    cat = load_catalog("tf-nightly", cache_dir=tmp_path, index_url="http://127.0.0.1:9/simple/", offline=True)
    assert [str(r.version) for r in cat.releases] == ["2.22.0.dev20261020", "2.22.0.dev20261021"]
    assert [str(r) for r in select(cat, versions=["2.22.0.dev20261021"])] == ["2.22.0.dev20261021"]


def test_pre_puts_release_candidates_in_the_catalog(tmp_path, tf_page):
    from harness import plan
    from harness.config import Config

    page = json.loads(json.dumps(tf_page))
    page["files"].append({"filename": "tensorflow-2.1.0rc1-cp37-cp37m-manylinux2010_x86_64.whl",
                          "upload-time": "2019-12-01T00:00:00Z", "yanked": False})
    _write_cache(tmp_path, page, age=0)
    index = "http://127.0.0.1:9/simple/"
    cfg = Config(command="scan", cache_dir=tmp_path, offline=True, index_url=index)
    assert plan.load_catalog(cfg).find("2.1.0rc1") is None
    with_pre = plan.load_catalog(Config(command="scan", cache_dir=tmp_path, offline=True, pre=True,
                                        index_url=index))
    assert [str(r.version) for r in select(with_pre, versions=("2.1.0rc1",))] == ["2.1.0rc1"]
