"""Serving: what is loaded before the first request is kept out of the garbage collector's scans."""

from __future__ import annotations

import gc

from bot.serve import freeze_long_lived_objects


def test_what_is_loaded_at_start_up_is_frozen_out_of_collections() -> None:
    models = [{"weight": n} for n in range(10_000)]  # stands in for the models' many small objects
    before = gc.get_freeze_count()
    try:
        freeze_long_lived_objects()
        assert gc.get_freeze_count() >= before + len(models)
    finally:
        gc.unfreeze()


def test_the_bot_serves_on_uvloop_where_it_is_installed() -> None:
    from bot.serve import serving_loop

    factory = serving_loop()
    assert factory is not None
    loop = factory()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()


async def test_every_warm_up_runs_before_ready_and_one_failing_does_not_stop_the_others() -> None:
    import asyncio

    from bot.ml import Models, warm_models
    from dialogue.actions.base import ActionTable

    done: list[str] = []

    async def encoder() -> None:
        await asyncio.sleep(0.01)
        done.append("encoder")

    async def broken_reply_model() -> None:
        raise RuntimeError("no model")

    async def knowledge_index() -> None:
        done.append("knowledge")

    models = Models(
        make_parser=lambda _names: None,  # type: ignore[arg-type,return-value]
        renderer=None,  # type: ignore[arg-type]
        actions=ActionTable(warm_ups=(knowledge_index,)),
        warm_ups=(encoder, broken_reply_model),
    )
    await warm_models(models)
    assert sorted(done) == ["encoder", "knowledge"]


def test_a_web_role_process_loads_no_model() -> None:
    """`--role web` stores and acknowledges: neither torch nor an encoder is imported, let alone loaded."""
    import subprocess
    import sys

    code = (
        "import sys; from bot.ml import web_role_models; m = web_role_models(); "
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'matplotlib'); "
        "print([n for n in heavy if n in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]"


async def test_the_web_role_parts_refuse_to_answer() -> None:
    import pytest

    from bot.ml import web_role_models

    models = web_role_models()
    with pytest.raises(RuntimeError, match="workers"):
        await models.make_parser(None).parse("hi")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="workers"):
        await models.renderer.render("greeting", {}, language="en")
