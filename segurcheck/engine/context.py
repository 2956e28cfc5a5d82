"""What a rule can see: the evidence, the dossier, the options and shared analyses.

The context is built once per run.  It performs no I/O: resources named on the
command line (trust anchors, INSi schemas, schematrons) are loaded before and handed
in through ``RunOptions.resources``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..model import Dossier, EvidenceItem, Kind
from .vocabulary import ANALYSES


@dataclass(frozen=True)
class RunOptions:
    """Options of one evaluation (after manifest and command line were merged)."""

    show_identities: bool = False
    lang: str = "fr"
    config: Mapping[str, Any] = field(default_factory=dict)
    resources: Mapping[str, Any] = field(default_factory=dict)


class Context:
    def __init__(
        self,
        items: tuple[EvidenceItem, ...],
        dossier: Dossier,
        manifest: Any = None,
        options: RunOptions | None = None,
    ):
        self.items = items
        self.dossier = dossier
        self.manifest = manifest
        self.options = options or RunOptions()
        self._by_kind: dict[Kind, list[EvidenceItem]] = {}
        for item in items:
            self._by_kind.setdefault(item.kind, []).append(item)
        self._by_path = {item.path: item for item in items}
        self._analyses: dict[str, Any] = {}

    @property
    def as_of(self) -> Any:
        return self.dossier.as_of

    @property
    def environment(self) -> str:
        return self.dossier.environment

    def of_kind(self, *kinds: Kind) -> list[EvidenceItem]:
        found: list[EvidenceItem] = []
        for kind in kinds:
            found.extend(self._by_kind.get(kind, ()))
        return found

    def item(self, path: str) -> EvidenceItem | None:
        return self._by_path.get(path)

    def analysis(self, name: str) -> Any:
        """Result of a registered analysis, computed on first use and cached."""
        if name not in self._analyses:
            fn = ANALYSES.get(name)
            if fn is None:
                raise KeyError(f"unknown analysis {name!r}")
            self._analyses[name] = fn(self)
        return self._analyses[name]

    def resource(self, name: str) -> Any:
        return self.options.resources.get(name)

    def setting(self, key: str, default: Any = None) -> Any:
        """A value of the ``settings`` section of the rule-pack config."""
        settings = self.options.config.get("settings", {})
        return settings.get(key, default) if isinstance(settings, Mapping) else default
