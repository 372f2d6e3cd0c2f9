"""`opsbot run` with the test doubles for the models, for tests that start, kill and restart a process.

python -m tests.fakes.process_app --port 8123      (config from the environment, like opsbot run)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.application import Role
from bot.cli.base import load
from bot.ml import Models
from bot.serve import serve, serving_loop
from dialogue.actions.registry import default_actions
from tests.fakes.nlu import KeywordParser
from tests.fakes.renderer import EchoRenderer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--role", choices=[r.value for r in Role], default="all")
    args = parser.parse_args()
    config = load(None, terminal_level="WARNING")
    nlu = KeywordParser()
    models = Models(
        make_parser=lambda _names: nlu, renderer=EchoRenderer(), actions=default_actions(embedder=None)
    )
    with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=serving_loop()) as runner:
        runner.run(serve(config, host="127.0.0.1", port=args.port, role=Role(args.role), models=models))


if __name__ == "__main__":
    main()
