"""Territory: a named area with checked layers (vectors in Lambert-93, rasters, tables).

A territory is a folder with a ``territory.json`` manifest listing its layers (path, kind,
synthetic or real, source). Layers are read lazily, checked against their declared schema once,
and cached. Sample territories live in the repository's ``data/`` folder (built by
``twin data build`` from the real open data).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from twin_core.errors import TwinInputError
from twin_core.io import read_raster, read_table, read_vector
from twin_core.territory.schema import (
    SCHEMAS,
    Column,
    LayerSchema,
    check_codes_in_communes,
    check_raster_territory,
    check_vector_territory,
    schema_for,
)

__all__ = ["Territory", "LayerSchema", "Column", "SCHEMAS", "schema_for", "data_dir",
           "sample_territories", "session_territory"]

USE_CASES = ("coast", "forest", "agriculture", "zan")
#: Territories with a user's layer, in memory for one browser session (never written into the
#: territory's folder): by their id and by their (temporary) root, so that Territory.load of
#: either — the run cache and the ensembles load by id or root — returns them.
_SESSION: dict[str, Territory] = {}
MAX_SESSION_TERRITORIES = 32


def data_dir() -> Path:
    """Folder of the sample territories: $TWIN_DATA, else the repository's data/."""
    env = os.environ.get("TWIN_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data"


def sample_territories() -> list[str]:
    root = data_dir()
    return sorted(p.parent.name for p in root.glob("*/territory.json"))


def layer_path(root: Path, layer: str, rel: str, source: str) -> Path:
    """The layer's file, which must lie inside the territory's folder (no '..', no absolute
    path, no symbolic link leading out)."""
    base = Path(root).resolve()
    path = (base / rel).resolve()
    if Path(rel).is_absolute() or not path.is_relative_to(base):
        raise TwinInputError("path_outside_territory", source, layer=layer, path=rel[:200])
    return path


def kind_of(obj: Any) -> str:
    import xarray as xr

    if isinstance(obj, xr.DataArray):
        return "raster"
    return "vector" if hasattr(obj, "geometry") and hasattr(obj, "crs") else "table"


class Territory:
    """A territory read from a folder holding ``territory.json``."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = Path(root)
        self.manifest = manifest
        self.id: str = manifest["id"]
        self._cache: dict[str, Any] = {}

    @classmethod
    def load(cls, where: str | os.PathLike[str]) -> Territory:
        """Load by sample id ("coast", "forest", ...) or by folder path (or a session
        territory's key, :func:`session_territory`)."""
        hit = _SESSION.get(str(where))
        if hit is not None:
            return hit
        root = Path(where)
        if not root.exists() and isinstance(where, str) and os.sep not in where:
            root = data_dir() / where
        manifest_path = root / "territory.json"
        if not manifest_path.exists():
            raise TwinInputError("file_not_found", str(manifest_path))
        try:
            manifest = json.loads(manifest_path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise TwinInputError("bad_json", str(manifest_path), line="?", detail=str(exc)
                                 ) from None
        if not isinstance(manifest, dict):
            raise TwinInputError("bad_manifest", str(manifest_path),
                                 detail="not a JSON object")
        for key in ("id", "layers"):
            if key not in manifest:
                raise TwinInputError("missing_key", str(manifest_path), key=key)
        layers = manifest["layers"]
        if not isinstance(manifest["id"], str) or not isinstance(layers, dict):
            raise TwinInputError("bad_manifest", str(manifest_path),
                                 detail="'id' must be text and 'layers' an object")
        for name, info in layers.items():
            if not isinstance(info, dict) or not isinstance(info.get("path"), str):
                raise TwinInputError("bad_manifest", str(manifest_path),
                                     detail=f"layer '{name}' has no 'path' text")
            layer_path(root, name, info["path"], str(manifest_path))
        return cls(root, manifest)

    def name(self, lang: str = "fr") -> str:
        names = self.manifest.get("name", {})
        return names.get(lang) or names.get("en") or self.id

    @property
    def layer_names(self) -> list[str]:
        return list(self.manifest["layers"])

    def _resolve(self, name: str) -> str:
        """Layer name in the manifest: ``name`` itself or its synthetic stand-in."""
        layers = self.manifest["layers"]
        if name in layers:
            return name
        if f"{name}_synthetic" in layers:
            return f"{name}_synthetic"
        raise TwinInputError("missing_layer", self.id, layer=name)

    def has_layer(self, name: str) -> bool:
        layers = self.manifest["layers"]
        return name in layers or f"{name}_synthetic" in layers or name in self._cache

    def layer_info(self, name: str) -> dict[str, Any]:
        try:
            return dict(self.manifest["layers"][self._resolve(name)])
        except TwinInputError:
            return {}

    def is_synthetic(self, name: str) -> bool:
        return bool(self.layer_info(name).get("synthetic"))

    def layer(self, name: str) -> Any:
        """The layer ``name`` (or ``name_synthetic``), read and checked once, then cached."""
        if name in self._cache:
            return self._cache[name]
        key = self._resolve(name)
        info = self.manifest["layers"][key]
        path = layer_path(self.root, key, info["path"], str(self.root / "territory.json"))
        schema = schema_for(key)
        kind = info.get("kind", schema.kind if schema else "vector")
        if kind == "raster":
            obj = read_raster(path)
        elif kind == "table":
            str_cols = {c.name: str for c in (schema.columns if schema else ()) if c.dtype == "str"}
            obj = read_table(path, sep=info.get("sep"), dtype=str_cols)
        else:
            obj = read_vector(path)
        if schema is not None:
            obj = schema.check(obj, str(path), key, date_format=info.get("date_format"))
        self._check_against_territory(key, obj, str(path))
        self._cache[name] = obj
        return obj

    def _check_against_territory(self, key: str, obj: Any, source: str) -> None:
        """Checks of a layer against the territory's communes (extent, cells, codes)."""
        if key == "communes" or "communes" not in self.manifest["layers"]:
            return
        communes = self.layer("communes")
        kind = kind_of(obj)
        if kind == "raster":
            check_raster_territory(obj, communes, source, key)
            return
        schema = schema_for(key)
        if kind == "vector" and (schema is None or schema.plausible_extent):
            check_vector_territory(obj, communes, source, key)
        for col in schema.columns if schema is not None else ():
            if col.commune and col.name in obj.columns:
                check_codes_in_communes(obj[col.name], communes["code_insee"], source, key,
                                        col.name)

    def set_layer(self, name: str, obj: Any, source: str, synthetic: bool = False) -> None:
        """Replace a layer by user data (e.g. real BD TOPO buildings), checked first."""
        schema = schema_for(name)
        if schema is not None:
            schema.check(obj, source, name)
        self._cache[name] = obj
        self.manifest["layers"][name] = {"path": source, "kind": schema.kind if schema else
                                         "vector", "synthetic": synthetic, "source": source}
        self.manifest["layers"].pop(f"{name}_synthetic", None)

    def check(self) -> None:
        """Read and check every layer; raises the first problem found."""
        for name in self.layer_names:
            self.layer(name)

    @property
    def synthetic_layers(self) -> list[str]:
        return [n for n, info in self.manifest["layers"].items() if info.get("synthetic")]

    def __repr__(self) -> str:
        return f"Territory({self.id!r}, layers={self.layer_names})"


def session_territory(base: Territory, name: str, obj: Any, label: str) -> tuple[str, Territory]:
    """A copy of ``base`` with the checked layer ``obj`` as ``name`` (e.g. a user's dikes), for
    one browser session: nothing is written into ``base``'s folder. The copy shares the layers
    already read (same objects: a model's cache of them is reused), keeps ``base.id``, and is
    registered under a key ``<id>+<name>:<label>`` that :meth:`Territory.load` (hence the run
    cache and the ensembles) resolves. Returns (key, territory)."""
    import tempfile

    from twin_core.io import write_vector

    for layer in base.layer_names:  # read everything now: the copy has no files of its own
        plain = layer.removesuffix("_synthetic")
        base.layer(plain)
        base._cache.setdefault(layer, base._cache[plain])
    root = Path(tempfile.mkdtemp(prefix="twin-session-"))
    manifest = json.loads(json.dumps(base.manifest))
    path = root / f"{name}.gpkg"
    if kind_of(obj) == "vector":
        write_vector(obj, path)
    manifest["layers"].pop(f"{name}_synthetic", None)
    manifest["layers"][name] = {"path": path.name, "kind": kind_of(obj), "synthetic": False,
                                "source": f"uploaded in a browser session ({label})"}
    copy = Territory(root, manifest)
    copy._cache = {**base._cache, name: obj}
    key = f"{base.id}+{name}:{label}"
    while len(_SESSION) >= 2 * MAX_SESSION_TERRITORIES:  # the oldest go, with their folder
        import shutil

        old = _SESSION.pop(next(iter(_SESSION)))
        if old.root.name.startswith("twin-session-") and old.root.exists():
            shutil.rmtree(old.root, ignore_errors=True)
    _SESSION[key] = copy
    _SESSION[str(root.resolve())] = copy
    return key, copy
