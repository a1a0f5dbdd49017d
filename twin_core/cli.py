"""Command line: ``twin serve | run | report | data build | territory | cache | models``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from twin_core.errors import TwinInputError


def _cmd_models(args: argparse.Namespace) -> int:
    from twin_core.models.registry import all_models

    print(f"{'id':28} {'use case':12} {'version':8} title")
    for model_id, model in all_models().items():
        print(f"{model_id:28} {model.spec.use_case:12} {model.spec.version:8} {model.spec.title}")
    return 0


def _load_scenarios(paths: list[str]):
    """The scenario files (one model for all), their model and the territory to run them on."""
    from twin_core.models.registry import get_model
    from twin_core.scenario import MAX_SCENARIO_BYTES, Scenario

    scenarios = []
    for path in paths:
        p = Path(path)
        if not p.is_file():
            raise TwinInputError("file_not_found", str(p))
        size = p.stat().st_size
        if size > MAX_SCENARIO_BYTES:  # refused before reading it
            raise TwinInputError("file_too_large", str(p), size=f"{size / 1e6:,.1f}",
                                 limit=f"{MAX_SCENARIO_BYTES / 1e6:g}")
        scenarios.append(Scenario.from_json(p.read_bytes(), source=str(p)))
    model_ids = {s.model_id for s in scenarios}
    if len(model_ids) != 1:
        raise TwinInputError("wrong_model", ", ".join(paths),
                             model=", ".join(sorted(model_ids)), expected="one model")
    return scenarios, get_model(scenarios[0].model_id)


def _cmd_run(args: argparse.Namespace) -> int:
    from twin_core.compare import compare
    from twin_core.io import export_indicators
    from twin_core.territory import Territory

    scenarios, model = _load_scenarios(args.scenario)
    territory = Territory.load(args.territory or model.spec.use_case)
    if args.draws is not None:
        return _run_ensembles(args, model, territory, scenarios)
    results = [model.run(territory, s) for s in scenarios]
    table = compare(results, lang=args.lang)
    if args.out:
        export_indicators(table, args.out)
        print(f"wrote {args.out}")
    with_delta = len(results) > 1
    shown = table.assign(evidence=table["evidence"] + table["synthetic"].map(
        lambda s: f" + synthetic ({s})" if s else ""))
    cols = ["label", "scenario", "value", "units"] + (["delta"] if with_delta else []) + [
        "evidence"]
    print(shown[cols].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    for skill in sorted({s for s in table["skill"] if s}):
        print(f"calibrated: {skill}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    """Every check against published references (twin_core.validation); exit 1 on a failure."""
    from twin_core.validation import all_checks, run_checks

    models = sorted({c.model for c in all_checks().values()})
    if args.model and args.model not in models:
        raise TwinInputError("bad_value", "model", key="model", value=args.model,
                             allowed=", ".join(models), detail="")
    results = run_checks(args.model)
    width = max(len(r.check) for r in results)
    for r in results:
        print(f"{r.status.upper():8} {r.check:{width}}  {r.obtained:.4g} (expected {r.expected}, "
              f"tolerance {r.tolerance})  {r.compared} — {r.reference}")
    failed = [r for r in results if r.failed]
    no_skill = [r for r in results if r.status == "no_skill"]
    print(f"{len(results) - len(failed)} of {len(results)} checks without failure; "
          f"{len(failed)} failed; {len(no_skill)} fit(s) without skill (not used by the models)")
    return 1 if failed else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from twin_core.io import atomic_path
    from twin_core.report import PdfConversionError, html_to_pdf, scenario_report
    from twin_core.territory import Territory

    scenarios, model = _load_scenarios(args.scenario)
    territory_id = args.territory or model.spec.use_case
    territory = Territory.load(territory_id)
    results = [model.run(territory, s) for s in scenarios]
    try:
        text = scenario_report(model.spec.id, territory_id, scenarios, results, lang=args.lang,
                               reference=args.reference)
    except ValueError as exc:  # duplicate labels, unknown reference
        print(f"twin: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    with atomic_path(out) as tmp:
        tmp.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    if args.pdf:
        try:
            pdf = html_to_pdf(text, out.with_suffix(".pdf"))
        except PdfConversionError as exc:
            print(f"twin: {exc}", file=sys.stderr)
            return 1
        if pdf is None:
            print("twin: no PDF converter found (install chromium or set TWIN_CHROMIUM); "
                  "the HTML report prints to PDF from a browser", file=sys.stderr)
            return 1
        print(f"wrote {pdf}")
    return 0


def _run_ensembles(args, model, territory, scenarios) -> int:
    import pandas as pd

    from twin_core.ensemble import run_ensemble
    from twin_core.i18n import t
    from twin_core.indicators import indicators_for
    from twin_core.io import write_csv

    labels = {i.id: (i.label(args.lang), i.units) for i in indicators_for(model.spec.id)}
    frames = []
    for s in scenarios:
        ens = run_ensemble(model.spec.id, str(territory.root.resolve()), s, args.draws,
                           seed=args.seed, scheduler=args.scheduler,
                           assumptions=args.assumptions)
        summary = ens.summary()
        top = ens.sensitivity().query("rank == 1").set_index("indicator")
        summary["label"] = summary["indicator"].map(lambda i: labels[i][0])
        summary["units"] = summary["indicator"].map(lambda i: labels[i][1])
        summary["main_driver"] = summary["indicator"].map(
            lambda i, top=top: t(f"params.{top.at[i, 'input']}", args.lang)
            if i in top.index and top.at[i, "abs_spearman"] > 0 else "")
        frames.append(summary.assign(scenario=s.label, draws=args.draws, seed=args.seed))
    table = pd.concat(frames, ignore_index=True)[
        ["indicator", "label", "units", "scenario", "median", "p05", "p95", "main_driver",
         "draws", "seed"]]
    if args.out:
        write_csv(table, args.out)
        print(f"wrote {args.out}")
    print(table[["label", "scenario", "median", "p05", "p95", "units"]].to_string(
        index=False, float_format=lambda v: f"{v:,.2f}"))
    return 0


#: Warm-up order: the quick models first, so that most pages are ready within seconds.
WARM_UP_ORDER = ("zan", "coast", "forest", "agriculture")


def warm_up(background: bool = False):
    """Prepare every model's sample territory and run its default comparison once, so that the
    first visitor of each page does not wait for the one-off preparation. With ``background``,
    in a daemon thread (returned) while the server already answers: a page whose model is not
    ready yet says so and fills in when it is (``dashboards.shell.runner.model_ready``)."""
    import threading
    import time

    from dashboards.shell import runner
    from twin_core.models.registry import all_models

    runner.warm_up_starting()

    def work() -> None:
        models = []
        try:  # importing the models takes seconds: in the thread too
            models = sorted(all_models().items(), key=lambda kv: (
                WARM_UP_ORDER.index(kv[1].spec.use_case)
                if kv[1].spec.use_case in WARM_UP_ORDER else len(WARM_UP_ORDER), kv[0]))
        finally:  # the pages stop waiting for the listing, even when it failed
            events = runner.warming_up([m for m, _ in models])
        for model_id, model in models:
            start = time.perf_counter()
            cls = model.scenario_class
            try:
                for scenario in (cls(label="A"), cls(label="B", **cls.example_b)):
                    runner.run(model_id, model.spec.use_case, scenario)
            except Exception as exc:  # a broken sample must not stop the server
                print(f"twin: warm-up of {model_id} skipped: {exc}", file=sys.stderr)
                continue
            finally:
                events[model_id].set()
            print(f"twin: {model_id} ready in {time.perf_counter() - start:.1f} s", flush=True)
        if background and any(m.spec.use_case == "agriculture" for _, m in models):
            start_aquacrop_fill()

    if not background:
        work()
        return None
    thread = threading.Thread(target=work, name="twin-warm-up", daemon=True)
    thread.start()
    return thread


#: The territory whose AquaCrop grid the server fills after its warm-up (the agriculture
#: page's default; a user territory's grid is computed on use, then kept on disk).
AQUACROP_FILL_TERRITORY = "agriculture"


def start_aquacrop_fill(territory_id: str = AQUACROP_FILL_TERRITORY):
    """After the warm-up: when tables of the territory's AquaCrop yield grid are missing from
    the disk cache, compute them in a separate, lowest-priority process (``nice 19 twin cache
    aquacrop``), so that the pages keep the CPU and moving the soil or summer-rain lever later
    answers without its AquaCrop runs (15 s for the soil lever, measured in-process). Off with
    ``TWIN_AQUACROP_FILL=off`` or a disabled disk cache. Returns the process (or None)."""
    import shutil
    import subprocess

    from twin_core.models.agriculture import aquacrop_yields as aq

    if os.environ.get("TWIN_AQUACROP_FILL", "on").lower() == "off" or aq.cache_dir() is None:
        return None
    try:
        missing = len(_aquacrop_cache(territory_id).missing())
    except Exception as exc:  # a broken sample must not stop the server
        print(f"twin: AquaCrop grid not checked: {exc}", file=sys.stderr, flush=True)
        return None
    if not missing:
        return None
    cmd = [sys.executable, "-m", "twin_core.cli", "cache", "aquacrop", territory_id]
    if shutil.which("nice"):
        cmd = ["nice", "-n", "19", *cmd]
    print(f"twin: {missing} AquaCrop yield tables computed in the background "
          "(low priority, kept in the disk cache)", flush=True)
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _aquacrop_cache(territory_id: str):
    from twin_core.models.agriculture.model import prepared
    from twin_core.models.agriculture.pipeline import aquacrop_cache
    from twin_core.runs import territory

    return aquacrop_cache(prepared(territory(territory_id)))


def _cmd_cache_aquacrop(args: argparse.Namespace) -> int:
    """Fill a territory's AquaCrop yield grid in the disk cache; one process at a time (a
    lock file beside the cache: a second one exits at once)."""
    import fcntl

    from twin_core.models.agriculture import aquacrop_yields as aq

    folder = aq.cache_dir()
    if folder is None:
        print("twin: the disk cache is off (TWIN_CACHE_DIR=off): nothing to fill",
              file=sys.stderr)
        return 2
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".fill.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("twin: another process is filling the AquaCrop cache", flush=True)
            return 0
        done = _aquacrop_cache(args.territory).fill()
    print(f"twin: {done} AquaCrop yield tables computed for {args.territory}", flush=True)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from dashboards.app import serve

    if args.warmup:  # in the background: the home page answers at once
        warm_up(background=True)
    auth = {}
    if args.basic_auth:  # a password, or a JSON file {user: password}; needs a cookie secret
        import secrets

        auth = {"basic_auth": args.basic_auth,
                "cookie_secret": os.environ.get("TWIN_COOKIE_SECRET") or secrets.token_hex(32)}
    elif args.oauth_provider:  # Panel's OAuth; key and secret from the environment
        import secrets

        auth = {"oauth_provider": args.oauth_provider,
                "oauth_key": os.environ.get("TWIN_OAUTH_KEY"),
                "oauth_secret": os.environ.get("TWIN_OAUTH_SECRET"),
                "oauth_redirect_uri": os.environ.get("TWIN_OAUTH_REDIRECT_URI"),
                "oauth_encryption_key": os.environ.get("TWIN_OAUTH_ENCRYPTION_KEY"),
                "cookie_secret": os.environ.get("TWIN_COOKIE_SECRET") or secrets.token_hex(32)}
    elif args.address not in {"127.0.0.1", "localhost", "::1"}:
        print("twin: WARNING: serving on a network without --basic-auth; anyone who reaches "
              f"{args.address}:{args.port} can open the pages.", file=sys.stderr, flush=True)
    print(f"twin: serving on http://{args.address}:{args.port}/ (Ctrl-C to stop)", flush=True)
    serve(port=args.port, address=args.address, show=False, **auth)
    return 0


def _cmd_data_build(args: argparse.Namespace) -> int:
    from twin_core.territory import build

    argv = []
    if args.source:
        argv += ["--source", args.source]
    if args.dest:
        argv += ["--dest", args.dest]
    return build.main(argv)


def _cmd_territory_create(args: argparse.Namespace) -> int:
    from twin_core.territory import create

    create.create_territory(args.name, communes=args.communes, epci=args.epci,
                            departement=args.departement, source=args.source, into=args.into,
                            dem=args.dem, overwrite=args.overwrite, download=args.download,
                            dry_run=args.dry_run, max_download_mb=args.max_download_mb)
    return 0


def _cmd_territory_import(args: argparse.Namespace) -> int:
    from twin_core.territory import create

    create.import_layer(args.name, args.layer, args.file)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="twin", description="Territorial digital twin.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the dashboards")
    s.add_argument("--port", type=int, default=5006)
    s.add_argument("--address", default="127.0.0.1",
                   help="listen address (default 127.0.0.1: this machine only)")
    s.add_argument("--basic-auth", default=None, metavar="PASSWORD|FILE.json",
                   help="ask for a login (Panel basic auth): one password, or a JSON file "
                   "mapping user names to passwords; use it whenever --address is not local")
    s.add_argument("--oauth-provider", default=None, metavar="NAME",
                   help="log in through an OAuth provider (Panel: github, google, azure, "
                   "generic, …) with TWIN_OAUTH_KEY / TWIN_OAUTH_SECRET / "
                   "TWIN_OAUTH_REDIRECT_URI / TWIN_OAUTH_ENCRYPTION_KEY")
    s.add_argument("--no-warmup", dest="warmup", action="store_false",
                   help="skip running each page's default scenarios in the background")
    s.set_defaults(func=_cmd_serve)
    r = sub.add_parser("run", help="run one or more scenario files (batch, no browser)")
    r.add_argument("scenario", nargs="+", help="scenario JSON file(s) saved from a dashboard")
    r.add_argument("--territory", help="territory id or folder (default: the use case's sample)")
    r.add_argument("--out", help="write the comparison table as CSV")
    r.add_argument("--lang", default="fr", choices=["fr", "en"])
    r.add_argument("--draws", type=int, default=None,
                   help="run each scenario as an ensemble of N seeded draws (median, 5-95 %%)")
    r.add_argument("--seed", type=int, default=0, help="seed of the ensemble draws")
    r.add_argument("--assumptions", action="store_true",
                   help="with --draws: vary the indicators' driving assumptions too (±25 %%)")
    r.add_argument("--scheduler", default=None,
                   help="Dask scheduler address (tcp://host:port); default "
                        "$DASK_SCHEDULER_ADDRESS, else this process")
    r.set_defaults(func=_cmd_run)
    rp = sub.add_parser("report", help="one self-contained HTML report (and PDF) of scenarios")
    rp.add_argument("scenario", nargs="+", help="scenario JSON file(s) saved from a dashboard")
    rp.add_argument("--out", default="report.html", help="HTML file to write (report.html)")
    rp.add_argument("--pdf", action="store_true",
                    help="also print it to PDF beside --out (needs Chromium)")
    rp.add_argument("--lang", default="fr", choices=["fr", "en"])
    rp.add_argument("--territory", help="territory id or folder (default: the use case's sample)")
    rp.add_argument("--reference", help="label of the reference scenario (default: the first)")
    rp.set_defaults(func=_cmd_report)
    d = sub.add_parser("data", help="sample data")
    dsub = d.add_subparsers(dest="data_command", required=True)
    b = dsub.add_parser("build", help="rebuild data/ from ../shared/data")
    b.add_argument("--source")
    b.add_argument("--dest")
    b.set_defaults(func=_cmd_data_build)
    te = sub.add_parser("territory", help="create a territory for any communes, import layers")
    tsub = te.add_subparsers(dest="territory_command", required=True)
    tc = tsub.add_parser("create", help="build a territory from local national files "
                          "or the official services (--download)")
    tc.add_argument("name", help="territory name (folder name)")
    what = tc.add_mutually_exclusive_group(required=True)
    what.add_argument("--communes", nargs="+", metavar="CODE", help="INSEE commune codes")
    what.add_argument("--epci", metavar="SIREN", help="every commune of an EPCI")
    what.add_argument("--departement", metavar="NN", help="every commune of a département")
    tc.add_argument("--from", dest="source", metavar="DIR",
                    help="folder of national files laid out like ../shared/data "
                         "(default ../shared/data); BD TOPO bâtiments, RPG and the national "
                         "Cerema land-take CSV are also found anywhere under it by their "
                         "distributed names")
    tc.add_argument("--into", metavar="DIR",
                    help="parent folder (default $TWIN_TERRITORIES or "
                         "~/.local/share/twin/territories)")
    tc.add_argument("--dem", metavar="FILE|none",
                    help="elevation GeoTIFF (default: the file of DIR/elevation covering the "
                         "territory); 'none' builds without relief")
    tc.add_argument("--overwrite", action="store_true", help="replace an existing territory")
    tc.add_argument("--download", action="store_true",
                    help="first fetch the layers from the official services (IGN Géoplateforme, "
                         "Hub'Eau, Cerema, Météo-France; cached, resumable); nothing is "
                         "downloaded without it")
    tc.add_argument("--dry-run", action="store_true",
                    help="with --download: list the requests (method, URL, parameters, "
                         "estimated size) and fetch nothing")
    tc.add_argument("--max-download-mb", type=float, default=None, metavar="MB",
                    help="refuse a layer whose estimated download is larger (default "
                         "$TWIN_MAX_DOWNLOAD_MB or 500)")
    tc.set_defaults(func=_cmd_territory_create)
    ti = tsub.add_parser("import", help="check a file, then make it a layer of a territory "
                         "(the previous version is kept as LAYER.prev)")
    ti.add_argument("name", help="territory name (user's data directory) or folder")
    ti.add_argument("layer", help="layer name (communes, stands, buildings, dem, crops, …)")
    ti.add_argument("file", help="GeoPackage, GeoParquet, GeoJSON, CSV or GeoTIFF")
    ti.set_defaults(func=_cmd_territory_import)
    v = sub.add_parser("validate", help="check the models against published references "
                       "(exit 1 on a failed check)")
    v.add_argument("model", nargs="?", default=None,
                   help="use case: core, coast, forest, agriculture or zan (default: all)")
    v.set_defaults(func=_cmd_validate)
    c = sub.add_parser("cache", help="fill model caches ahead of use")
    csub = c.add_subparsers(dest="cache", required=True)
    ca = csub.add_parser("aquacrop", help="compute a territory's whole AquaCrop yield grid "
                         "(crops × soil classes × summer-rain changes) into the disk cache; "
                         "`twin serve` starts it at low priority after its warm-up")
    ca.add_argument("territory", nargs="?", default=AQUACROP_FILL_TERRITORY,
                    help="territory id (default: the agriculture sample)")
    ca.set_defaults(func=_cmd_cache_aquacrop)
    m = sub.add_parser("models", help="list the registered models")
    m.set_defaults(func=_cmd_models)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except TwinInputError as exc:
        lang = getattr(args, "lang", "en")
        print(exc.message(lang), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
