"""The synced handbook: its entries and their vectors, stored under `knowledge.store` by content hash.

    var/knowledge/<version>.json   the entries (id, language, file, heading, questions, answer, ...)
    var/knowledge/<version>.npz    the encoders' vectors of their texts (reused while the encoders match)
    var/knowledge/current          the version the bot answers from

`opsbot knowledge sync` writes a version and then `current` (an atomic rename), so a running bot reads
either the old handbook or the new one. `HandbookReloader.refresh` runs before each turn's knowledge
routing: when `current` names another version, the knowledge base adopts it then (no restart).
`prune_versions` (the nightly retention job) keeps the current version and the few synced before it.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from dialogue.embedding import Embedder, HashingEmbedder, Vectors, retrieval_view
from dialogue.faq import FaqEntry, KnowledgeBase
from dialogue.handbook import DEMO_HANDBOOK, Handbook, HandbookError, handbook_version, read_handbook

logger = logging.getLogger(__name__)

CURRENT = "current"
KEEP_PREVIOUS = 5  # synced versions kept besides the current one (to go back to by hand)
_VERSION = re.compile(r"[0-9a-f]{16}")  # dialogue.handbook.handbook_version


@dataclass(frozen=True, slots=True)
class SyncedHandbook:
    version: str
    folder: str
    entries: tuple[FaqEntry, ...]
    vectors: Mapping[str, Mapping[str, Vectors]]  # view ("retrieval" | "english") -> text -> vector
    encoder: str  # which encoders made the vectors


class StoredVectors:
    """An embedder that answers from stored vectors, and asks `inner` for texts it has none of."""

    def __init__(self, inner: Embedder, table: Mapping[str, Vectors]) -> None:
        self.inner = inner
        self._table = table

    async def encode(self, texts: Sequence[str]) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if t not in self._table]
        fresh = dict(zip(missing, await self.inner.encode(missing), strict=True)) if missing else {}
        return np.stack([self._table[t] if t in self._table else fresh[t] for t in texts]).astype(np.float32)


class _Recording:
    """An embedder that keeps what it encoded, to store it."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.seen: dict[str, Vectors] = {}

    async def encode(self, texts: Sequence[str]) -> Vectors:
        vectors = np.asarray(await self.inner.encode(texts), dtype=np.float32)
        self.seen.update(zip(texts, vectors, strict=True))
        return vectors


def build_knowledge_base(
    entries: Sequence[FaqEntry],
    embedder: Embedder,
    *,
    threshold: float,
    vectors: Mapping[str, Mapping[str, Vectors]] | None = None,
) -> KnowledgeBase:
    """As dialogue.faq.knowledge_base, with stored vectors used where they exist."""
    retrieval = retrieval_view(embedder)
    english = embedder if retrieval is not embedder else None
    stored = vectors or {}
    if not isinstance(retrieval, HashingEmbedder) and stored.get("retrieval"):
        retrieval = StoredVectors(retrieval, stored["retrieval"])
    if english is not None and stored.get("english"):
        english = StoredVectors(english, stored["english"])
    return KnowledgeBase(entries, retrieval, threshold=threshold, english=english)


async def sync_handbook(
    folder: str | Path | None, store: str | Path, embedder: Embedder, *, encoder: str, level: int = 2
) -> tuple[Handbook, bool]:
    """Read, embed and store the handbook in `folder`, and make it current. (handbook, changed)"""
    source = Path(folder) if folder else DEMO_HANDBOOK
    handbook = read_handbook(source, level=level)
    version = handbook.version
    previous = current_version(store)
    retrieval = retrieval_view(embedder)
    views: dict[str, _Recording] = {}
    if not isinstance(retrieval, HashingEmbedder):
        views["retrieval"] = _Recording(retrieval)
        english = embedder if retrieval is not embedder else None
        if english is not None:
            views["english"] = _Recording(english)
    kb = KnowledgeBase(
        handbook.entries,
        views.get("retrieval", retrieval),
        threshold=0.0,
        english=views.get("english"),
    )
    await kb.warm()
    _store(Path(store), source, handbook, encoder, views)
    return handbook, version != previous


