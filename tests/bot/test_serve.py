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
