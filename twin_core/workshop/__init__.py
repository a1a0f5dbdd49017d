"""Workshops: a facilitator opens a session, participants submit proposals, a board compares."""

from twin_core.workshop.service import MODELS, evaluate, submit
from twin_core.workshop.store import Proposal, Workshop, WorkshopStore

__all__ = ["MODELS", "Proposal", "Workshop", "WorkshopStore", "evaluate", "submit"]
