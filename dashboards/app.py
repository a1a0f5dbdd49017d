"""The multi-page app served by ``twin serve`` (one Panel server, one route per page)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import panel as pn

from dashboards.shell.page import ROUTES, session_lang

TITLE = "twin"


#: Inline code in Markdown panes dark enough on the light background (axe: colour contrast).
CODE_CONTRAST = "code { color: #5a1530; }"
#: Pages without a plot: they skip importing HoloViews and GeoViews (the home page answers
#: while the models are still warming up).
NO_PLOTS = ("home",)


def _extensions(plots: bool = True) -> None:
    if plots:
        import geoviews  # noqa: F401  (registers geo elements before the first plot)
        import holoviews as hv

        hv.extension("bokeh", logo=False)
        # Canvas, not WebGL: every page re-layout repaints each plot, and copying a WebGL
        # canvas (software-rendered without a GPU) took 0.1-0.3 s per plot (issue 17)
        hv.renderer("bokeh").webgl = False
    # Panel's default design, not "bootstrap": Bootstrap's stylesheets in every component's
    # shadow root made each refresh a 1-3 s style recalculation in the browser (issue 17)
    pn.extension(notifications=False, sizing_mode="stretch_width")
    pn.pane.Markdown.stylesheets = [CODE_CONTRAST]


def _route(module: str, factory: str = "page") -> Callable[[], pn.viewable.Viewable]:
    def build() -> pn.viewable.Viewable:
        _extensions(plots=module not in NO_PLOTS)
        mod = importlib.import_module(f"dashboards.{module}")
        for name in getattr(mod, "EXTENSIONS", ()):  # e.g. deck.gl, only where it is used
            pn.extension(name)
        return getattr(mod, factory)(session_lang()).__panel__()

    build.__name__ = f"page_{module}_{factory}"
    return build


def routes() -> dict[str, Callable[[], pn.viewable.Viewable]]:
    pages = {"/": _route("home")}
    pages.update({f"/{r}": _route(r) for r in ROUTES})
    pages["/territoire"] = _route("territoire")
    pages["/validation"] = _route("validation")
    pages["/atelier"] = _route("workshop", "facilitator_page")
    pages["/participer"] = _route("workshop", "participant_page")
    return pages


def _ready_handler():
    from tornado.web import RequestHandler

    from dashboards.shell import runner

    class ReadyHandler(RequestHandler):
        """``/ready``: 200 once the background warm-up has every model ready, 503 before (with
        the models still warming up); ``/liveness`` answers as soon as the server does."""

        def get(self) -> None:
            waiting = runner.models_warming_up()
            self.set_status(503 if waiting else 200)
            self.write({"ready": not waiting, "warming_up": waiting})

    return ReadyHandler


def serve(port: int = 5006, address: str = "127.0.0.1", show: bool = False,
          threaded: bool = False, **kwargs):
    """Serve every page; listens on 127.0.0.1 unless told otherwise."""
    origins = [f"{address}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]
    extra = [*kwargs.pop("extra_patterns", []), (r"/ready", _ready_handler())]
    return pn.serve(routes(), port=port, address=address, show=show, title=TITLE,
                    websocket_origin=origins, liveness=True, threaded=threaded,
                    extra_patterns=extra, **kwargs)
