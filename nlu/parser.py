"""The NLU parser: batched encoder -> intent head -> entities, language, sentiment -> NluResult."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from nlu.batching import BatchStats, MicroBatcher
from nlu.bilingual import IntentModel, load_classifier
from nlu.classifier import Prediction
from nlu.encoder import BatchedEncoder, Embeddings, SyncEncoder, load_encoder
from nlu.entities import EntityExtractor
from nlu.errors import NluError
from nlu.gazetteer import IdLookup
from nlu.ids import IdPattern
from nlu.language import detect_language
from nlu.limits import DEFAULT_LIMITS, InputLimits
from nlu.normalize import cut_width, fold
from nlu.sentiment import SentimentAnalyzer
from nlu.settings import NluSettings
from nlu.types import OUT_OF_SCOPE, NameLookup, NluResult

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.date]


def _as_date_clock(clock: Callable[[], dt.date | dt.datetime] | None) -> Clock:
    if clock is None:
        return dt.date.today

    def today() -> dt.date:
        now = clock()
        return now.date() if isinstance(now, dt.datetime) else now

    return today


class NluParser:
    """Implements nlu.types.Parser: async `parse`, micro-batched; all CPU work runs off the event loop.

    Concurrent `parse` calls are grouped (see nlu.batching.MicroBatcher): one worker-thread job
    encodes the whole group in one encoder pass, then runs the head, entities, language and
    sentiment for each message. The job runs on the encoder's thread, so a BatchedEncoder shared
    with other users (FAQ retrieval) is never used from two threads at once.
    """

    def __init__(
        self,
        *,
        classifier: IntentModel,
        encoder: BatchedEncoder,
        extractor: EntityExtractor,
        sentiment: SentimentAnalyzer,
        ambiguity_margin: float = 0.15,
        confidence_threshold: float = 0.0,
        owns_encoder: bool = False,
        limits: InputLimits = DEFAULT_LIMITS,
    ) -> None:
        self.classifier = classifier
        self.encoder = encoder
        self._extractor = extractor
        self._sentiment = sentiment
        self._ambiguity_margin = ambiguity_margin
        self._confidence_threshold = confidence_threshold
        self._owns_encoder = owns_encoder
        self._limits = limits
        self._batcher: MicroBatcher[str, NluResult] = MicroBatcher(
            self.parse_batch_sync,
            max_wait_ms=encoder.max_wait_ms,
            max_size=encoder.max_size,
            executor=encoder.executor,
        )

    @property
    def stats(self) -> BatchStats:
        return self._batcher.stats

    async def parse(self, text: str) -> NluResult:
        return await self._batcher.submit(text)

    def parse_batch_sync(self, texts: list[str]) -> list[NluResult]:
        """Blocking: one encoder pass for all texts, then the per-message analysis."""
        inputs = self.encoder_texts(texts)
        embeddings = self.encoder.encoder.encode(self.classifier.encoder_inputs(inputs))
        scores = self.classifier.scores_from_embeddings(embeddings, inputs)
        predictions = self.classifier.decide(
            scores, ambiguity_margin=self._ambiguity_margin, confidence_threshold=self._confidence_threshold
        )
        return [self._result(text, p) for text, p in zip(texts, predictions, strict=True)]

    def analyze(self, text: str, embeddings: Embeddings) -> NluResult:
        """Blocking: the analysis of one message whose (encoder-input) embedding is known."""
        scores = self.classifier.scores_from_embeddings(embeddings, self.encoder_texts([text]))
        prediction = self.classifier.decide(
            scores, ambiguity_margin=self._ambiguity_margin, confidence_threshold=self._confidence_threshold
        )[0]
        return self._result(text, prediction)

    def encoder_texts(self, texts: list[str]) -> list[str]:
        """What the intent classifier reads: the first `encoder_max_width` columns, normalized (NFKC;
        controls and lone surrogates replaced: the tokenizer rejects a lone surrogate, and with it
        the whole batch). The store's ids are read as ids of the shape the model was trained on
        (`4500987654` as `PO-1001`), so an id of an unusual shape does not change the intent."""
        width = self._limits.encoder_max_width
        return [self._extractor.as_trained_ids(fold(cut_width(text, width))) for text in texts]

    def _result(self, text: str, prediction: Prediction) -> NluResult:
        language = detect_language(text, max_chars=self._limits.language_max_chars)
        sentiment = self._sentiment.analyze(text, language)
        return NluResult(
            text=text,
            intent=prediction.intent,
            confidence=round(prediction.confidence, 4),
            ranking=prediction.ranking,
            entities=self._extractor.extract(text),
            language=language,
            sentiment=sentiment.label,
            sentiment_score=sentiment.score,
            ambiguous=prediction.ambiguous and prediction.intent != OUT_OF_SCOPE,
        )

    async def aclose(self) -> None:
        await self._batcher.aclose()
        if self._owns_encoder:
            await self.encoder.aclose()


def load_parser(
    model_dir: Path | str,
    *,
    encoder: BatchedEncoder | SyncEncoder | str = "",
    name_lookup: NameLookup | None = None,
    clock: Callable[[], dt.date | dt.datetime] | None = None,
    ambiguity_margin: float = 0.15,
    confidence_threshold: float = 0.0,
    fuzzy_name_threshold: float = 85.0,
    batch_max_wait_ms: float = 4.0,
    batch_max_size: int = 64,
    runtime: str = "onnx",
    multilingual: str = "e5",
    threads: int = 0,
    limits: InputLimits = DEFAULT_LIMITS,
    id_lookup: IdLookup | None = None,
    id_patterns: Sequence[IdPattern] = (),
) -> NluParser:
    """Load a trained model. `encoder`: a shared BatchedEncoder, a SyncEncoder, or a path ('' = bundled)."""
    owns_encoder = not isinstance(encoder, BatchedEncoder)
    if isinstance(encoder, BatchedEncoder):
        batched = encoder
    else:
        sync: SyncEncoder = (
            load_encoder(encoder, runtime=runtime, multilingual=multilingual, threads=threads)
            if isinstance(encoder, str)
            else encoder
        )
        batched = BatchedEncoder(sync, max_wait_ms=batch_max_wait_ms, max_size=batch_max_size)
    classifier = load_classifier(model_dir, encoder=batched.encoder)
    trained_with = classifier.metadata.get("encoder_id")
    if trained_with and trained_with != batched.encoder_id:
        raise NluError(
            f"the NLU model in {model_dir} was trained with encoder {trained_with}, "
            f"not {batched.encoder_id}; "
            "retrain with `opsbot train nlu`"
        )
    extractor = EntityExtractor(
        name_lookup=name_lookup,
        clock=_as_date_clock(clock),
        fuzzy_threshold=fuzzy_name_threshold,
        max_chars=limits.entity_max_chars,
        scan_chars=limits.entity_scan_chars,
        max_entities=limits.max_entities,
        id_lookup=id_lookup,
        id_patterns=id_patterns,
    )
    return NluParser(
        classifier=classifier,
        encoder=batched,
        extractor=extractor,
        sentiment=SentimentAnalyzer(max_chars=limits.sentiment_max_chars),
        ambiguity_margin=ambiguity_margin,
        confidence_threshold=confidence_threshold,
        owns_encoder=owns_encoder,
        limits=limits,
    )


def load_parser_for(
    settings: NluSettings,
    *,
    encoder: BatchedEncoder | SyncEncoder | None = None,
    name_lookup: NameLookup | None = None,
    clock: Callable[[], dt.date | dt.datetime] | None = None,
    id_lookup: IdLookup | None = None,
) -> NluParser:
    """`load_parser` with the `nlu:` settings; the store's ids come from `id_lookup`."""
    return load_parser(
        settings.model_dir,
        encoder=encoder if encoder is not None else settings.encoder,
        name_lookup=name_lookup,
        clock=clock,
        ambiguity_margin=settings.ambiguity_margin,
        confidence_threshold=settings.confidence_threshold,
        fuzzy_name_threshold=settings.fuzzy_name_threshold,
        batch_max_wait_ms=settings.batch_max_wait_ms,
        batch_max_size=settings.batch_max_size,
        runtime=settings.runtime,
        multilingual=settings.multilingual,
        threads=settings.threads,
        limits=settings.limits(),
        id_lookup=id_lookup,
        id_patterns=settings.compiled_id_patterns(),
    )
