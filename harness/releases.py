"""The release catalog: versions, upload times and wheel tags of a distribution.

Read from a PEP 691 simple JSON index (PEP 700 upload times) or from a local
folder of wheels (``--find-links``), and cached on disk so that a rerun
without network works from the cache.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from harness.files import atomic_write
from harness.errors import CatalogError, UsageError

PYPI_SIMPLE = "https://pypi.org/simple/"
ACCEPT = "application/vnd.pypi.simple.v1+json"
CACHE_MAX_AGE = 6 * 3600  # seconds before a cached catalog is refreshed
FETCH_TIMEOUT = 30


@dataclass(frozen=True)
class Wheel:
    """One installable file of a release: a wheel, or the sdist of a release without wheels."""

    filename: str
    url: str
    upload_time: datetime | None
    tags: frozenset[Tag]  # empty for an sdist: any interpreter that meets requires_python
    requires_python: str | None = None
    size: int | None = None  # bytes, when the index says (PEP 700)

    @property
    def is_sdist(self) -> bool:
        return not self.filename.endswith(".whl")


def local_version(wheel: Wheel) -> Version | None:
    """The file's version when it carries a local label (``2.13.0+cpu``), else None."""
    if wheel.is_sdist:
        return None
    try:
        version = parse_wheel_filename(wheel.filename)[1]
    except (InvalidWheelFilename, InvalidVersion):
        return None
    return version if version.local else None


def preference(wheel: Wheel) -> int:
    """Lower is preferred: a CPU build (``+cpu``) before a plain one before another local
    build (``+cu121``): the CPU builds of torch are a fraction of the CUDA ones' size."""
    local = local_version(wheel)
    if local is None:
        return 1
    return 0 if "cpu" in str(local.local) else 2


@dataclass(frozen=True)
class Release:
    """One version of a distribution with its installable wheels."""

    version: Version
    wheels: tuple[Wheel, ...]

    @property
    def upload_time(self) -> datetime | None:
        """Earliest upload time of the release's files."""
        times = [w.upload_time for w in self.wheels if w.upload_time]
        return min(times) if times else None

    def __str__(self) -> str:
        return str(self.version)


@dataclass(frozen=True)
class Catalog:
    """All releases of one distribution, oldest first."""

    package: str
    releases: tuple[Release, ...]
    source: str
    fetched_at: float = field(default=0.0, compare=False)

    def find(self, version: str) -> Release | None:
        """The release whose version equals ``version`` (PEP 440 equality)."""
        try:
            wanted = Version(version)
        except InvalidVersion:
            return None
        for release in self.releases:
            if release.version == wanted:
                return release
        return None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def parse_simple_json(
    package: str, data: dict, *, include_prereleases: bool = False
) -> tuple[Release, ...]:
    """Releases from a PEP 691 project page: those with non-yanked wheels, and those
    published only as an sdist (pure-Python Theano 1.0.5), which any interpreter
    meeting ``requires-python`` installs.  A local build (``+cpu``) joins its public
    release."""
    by_version: dict[Version, list[Wheel]] = {}
    sdists: dict[Version, list[Wheel]] = {}
    name = canonicalize_name(package)
    for entry in data.get("files", []):
        filename = entry.get("filename", "")
        if entry.get("yanked"):
            continue
        try:
            if filename.endswith(".whl"):
                dist, version, _build, tags = parse_wheel_filename(filename)
                target = by_version
            elif filename.endswith((".tar.gz", ".zip")):
                (dist, version), tags, target = parse_sdist_filename(filename), frozenset(), sdists
            else:
                continue
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
        if dist != name or (version.is_prerelease and not include_prereleases):
            continue
        target.setdefault(Version(version.public), []).append(
            Wheel(
                filename=filename,
                url=entry.get("url", ""),
                upload_time=_parse_time(entry.get("upload-time")),
                tags=tags,
                requires_python=entry.get("requires-python"),
                size=entry.get("size"),
            )
        )
    for version, files in sdists.items():
        by_version.setdefault(version, files)
    return tuple(Release(v, tuple(sorted(by_version[v], key=preference))) for v in sorted(by_version))


