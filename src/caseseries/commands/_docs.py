"""Generate the command-line reference (docs/cli.md) from the commands' own help texts.

Run ``python -m caseseries.commands._docs > docs/cli.md``; a test checks the file is current.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import typer


def _walk(command: Any, ctx: Any, path: list[str], out: list[str]) -> None:
    depth = min(max(len(path), 1) + 1, 4)
    title = " ".join(path) or "caseseries"
    out.append(f"{'#' * depth} `{title}`\n")
    out.append("```text\n" + command.get_help(ctx).rstrip() + "\n```\n")
    subcommands = getattr(command, "commands", {})
    for name in sorted(subcommands):
        sub = subcommands[name]
        if getattr(sub, "hidden", False):
            continue
        sub_ctx = type(ctx)(sub, info_name=name, parent=ctx)
        _walk(sub, sub_ctx, [*path, name] if path else ["caseseries", name], out)


def render() -> str:
    """The Markdown reference of every command, generated from the help texts."""
    from caseseries.cli import app

    os.environ["COLUMNS"] = "100"
    command = typer.main.get_command(app)
    ctx = type(command.make_context("caseseries", ["--help"], resilient_parsing=True))(command, info_name="caseseries")
    out = ["# Command-line reference\n", "Generated from the commands' help by `make docs`; do not edit by hand.\n"]
    _walk(command, ctx, [], out)
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
