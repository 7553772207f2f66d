"""Build the optional compiled reader of PubMed records (``caseseries.sources._pubmed_parts``).

Everything else is declared in pyproject.toml. Without Cython or a C compiler the package still
installs, and PubMed XML is read by the Python walk that the compiled reader mirrors.
"""

from __future__ import annotations

import lxml
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Build the extension when a compiler is there; otherwise say so and go on without it."""

    failed = False

    def run(self) -> None:
        """Build the extensions, or report why not."""
        try:
            super().run()
        except Exception as exc:  # no compiler, no Python headers: the Python reader is used
            if not self.failed:
                print(f"caseseries: the compiled PubMed reader was not built ({exc}); the Python reader is used")

    def build_extension(self, ext: Extension) -> None:
        """Build ``ext``, or report why not (copying the missing result then fails, quietly)."""
        try:
            super().build_extension(ext)
        except Exception as exc:
            self.failed = True
            print(f"caseseries: {ext.name} was not built ({exc}); the Python reader is used")


def extensions() -> list[Extension]:
    """The compiled reader, when Cython is there to translate it."""
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("caseseries: Cython is not installed; PubMed XML is read by the Python reader")
        return []
    ext = Extension(
        "caseseries.sources._pubmed_parts",
        ["src/caseseries/sources/_pubmed_parts.pyx"],
        include_dirs=lxml.get_include(),
    )
    return cythonize([ext], language_level=3, quiet=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
