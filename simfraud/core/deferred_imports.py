"""Library parts imported but never used here, their code run only when first used.

``import mesa`` imports ``mesa.experimental`` (continuous and cell spaces, event
scheduling, signals), and that imports ``scipy.spatial``: about a quarter of the start-up
of a small ``simfraud run``, which uses none of it; numba imports ``yaml``, its first
kernel ``scipy.linalg`` and ``pycparser``, mesa ``asyncio`` (see ``DEFERRED``). A module
named in ``DEFERRED`` is put in ``sys.modules`` when imported, with its module attributes
(``__file__``, ``__spec__``, ...), and its code runs when a name it defines is first
looked up, or, for a package, when one of its submodules is imported (which reads
``__path__``), so ``mesa.experimental.devs`` and ``from scipy.spatial.distance import
cdist`` work as before. The submodules in ``IMPORTED_WITH_PACKAGE`` are the exception:
they are imported when their package is, so importing them later does not run the
package's code.

The standard library's ``importlib.util.LazyLoader`` does not do here: it runs the code at
the first access to any attribute, and ``mesa.model`` reads ``__file__`` of every
imported module when it is imported (``inspect.getmodule``, for its logger's name).
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import types
from importlib.machinery import ModuleSpec, PathFinder

DEFERRED = frozenset({"mesa.experimental", "scipy.spatial", "scipy.linalg", "pycparser",
                      "asyncio", "yaml"})
"""Modules whose code runs at the first look-up of a name they define. ``scipy.spatial``
is imported by ``mesa.experimental`` and by ``scipy.optimize`` (for ``shgo``; simfraud
uses its ``brentq`` to fit amounts, ``core.amounts``); ``scipy.linalg`` (0.3 s) by numba
when it loads its first kernel, for ``scipy.linalg.cython_blas`` (below); ``pycparser``
(0.05 to 0.1 s, its C lexer) by cffi's ``FFI()``, which numba makes then too, for parsing
C declarations it is never given here; ``asyncio`` (with ``ssl``, about 0.04 s) by
``tqdm.asyncio``, which ``import mesa`` imports (through ``tqdm.auto``) and which uses it
only in its methods; ``yaml`` (PyYAML, about 0.02 s) by numba's configuration, which
reads it only when a ``.numba_config.yaml`` file is there. Experiments and the dashboard
use ``asyncio`` and ``yaml`` (Dask, Dash): their code runs then."""

IMPORTED_WITH_PACKAGE = frozenset({"scipy.linalg.cython_blas"})
"""Submodules of deferred packages imported, without running the package's code, when
the package is: numba checks that BLAS is there by importing this extension module
(``numba.np.linalg.ensure_blas``), which needs none of ``scipy.linalg``'s own code."""

_RUNNING = threading.RLock()
"""Held while a deferred module's code runs (two threads must not both run it)."""


class _DeferredModule(types.ModuleType):
    """A module whose code has not run yet: looking up a missing name runs it."""

    def __getattr__(self, name: str):
        with _RUNNING:
            if type(self) is _DeferredModule:  # not run by another thread meanwhile
                _run(self)
        return getattr(self, name)


def _run(module: types.ModuleType) -> None:
    """Run a deferred module's code with its own loader, as an import would have."""
    loader = module.__spec__.loader.wrapped
    module.__class__ = types.ModuleType
    module.__spec__.loader = module.__loader__ = loader
    if module.__spec__.submodule_search_locations is not None:
        module.__path__ = module.__spec__.submodule_search_locations
    try:
        loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module.__name__, None)  # as a failed import leaves it
        raise


class _DeferringLoader(importlib.abc.Loader):
    """Creates the module as its own loader would, but leaves its code for later."""

    def __init__(self, wrapped: importlib.abc.Loader):
        self.wrapped = wrapped

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        """The module its own loader creates (None: Python's default)."""
        return self.wrapped.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        """Mark the module deferred instead of running its code.

        A package's ``__path__`` goes until its code runs: importing a submodule reads
        it, and the package's code must run before its submodules' (they may import it),
        but for its submodules in ``IMPORTED_WITH_PACKAGE``, imported first.
        """
        for name in sorted(IMPORTED_WITH_PACKAGE):
            if name.rpartition(".")[0] == module.__name__:
                _import_submodule(module, name)
        module.__dict__.pop("__path__", None)
        module.__class__ = _DeferredModule


def _import_submodule(package: types.ModuleType, name: str) -> None:
    """Import ``package``'s submodule ``name`` as the import system would, package unrun.

    With the submodule in ``sys.modules``, a later ``import NAME`` returns it without
    reading the package's ``__path__`` (which would run the package's code).
    """
    spec = PathFinder.find_spec(name, package.__path__)
    if spec is None:
        return  # a later import runs the package, then fails as it would have
    submodule = importlib.util.module_from_spec(spec)
    sys.modules[name] = submodule
    try:
        spec.loader.exec_module(submodule)
    except BaseException as exc:
        sys.modules.pop(name, None)
        if not isinstance(exc, Exception):
            raise
        return  # as above
    setattr(package, name.rpartition(".")[2], submodule)


class _AlreadyRun(importlib.abc.Loader):
    """Hands the import system a module that its package's code imported meanwhile.

    ``import PACKAGE.CHILD`` of a deferred package reads the package's ``__path__``, which
    runs the package's code; when that code imports ``CHILD`` itself, the import system,
    which looked in ``sys.modules`` before reading ``__path__``, would load ``CHILD`` a
    second time (its code run twice, two module objects). This loader returns the module
    already there and keeps its own ``__spec__`` (which the import system overwrites).
    """

    def __init__(self, module: types.ModuleType):
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        """The module already imported."""
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: restore the module's own spec."""
        module.__spec__ = self.spec


class DeferringFinder(importlib.abc.MetaPathFinder):
    """A meta path finder giving the modules of ``DEFERRED`` a deferring loader."""

    def find_spec(self, fullname: str, path=None, target=None) -> ModuleSpec | None:
        """The module's spec from the path finder, with a deferring loader; None if not ours.

        A child of a deferred package that the package's code imported while the import
        system read the package's ``__path__`` gets ``_AlreadyRun`` (not on a reload,
        which passes ``target``).
        """
        if (target is None and fullname in sys.modules
                and fullname.rpartition(".")[0] in DEFERRED):
            return ModuleSpec(fullname, _AlreadyRun(sys.modules[fullname]))
        if fullname not in DEFERRED:
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _DeferringLoader(spec.loader)
        return spec


def defer_unused_imports() -> None:
    """Install ``DeferringFinder`` (once); modules imported before it stay as they are."""
    if not any(isinstance(finder, DeferringFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, DeferringFinder())
