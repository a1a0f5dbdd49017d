"""Models: one package per domain; pure functions first, a thin registered model on top."""

from twin_core.models.base import InputSpec, Model, ModelSpec, OutputSpec, Result
from twin_core.models.registry import all_models, get_model

__all__ = ["InputSpec", "Model", "ModelSpec", "OutputSpec", "Result", "all_models", "get_model"]
