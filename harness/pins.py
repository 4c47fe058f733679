"""Hand-kept requirement pins, as data, each with the reason it exists.

The date cut (``--exclude-newer``) resolves most releases as of their
release day; these pins cover what it does not (wheels uploaded later than
the release, dependencies that declared no upper bounds).
"""

from __future__ import annotations

from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version


@dataclass(frozen=True)
class Pin:
    packages: frozenset[str]
    versions: SpecifierSet
    requirements: tuple[str, ...]
    reason: str

    def applies(self, package: str, version: Version) -> bool:
        return canonicalize_name(package) in self.packages and version in self.versions


_TF = frozenset({"tensorflow", "tensorflow-cpu", "tf-nightly"})

PINS: tuple[Pin, ...] = (
    Pin(_TF, SpecifierSet("<1.13"), ("numpy<1.17", "protobuf<3.20"),
        "TF 1.0-1.12 use numpy APIs removed in 1.17 and protobuf's pure-python path breaks from 3.20"),
    Pin(_TF, SpecifierSet(">=1.13,<2"), ("numpy<1.19", "protobuf<3.20", "h5py<3"),
        "TF 1.13-1.15 import fails with numpy>=1.19 and h5py 3 (string attribute API change)"),
    Pin(_TF, SpecifierSet(">=2.2,<2.4"), ("numpy<1.19",),
        "TF 2.2-2.3 were built against numpy 1.18 ABI"),
    Pin(_TF, SpecifierSet(">=2.4,<2.10"), ("numpy<1.24", "protobuf<3.20"),
        "np.object etc. removed in numpy 1.24; generated _pb2 files need protobuf<3.20"),
    Pin(_TF, SpecifierSet(">=2.6,<2.7"), ("keras<2.7",),
        "TF 2.6 declares keras without an upper bound; keras 2.7+ does not import with it"),
    Pin(_TF, SpecifierSet(">=2.10,<2.14"), ("numpy<1.24",),
        "np.object and friends removed in numpy 1.24"),
    Pin(_TF, SpecifierSet(">=2.14,<2.16"), ("numpy<2",),
        "TF 2.14-2.15 were compiled against numpy 1.x; numpy 2 fails on import"),
    Pin(frozenset({"torch"}), SpecifierSet(), ("numpy",),
        "torch does not depend on numpy, the runner does (the date cut picks the release's numpy)"),
    Pin(frozenset({"torch"}), SpecifierSet("<2.3"), ("numpy<2",),
        "torch before 2.3 was built against numpy 1.x; a wheel uploaded later must not bring numpy 2"),
    Pin(frozenset({"jax"}), SpecifierSet(), ("jaxlib",),
        "jax before 0.4.31 did not depend on jaxlib (an extra); the date cut picks the matching one"),
)


def pins_for(package: str, version: Version) -> tuple[str, ...]:
    """Extra requirements to install with ``package==version``."""
    out: list[str] = []
    for pin in PINS:
        if pin.applies(package, version):
            out.extend(r for r in pin.requirements if r not in out)
    return tuple(out)
