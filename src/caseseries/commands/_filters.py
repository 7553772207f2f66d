"""The cohort filter options shared by ``analyze``, ``similar`` and ``report``, defined once.

Decorate a command with :func:`with_cohort_options`; it gains ``--agent --line --after
--mutation --partner --site --generation --cohort NAME --cohorts FILE`` and receives the
resulting :class:`~caseseries.analysis.cohort.Cohort` (:func:`caseseries.app.cohorts.cohort_from_filters`)
as its ``cohort`` argument. The cohort is built when the command runs: its help needs no model.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS: list[tuple[str, Any, Any]] = [
    ("agent", str | None, typer.Option(None, "--agent", help="Lines that include this agent (e.g. alectinib).")),
    ("line", int | None, typer.Option(None, "--line", min=1, help="Line number (1 = first line).")),
    ("after", str | None, typer.Option(None, "--after", help="Lines given after a line with this agent.")),
    ("mutation", str | None, typer.Option(None, "--mutation", help="Patients with this resistance mutation (G1202R).")),
    ("partner", str | None, typer.Option(None, "--partner", help="ALK fusion partner (EML4; 'unknown').")),
    ("site", str | None, typer.Option(None, "--site", help="Primary site (uterus, lung, ...).")),
    ("generation", int | None, typer.Option(None, "--generation", min=1, max=4, help="ALK-inhibitor generation.")),
    ("cohort_name", str | None, typer.Option(None, "--cohort", help="A named cohort from the cohorts file.")),
    ("cohorts_file", Path | None, typer.Option(None, "--cohorts", help="YAML file of named cohorts.")),
]  # fmt: skip
FILTER_NAMES = tuple(name for name, _, _ in _OPTIONS)


def with_cohort_options(func: F) -> F:
    """Add the shared filter options to a Typer command; it receives ``cohort: Cohort``."""
    sig = inspect.signature(func)
    own = [
        p.replace(annotation=eval(p.annotation, func.__globals__) if isinstance(p.annotation, str) else p.annotation)
        for p in sig.parameters.values()
        if p.name != "cohort"  # its type is imported only when the command runs
    ]
    added = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=option, annotation=kind)
        for name, kind, option in _OPTIONS
    ]

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from caseseries.app.cohorts import cohort_from_filters

        options = {name: kwargs.pop(name, None) for name in FILTER_NAMES}
        kwargs["cohort"] = cohort_from_filters(**options)
        return func(*args, **kwargs)

    params = own + added
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper  # type: ignore[return-value]