def merge_local_builds(catalog: Catalog, folder: Catalog) -> Catalog:
    """``catalog`` with the local builds of ``folder`` (``torch-2.13.0+cpu`` wheels)
    added to their public releases, preferred to the index's files.

    A local build takes its public release's upload time (the folder only knows
    file times), so the date cut resolves its dependencies as of the release.
    """
    extra: dict[Version, list[Wheel]] = {}
    for release in folder.releases:
        extra.setdefault(release.version, []).extend(w for w in release.wheels if local_version(w))
    merged = []
    for release in catalog.releases:
        added = tuple(replace(w, upload_time=release.upload_time or w.upload_time)
                      for w in extra.get(release.version, ()))
        wheels = tuple(sorted(added + release.wheels, key=preference))
        merged.append(Release(release.version, wheels))
    return Catalog(catalog.package, tuple(merged), f"{catalog.source} + local builds from {folder.source}",
                   catalog.fetched_at)


def _cache_file(cache_dir: Path, package: str, source: str) -> Path:
    slug = "".join(c if c.isalnum() else "_" for c in source)[-40:]
    return cache_dir / "catalog" / f"{canonicalize_name(package)}--{slug}.json"


def _fetch(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
        return json.load(response)


def load_catalog(
    package: str,
    *,
    cache_dir: Path,
    index_url: str = PYPI_SIMPLE,
    offline: bool = False,
    refresh: bool = False,
    include_prereleases: bool = False,
) -> Catalog:
    """The catalog of ``package`` from the index, or from the cache.

    A cached copy younger than ``CACHE_MAX_AGE`` is used as is; an older one
    is refreshed, and used anyway (with ``source`` saying so) when the index
    cannot be reached.  Without network and without a cache this raises
    ``CatalogError``; an unknown package raises ``UsageError``.
    """
    url = index_url.rstrip("/") + f"/{canonicalize_name(package)}/"
    cache = _cache_file(cache_dir, package, index_url)
    cached = _read_cache(cache)
    if offline and cached is None:  # never download with --offline
        state = "a damaged one (truncated, or without fetched_at)" if cache.exists() else "none"
        raise UsageError(f"--offline: expected a cached release list of {package} at {cache}, got {state}",
                         hint="run once without --offline to fetch it (a damaged copy is replaced)")
    fresh = cached is not None and time.time() - cached["fetched_at"] < CACHE_MAX_AGE
    source = url
    if cached is not None and (offline or (fresh and not refresh)):
        data, fetched_at, source = cached["data"], cached["fetched_at"], f"cache of {url}"
    else:
        try:
            data, fetched_at = _fetch(url), time.time()
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise UsageError(
                    f"unknown package {package!r}: {url} answered 404",
                    hint="check the spelling (e.g. tensorflow, tensorflow-cpu, tf-nightly)",
                ) from None
            data, fetched_at, source = _fallback(cached, url, exc)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            data, fetched_at, source = _fallback(cached, url, exc)
        else:
            atomic_write(cache, json.dumps({"fetched_at": fetched_at, "data": data}))
    releases = parse_simple_json(package, data, include_prereleases=include_prereleases)
    if not releases:  # tf-nightly publishes only .devYYYYMMDD builds: those are its releases
        releases = parse_simple_json(package, data, include_prereleases=True)
    return Catalog(package, releases, source, fetched_at)


def _read_cache(cache: Path) -> dict | None:
    """The cached catalog, or None when there is none or it is damaged (then it is refetched)."""
    try:
        cached = json.loads(cache.read_text())
    except (OSError, ValueError):
        return None
    ok = (isinstance(cached, dict) and isinstance(cached.get("data"), dict)
          and isinstance(cached.get("fetched_at"), (int, float)) and not isinstance(cached["fetched_at"], bool))
    return cached if ok else None


def _fallback(cached: dict | None, url: str, exc: Exception) -> tuple[dict, float, str]:
    if cached is None:
        raise CatalogError(
            f"cannot fetch the release list from {url} ({exc}) and no cached copy exists",
            hint="connect to the network once; later runs work from the cache",
        )
    age_h = (time.time() - cached["fetched_at"]) / 3600
    return cached["data"], cached["fetched_at"], f"cache of {url} ({age_h:.0f} h old, offline)"


def catalog_from_folder(package: str, folder: Path) -> Catalog:
    """A catalog built from a local folder of wheels (``--find-links``).

    Upload times are the files' modification times, sizes their sizes.
    """
    name = canonicalize_name(package)
    entries = []
    for path in sorted(folder.glob("*.whl")):
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        entries.append({"filename": path.name, "url": path.resolve().as_uri(),
                        "upload-time": mtime.isoformat(), "size": path.stat().st_size})
    releases = parse_simple_json(name, {"files": entries})
    if not releases:
        raise UsageError(f"no wheels of {package!r} in {folder}", hint="check --find-links")
    return Catalog(package, releases, f"folder {folder}", time.time())


def folder_has(folder: Path, package: str) -> bool:
    """True when ``folder`` holds a wheel of ``package``."""
    name = canonicalize_name(package)
    for path in folder.glob("*.whl"):
        try:
            if parse_wheel_filename(path.name)[0] == name:
                return True
        except (InvalidWheelFilename, InvalidVersion):
            continue
    return False


def select(
    catalog: Catalog,
    *,
    from_: str | None = None,
    to: str | None = None,
    versions: Sequence[str] | None = None,
) -> list[Release]:
    """The releases a command works on, oldest first.

    ``versions`` picks exact releases (each must exist); otherwise ``from_``
    and ``to`` bound an inclusive range (any versions: ``--from 1.0`` works).
    Unknown versions, a reversed or empty range are ``UsageError`` naming
    what exists.
    """
    if versions:  # 1.0 and 1.0.0 name one release: measured once
        found = {r.version: r for r in (_require(catalog, v) for v in versions)}
        return sorted(found.values(), key=lambda r: r.version)
    lo, hi = _bound(from_, "--from"), _bound(to, "--to")
    if lo is not None and hi is not None and lo > hi:
        raise UsageError(f"--from {from_} is after --to {to}", hint="swap them")
    chosen = [
        r
        for r in catalog.releases
        if (lo is None or r.version >= lo) and (hi is None or r.version <= hi)
    ]
    if not chosen:
        raise UsageError(
            f"no {catalog.package} release between {from_ or 'the first'} and {to or 'the newest'}",
            hint=f"widen --from/--to (releases here: {catalog.releases[0]} .. {catalog.releases[-1]})"
            if catalog.releases else "the catalog is empty",
        )
    return chosen


def _bound(text: str | None, option: str) -> Version | None:
    """A range bound: any valid version (``--from 1.0`` includes 1.0.0 and 1.0.1)."""
    if not text:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        raise UsageError(f"{option} {text}: expected a version like 1.15.5, got {text!r}") from None


def _require(catalog: Catalog, version: str) -> Release:
    release = catalog.find(version)
    if release is not None:
        return release
    try:
        parsed: Version | None = Version(version)
    except InvalidVersion:
        parsed = None
    if parsed is not None and parsed.is_prerelease:
        why = "is a pre-release (excluded unless --pre)"
    else:
        why = "is not a release with wheels" if parsed else "is not a valid version"
    near = _nearest(catalog.releases, parsed)
    raise UsageError(
        f"{catalog.package} {version} {why}",
        hint=f"nearest releases: {', '.join(near)}" if near else "see the catalog",
    )


def _nearest(releases: Iterable[Release], version: Version | None) -> list[str]:
    """Up to two releases on each side of ``version`` (the newest ones if unparsable)."""
    ordered = [r.version for r in releases]
    if version is None:
        return [str(v) for v in ordered[-3:]]
    below = [v for v in ordered if v < version][-2:]
    above = [v for v in ordered if v > version][:2]
    return [str(v) for v in below + above]
