"""The package version: one home, read by the package, the CLI (--version) and pyproject
(``[tool.setuptools.dynamic]`` would need an import at build time; tests/acceptance/test_packaging
checks pyproject.toml says the same)."""

__version__ = "0.1.0.dev0"
