"""``python -m talosgpu`` runs the CLI."""

from __future__ import annotations

from talosgpu.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
