"""Workshop sessions kept in a real database: SQLite by default (embedded, one file, nothing to
start), PostgreSQL when ``TWIN_DATABASE_URL`` (a SQLAlchemy URL such as
``postgresql+psycopg://user@host/twin``) is set.

Proposals are append-only: a submission inserts a new row and never updates another one, so two
participants submitting at the same moment cannot overwrite each other, and a server restart loses
nothing that was committed. The board reads the latest submitted row per participant.

Access is by bearer secrets: the facilitator's key and each participant's key are random
``secrets.token_urlsafe(24)`` values; only their SHA-256 is stored. Session codes are 8 characters
drawn with ``secrets`` from a 31-letter alphabet without look-alikes (31⁸ ≈ 8.5·10¹¹ codes).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from twin_core.errors import TwinInputError

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
NAME_MAX = 40
MAX_PARTICIPANTS = 200
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")

metadata = sa.MetaData()
workshops = sa.Table(
    "workshops", metadata,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("model_id", sa.String(64), nullable=False),
    sa.Column("territory_id", sa.String(64), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("facilitator_hash", sa.String(64), nullable=False),
    sa.Column("frozen", sa.Boolean, nullable=False, default=False),
    sa.Column("revealed", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("levers", sa.Text, nullable=True),  # JSON list; NULL: every lever
)
participants = sa.Table(
    "participants", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(CODE_LENGTH), sa.ForeignKey("workshops.code"), nullable=False,
              index=True),
    sa.Column("name", sa.String(NAME_MAX), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("joined_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("code", "name", name="uq_participant_name"),
)
proposals = sa.Table(
    "proposals", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(CODE_LENGTH), sa.ForeignKey("workshops.code"), nullable=False,
              index=True),
    sa.Column("participant_id", sa.Integer, sa.ForeignKey("participants.id"), nullable=False,
              index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # "draft" | "submitted"
    sa.Column("params", sa.Text, nullable=False),
    sa.Column("values", sa.Text, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)


@dataclass(frozen=True)
class Workshop:
    code: str
    model_id: str
    territory_id: str
    title: str
    frozen: bool
    revealed: bool
    created_at: str
    levers: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Proposal:
    id: int
    participant_id: int
    name: str
    params: dict[str, Any]
    values: dict[str, float]
    hidden: bool
    submitted_at: str


def default_url() -> str:
    """``TWIN_DATABASE_URL`` if set, else a SQLite file (``TWIN_WORKSHOP_DB`` or
    ``~/.local/share/twin/workshops.sqlite``)."""
    url = os.environ.get("TWIN_DATABASE_URL")
    if url:
        return url
    path = Path(os.environ.get("TWIN_WORKSHOP_DB")
                or Path.home() / ".local" / "share" / "twin" / "workshops.sqlite")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # opening the database then fails with a message naming it
    return f"sqlite:///{path}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Upper-case, spaces and dashes removed; raises on anything that cannot be a code."""
    clean = re.sub(r"[\s-]", "", str(code or "")).upper()
    if not _CODE_RE.match(clean):
        raise TwinInputError("workshop_bad_code", "code", length=CODE_LENGTH)
    return clean


