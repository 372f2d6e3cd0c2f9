"""NLU errors. (nlu may not import dialogue or bot, so this is its own small tree.)"""

from __future__ import annotations


class NluError(Exception):
    """Base of every error the NLU raises on purpose."""


class ModelNotTrainedError(NluError):
    """No trained intent model in the model directory (run `opsbot train nlu`)."""


class TrainingDataError(NluError):
    """The training data in nlu/data/ is missing or malformed."""
