"""Loading what command-line options point at (trust anchors, INSi schemas,
schematrons) before evaluation, so that the evaluator itself does no I/O.

Each area owns its loader; this module only dispatches and turns a bad folder into a
``ResourceError`` (exit 2 with a message saying what to fix).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ResourceError(Exception):
    """An option points at something unusable (missing folder, unreadable files)."""


def _require_dir(path: Path, option: str) -> None:
    if not path.is_dir():
        raise ResourceError(f"{option} {path}: not a folder; give the folder that holds the files")


def load_resources(
    *,
    trust: Path | None = None,
    insi_schemas: Path | None = None,
    schematron: Path | None = None,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if trust is not None:
        _require_dir(trust, "--trust")
        from .pki.trust import load_trust_dir

        resources["trust_anchors"] = load_trust_dir(trust)
    if insi_schemas is not None:
        _require_dir(insi_schemas, "--insi-schemas")
        from .evidence.insi_schemas import load_insi_schemas

        resources["insi_schemas"] = load_insi_schemas(insi_schemas)
    if schematron is not None:
        _require_dir(schematron, "--schematron")
        from .schematron import load_schematrons

        resources["schematron"] = load_schematrons(schematron, cache_dir)
    return resources