def _store(
    root: Path, source: Path, handbook: Handbook, encoder: str, views: Mapping[str, _Recording]
) -> None:
    """Write the version's entries and vectors, then point `current` at it."""
    version = handbook.version
    root.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": version,
        "folder": str(source),
        "encoder": encoder,
        "entries": [asdict(e) for e in handbook.entries],
    }
    _write(root / f"{version}.json", json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))
    arrays: dict[str, object] = {}
    for view, recording in views.items():
        texts = list(recording.seen)
        arrays[f"{view}__texts"] = np.asarray(texts, dtype=np.str_)
        arrays[f"{view}__vectors"] = (
            np.stack([recording.seen[t] for t in texts]) if texts else np.zeros((0, 1))
        )
    tmp = root / f".{version}.npz.tmp"
    with tmp.open("wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    os.replace(tmp, root / f"{version}.npz")
    _write(root / CURRENT, version.encode("ascii"))


def current_version(store: str | Path) -> str:
    """The version `current` names ("" before the first sync)."""
    try:
        return (Path(store) / CURRENT).read_text(encoding="ascii").strip()
    except OSError:
        return ""


def load_synced(store: str | Path, *, encoder: str) -> SyncedHandbook | None:
    """The current synced handbook (None: never synced); vectors only if `encoder` made them."""
    root = Path(store)
    version = current_version(root)
    if not version:
        return None
    try:
        payload = json.loads((root / f"{version}.json").read_text(encoding="utf-8"))
        entries = tuple(FaqEntry(**{**e, "questions": tuple(e["questions"])}) for e in payload["entries"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HandbookError(
            f"{root}: synced handbook {version} cannot be read ({exc}); run `opsbot knowledge sync`"
        ) from exc
    if handbook_version(entries) != version:
        raise HandbookError(
            f"{root}: synced handbook {version} was changed by hand; run `opsbot knowledge sync`"
        )
    vectors: dict[str, dict[str, Vectors]] = {}
    if payload.get("encoder") == encoder:
        try:
            with np.load(root / f"{version}.npz") as stored:
                for view in ("retrieval", "english"):
                    if f"{view}__texts" in stored:
                        texts = [str(t) for t in stored[f"{view}__texts"]]
                        rows = np.asarray(stored[f"{view}__vectors"], dtype=np.float32)
                        vectors[view] = dict(zip(texts, rows, strict=True))
        except (OSError, ValueError) as exc:
            logger.warning("synced handbook %s: vectors not read (%s): encoding again", version, exc)
    return SyncedHandbook(
        version, str(payload.get("folder", "")), entries, vectors, str(payload.get("encoder"))
    )


def prune_versions(store: str | Path, *, keep_previous: int = KEEP_PREVIOUS) -> list[str]:
    """Delete the stored versions but the current one and the `keep_previous` synced last; the deleted.

    Versions are ordered by when they were last written (a sync of an older handbook writes it again).
    Nothing is deleted before the first sync, and a sync writing its version now keeps it: the newest
    version is always kept, whatever `current` names (`keep_previous` is at least 1).
    """
    root = Path(store)
    current = current_version(root)
    if not current:
        return []
    written: list[tuple[int, str]] = []
    for path in root.glob("*.json"):
        if path.stem != current and _VERSION.fullmatch(path.stem):
            try:
                written.append((path.stat().st_mtime_ns, path.stem))
            except OSError:  # deleted meanwhile
                continue
    written.sort(reverse=True)
    deleted = []
    for _, version in written[max(1, keep_previous) :]:
        for suffix in (".json", ".npz"):
            (root / f"{version}{suffix}").unlink(missing_ok=True)
        deleted.append(version)
    if deleted:
        logger.info("handbook store %s: %d old version(s) deleted", root, len(deleted))
    return deleted


class HandbookReloader:
    """Keeps a knowledge base on the current synced handbook: `refresh()` adopts a newer sync."""

    def __init__(
        self, kb: KnowledgeBase, store: str | Path, embedder: Embedder, *, encoder: str, version: str
    ) -> None:
        self.kb = kb
        self._store = Path(store)
        self._embedder = embedder
        self._encoder = encoder
        self.version = version
        self._stamp = self._pointer_stamp()

    def _pointer_stamp(self) -> tuple[int, int] | None:
        try:
            stat = (self._store / CURRENT).stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    async def refresh(self) -> bool:
        """Adopt the synced handbook if a sync made another one current (True: it did)."""
        stamp = self._pointer_stamp()
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        try:
            synced = load_synced(self._store, encoder=self._encoder)
        except HandbookError as exc:
            logger.error("handbook not reloaded: %s", exc)
            return False
        if synced is None or synced.version == self.version:
            return False
        fresh = build_knowledge_base(
            synced.entries, self._embedder, threshold=self.kb.threshold, vectors=synced.vectors
        )
        await fresh.warm()  # encode before the swap: a turn never sees a half-built knowledge base
        self.kb.adopt(fresh)
        self.version = synced.version
        logger.info("handbook %s adopted (%d entries)", synced.version, len(synced.entries))
        return True


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
