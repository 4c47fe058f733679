"""The framework registry: everything the harness knows per distribution family.

One ``Framework`` per family (TensorFlow, PyTorch, Theano, JAX) holds its
distribution names on the index, the module the runner imports, the runner
adapter (``harness/runner/adapter_<family>.py``), the requirement pins that
the date cut does not cover, the environment variables its runner needs and
the upstream tag-compare URL.  Everything else asks ``lookup(package)``;
nothing tests a package name.  Adding a framework is one entry here and one
adapter file.

A distribution the registry does not know (a test's ``fakeflow``) is
treated as TensorFlow-like: its module is its name with ``-`` as ``_``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

# Variables one framework's runner needs, from its environment's folder and
# the variables already set (the user's come first).
EnvVars = Callable[[Path, Mapping[str, str]], dict[str, str]]


@dataclass(frozen=True)
class Pin:
    """Extra requirements for some releases, with the reason they exist."""

    versions: SpecifierSet
    requirements: tuple[str, ...]
    reason: str


def _no_vars(env_path: Path, current: Mapping[str, str]) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Framework:
    family: str  # the runner adapter: adapter_<family>.py
    distributions: tuple[str, ...]  # canonical names on the index
    module: str  # what the runner imports
    pins: tuple[Pin, ...] = ()
    env: EnvVars = field(default=_no_vars, compare=False)
    compare_url: str | None = None  # "...compare/{old}...{new}" with the upstream tags
    tagged: tuple[str, ...] = ()  # distributions built from the upstream release tags

    def pins_for(self, version: Version) -> tuple[str, ...]:
        """Extra requirements to install with ``version`` (each listed once)."""
        out: list[str] = []
        for pin in self.pins:
            if version in pin.versions:
                out.extend(r for r in pin.requirements if r not in out)
        return tuple(out)

    def tag(self, version: Version) -> str:
        """The upstream git tag of a release: ``v2.5.0``, ``v2.5.0-rc1``."""
        base = version.base_version
        if version.pre:
            kind = {"a": "alpha", "b": "beta", "rc": "rc"}[version.pre[0]]
            return f"v{base}-{kind}{version.pre[1]}"
        return f"v{base}"

    def compare(self, package: str, old: Version, new: Version) -> str | None:
        """The upstream diff between two releases, or None where there are no tags
        (``tf-nightly``, dev builds, frameworks without a compare URL)."""
        if (self.compare_url is None or canonicalize_name(package) not in self.tagged
                or old.is_devrelease or new.is_devrelease):
            return None
        return self.compare_url.format(old=self.tag(old), new=self.tag(new))


def _theano_vars(env_path: Path, current: Mapping[str, str]) -> dict[str, str]:
    """Theano compiles C++ at first use: its cache lives inside the environment
    (evicted with it, never shared between Theano versions) and ``g++`` is named."""
    flags = f"base_compiledir={env_path / 'theano-compiledir'},cxx=g++"
    user = current.get("THEANO_FLAGS")
    return {"THEANO_FLAGS": f"{user},{flags}" if user else flags}


def _jax_vars(env_path: Path, current: Mapping[str, str]) -> dict[str, str]:
    """The CPU, and x64 mode: without it JAX computes float64 cases in float32."""
    return {"JAX_PLATFORMS": "cpu", "JAX_ENABLE_X64": "1"}


TENSORFLOW = Framework(
    family="tensorflow",
    distributions=("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "tf-nightly-cpu",
                   "intel-tensorflow"),
    module="tensorflow",
    pins=(
        Pin(SpecifierSet("<1.13"), ("numpy<1.17", "protobuf<3.20"),
            "TF 1.0-1.12 use numpy APIs removed in 1.17 and protobuf's pure-python path breaks from 3.20"),
        Pin(SpecifierSet(">=1.13,<2"), ("numpy<1.19", "protobuf<3.20", "h5py<3"),
            "TF 1.13-1.15 import fails with numpy>=1.19 and h5py 3 (string attribute API change)"),
        Pin(SpecifierSet(">=2.2,<2.4"), ("numpy<1.19",),
            "TF 2.2-2.3 were built against numpy 1.18 ABI"),
        Pin(SpecifierSet(">=2.4,<2.10"), ("numpy<1.24", "protobuf<3.20"),
            "np.object etc. removed in numpy 1.24; generated _pb2 files need protobuf<3.20"),
        Pin(SpecifierSet(">=2.6,<2.7"), ("keras<2.7",),
            "TF 2.6 declares keras without an upper bound; keras 2.7+ does not import with it"),
        Pin(SpecifierSet(">=2.10,<2.14"), ("numpy<1.24",),
            "np.object and friends removed in numpy 1.24"),
        Pin(SpecifierSet(">=2.14,<2.16"), ("numpy<2",),
            "TF 2.14-2.15 were compiled against numpy 1.x; numpy 2 fails on import"),
    ),
    compare_url="https://github.com/tensorflow/tensorflow/compare/{old}...{new}",
    tagged=("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "intel-tensorflow"),
)

TORCH = Framework(
    family="torch",
    distributions=("torch",),
    module="torch",
    pins=(
        Pin(SpecifierSet(), ("numpy",),
            "torch does not depend on numpy, the runner does (the date cut picks the release's numpy)"),
        Pin(SpecifierSet("<2.3"), ("numpy<2",),
            "torch before 2.3 was built against numpy 1.x; a wheel uploaded later must not bring numpy 2"),
    ),

)

THEANO = Framework(family="theano", distributions=("theano",), module="theano", env=_theano_vars)

JAX = Framework(
    family="jax",
    distributions=("jax",),
    module="jax",
    pins=(Pin(SpecifierSet(), ("jaxlib",),
              "jax before 0.4.31 did not depend on jaxlib (an extra); the date cut picks the matching one"),),
    env=_jax_vars,
)

REGISTRY: tuple[Framework, ...] = (TENSORFLOW, TORCH, THEANO, JAX)
_BY_DISTRIBUTION = {name: fw for fw in REGISTRY for name in fw.distributions}


def lookup(package: str) -> Framework:
    """The framework of a distribution; an unknown one is TensorFlow-like, with no pins."""
    name = canonicalize_name(package)
    found = _BY_DISTRIBUTION.get(name)
    if found is not None:
        return found
    return replace(TENSORFLOW, distributions=(name,), module=name.replace("-", "_"), pins=(),
                   compare_url=None, tagged=())


def families() -> tuple[str, ...]:
    """Every adapter family, in registry order."""
    return tuple(fw.family for fw in REGISTRY)
