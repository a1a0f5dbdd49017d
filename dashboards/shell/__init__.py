"""The reusable dashboard shell: scenario workspace (A | B | Δ), map, cards, exports."""

from dashboards.shell.workspace import ScenarioWorkspace

__all__ = ["ScenarioWorkspace"]
