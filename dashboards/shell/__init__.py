"""The reusable dashboard shell: scenario workspace (A | B | Δ), map, cards, exports."""

__all__ = ["ScenarioWorkspace"]


def __getattr__(name: str):
    # lazily: the workspace imports HoloViews, GeoPandas… which the home page does not need
    if name == "ScenarioWorkspace":
        from dashboards.shell.workspace import ScenarioWorkspace

        return ScenarioWorkspace
    raise AttributeError(name)
