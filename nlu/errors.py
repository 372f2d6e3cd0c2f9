"""The root of opsbot's error tree, and the NLU's errors.

`OpsbotError` lives here because nlu is the lowest layer: dialogue and bot re-export it
(`from dialogue.errors import OpsbotError`), so every error raised on purpose shares one root.
"""

from __future__ import annotations


class OpsbotError(Exception):
    """Base class of every error opsbot raises on purpose."""


class NluError(OpsbotError):
    """Base of every error the NLU raises on purpose."""


class ModelNotTrainedError(NluError):
    """No trained intent model in the model directory (run `opsbot train nlu`)."""


class TrainingDataError(NluError):
    """The training data in nlu/data/ is missing or malformed."""


class VocabularyError(NluError):
    """A vocabulary file in nlu/data/vocab/ is missing or malformed."""