def clean_name(name: str) -> str:
    """A display name: trimmed, 1–40 printable characters, no control or format characters."""
    text = unicodedata.normalize("NFC", str(name or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if not text or len(text) > NAME_MAX or any(
            unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn"} for c in text):
        raise TwinInputError("workshop_bad_name", "nom", max=NAME_MAX)
    return text


def _database_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """A database that cannot be reached or written becomes a TwinInputError naming it, so
    that the pages say so and keep running (nothing was half-written: each write is one
    transaction)."""

    @functools.wraps(method)
    def wrapper(self: WorkshopStore, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise TwinInputError("workshop_db_unavailable", _safe_url(self.url),
                                 detail=type(exc.orig or exc).__name__) from exc

    return wrapper


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "TWIN_DATABASE_URL"


class WorkshopStore:
    """All reads and writes of workshop sessions; safe to share between threads."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        try:
            if self.url.startswith("sqlite"):
                self.engine = sa.create_engine(self.url, connect_args={"timeout": 30})
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            else:
                self.engine = sa.create_engine(self.url, pool_pre_ping=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise TwinInputError("workshop_db_url", "TWIN_DATABASE_URL") from exc
        self._setup()

    @_database_errors
    def _setup(self) -> None:
        metadata.create_all(self.engine)
        self._upgrade()

    def _upgrade(self) -> None:
        """Add the columns a database made by an earlier twin lacks (nothing is dropped)."""
        present = {c["name"] for c in sa.inspect(self.engine).get_columns("workshops")}
        if "levers" not in present:
            with self.engine.begin() as con:
                con.execute(sa.text("ALTER TABLE workshops ADD COLUMN levers TEXT"))

    # -- facilitator -------------------------------------------------------------------------
    @_database_errors
    def create(self, model_id: str, territory_id: str, title: str,
               levers: list[str] | None = None) -> tuple[str, str]:
        """A new workshop; returns (code, facilitator key). ``levers``: the scenario params
        participants may change (None: all of them)."""
        title = clean_title(title)
        if levers is not None and (not levers or not all(
                isinstance(n, str) and re.fullmatch(r"[a-z][a-z0-9_]{0,63}", n) for n in levers)):
            raise TwinInputError("workshop_bad_levers", "leviers")
        key = secrets.token_urlsafe(24)
        for _ in range(10):  # a collision is ~impossible; never reuse a code
            code = new_code()
            try:
                with self.engine.begin() as con:
                    con.execute(workshops.insert().values(
                        code=code, model_id=model_id, territory_id=territory_id, title=title,
                        facilitator_hash=_hash(key), frozen=False, revealed=False,
                        created_at=_now(),
                        levers=None if levers is None else json.dumps(list(levers))))
                return code, key
            except sa.exc.IntegrityError:
                continue
        raise RuntimeError("could not draw a free workshop code")

    @_database_errors
    def check_facilitator(self, code: str, key: str) -> Workshop:
        """The workshop if ``key`` is its facilitator key, else TwinInputError (no hint which
        of the code or the key is wrong)."""
        code = normalise_code(code)
        with self.engine.connect() as con:
            row = con.execute(sa.select(workshops).where(workshops.c.code == code)).first()
        if row is None or not hmac.compare_digest(row.facilitator_hash, _hash(str(key or ""))):
            raise TwinInputError("workshop_not_facilitator", "clé")
        return _workshop(row)

    @_database_errors
    def set_flags(self, code: str, key: str, *, frozen: bool | None = None,
                  revealed: bool | None = None) -> Workshop:
        self.check_facilitator(code, key)
        values = {k: v for k, v in {"frozen": frozen, "revealed": revealed}.items()
                  if v is not None}
        if values:
            with self.engine.begin() as con:
                con.execute(workshops.update().where(workshops.c.code == code).values(**values))
        return self.check_facilitator(code, key)

    @_database_errors
    def set_hidden(self, code: str, key: str, proposal_id: int, hidden: bool) -> None:
        self.check_facilitator(code, key)
        with self.engine.begin() as con:
            con.execute(proposals.update().where(
                (proposals.c.id == int(proposal_id)) & (proposals.c.code == code)
            ).values(hidden=bool(hidden)))

    @_database_errors
    def board(self, code: str, key: str) -> list[Proposal]:
        """Every participant's latest submission, hidden ones included (facilitator view)."""
        self.check_facilitator(code, key)
        return self._latest(code, include_hidden=True)

    # -- participants ------------------------------------------------------------------------
    @_database_errors
    def workshop(self, code: str) -> Workshop:
        code = normalise_code(code)
        with self.engine.connect() as con:
            row = con.execute(sa.select(workshops).where(workshops.c.code == code)).first()
        if row is None:
            raise TwinInputError("workshop_unknown_code", "code", given=code)
        return _workshop(row)

    @_database_errors
    def join(self, code: str, name: str) -> tuple[int, str]:
        """A participant joins with a display name; returns (participant id, participant key)."""
        ws = self.workshop(code)
        if ws.frozen:
            raise TwinInputError("workshop_frozen", ws.code)
        name = clean_name(name)
        key = secrets.token_urlsafe(24)
        try:
            with self.engine.begin() as con:
                count = con.execute(sa.select(sa.func.count()).select_from(participants)
                                    .where(participants.c.code == ws.code)).scalar_one()
                if count >= MAX_PARTICIPANTS:
                    raise TwinInputError("workshop_full", ws.code, max=MAX_PARTICIPANTS)
                pid = con.execute(participants.insert().values(
                    code=ws.code, name=name, token_hash=_hash(key), joined_at=_now())
                ).inserted_primary_key[0]
        except sa.exc.IntegrityError as exc:
            raise TwinInputError("workshop_name_taken", "nom", name=name) from exc
        return int(pid), key

    @_database_errors
    def participant(self, code: str, key: str) -> tuple[int, str]:
        """(id, name) of the participant holding ``key`` in workshop ``code``."""
        code = normalise_code(code)
        with self.engine.connect() as con:
            row = con.execute(sa.select(participants.c.id, participants.c.name).where(
                (participants.c.code == code)
                & (participants.c.token_hash == _hash(str(key or ""))))).first()
        if row is None:
            raise TwinInputError("workshop_not_participant", "clé")
        return int(row.id), str(row.name)

    @_database_errors
    def save(self, code: str, key: str, params: dict[str, Any], values: dict[str, float],
             kind: str = "submitted") -> int:
        """Append the participant's draft or submission; returns the new row id."""
        if kind not in {"draft", "submitted"}:
            raise ValueError(kind)
        pid, _ = self.participant(code, key)
        code = normalise_code(code)
        with self.engine.begin() as con:
            frozen = con.execute(sa.select(workshops.c.frozen)
                                 .where(workshops.c.code == code)).scalar_one()
            if frozen and kind == "submitted":
                raise TwinInputError("workshop_frozen", code)
            new_id = con.execute(proposals.insert().values(
                code=code, participant_id=pid, kind=kind,
                params=json.dumps(params, sort_keys=True),
                values=json.dumps({k: float(v) for k, v in values.items()}, sort_keys=True),
                hidden=False, created_at=_now())).inserted_primary_key[0]
        return int(new_id)

    @_database_errors
    def draft(self, code: str, key: str) -> dict[str, Any] | None:
        """The caller's own latest draft or submission params (None if none yet)."""
        pid, _ = self.participant(code, key)
        with self.engine.connect() as con:
            row = con.execute(sa.select(proposals.c.params).where(
                proposals.c.participant_id == pid).order_by(proposals.c.id.desc()).limit(1)
            ).first()
        return json.loads(row.params) if row else None

    @_database_errors
    def revealed_board(self, code: str) -> list[Proposal]:
        """What participants may see: the visible submissions, only once the facilitator has
        revealed them (empty list otherwise)."""
        ws = self.workshop(code)
        return self._latest(ws.code, include_hidden=False) if ws.revealed else []

    @_database_errors
    def _latest(self, code: str, include_hidden: bool) -> list[Proposal]:
        latest = (sa.select(sa.func.max(proposals.c.id).label("id"))
                  .where((proposals.c.code == code) & (proposals.c.kind == "submitted"))
                  .group_by(proposals.c.participant_id).subquery())
        query = (sa.select(proposals, participants.c.name)
                 .join(latest, proposals.c.id == latest.c.id)
                 .join(participants, participants.c.id == proposals.c.participant_id)
                 .order_by(proposals.c.id))
        if not include_hidden:
            query = query.where(proposals.c.hidden.is_(False))
        with self.engine.connect() as con:
            rows = con.execute(query).all()
        return [Proposal(id=int(r.id), participant_id=int(r.participant_id), name=str(r.name),
                         params=json.loads(r.params), values=json.loads(r.values),
                         hidden=bool(r.hidden), submitted_at=str(r.created_at)) for r in rows]


def clean_title(title: str) -> str:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(title or ""))).strip()
    if not text or len(text) > 200 or any(unicodedata.category(c) == "Cc" for c in text):
        raise TwinInputError("workshop_bad_title", "titre", max=200)
    return text


def _workshop(row: Any) -> Workshop:
    return Workshop(code=row.code, model_id=row.model_id, territory_id=row.territory_id,
                    title=row.title, frozen=bool(row.frozen), revealed=bool(row.revealed),
                    created_at=row.created_at,
                    levers=tuple(json.loads(row.levers)) if row.levers else None)


def _sqlite_pragmas(dbapi_con: Any, _record: Any) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
