"""Options several commands share, declared once and gathered into one value.

`shared_options(parameters, gather)` is a decorator: the command declares one keyword-only
parameter named `into` in place of the whole set; `--help` lists the set's options there,
and the command receives `gather(**their values)`, so a value is checked (and its default
taken) in one place for every command that has the option.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

Command = Callable[..., None]


def option(name: str, annotation: Any, declaration: Any) -> inspect.Parameter:
    """One option of a set: its parameter name, type, and `typer.Option(...)`."""
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=declaration, annotation=annotation
    )


def shared_options(
    parameters: Sequence[inspect.Parameter], gather: Callable[..., Any], *, into: str = "options"
) -> Callable[[Command], Command]:
    names = [p.name for p in parameters]

    def decorate(command: Command) -> Command:
        signature = inspect.signature(command, eval_str=True)
        if into not in signature.parameters:
            raise TypeError(f"{command.__name__} has no parameter {into!r} for its shared options")
        spliced: list[inspect.Parameter] = []
        for parameter in signature.parameters.values():
            if parameter.name == into:
                spliced.extend(parameters)
            else:
                # Keyword-only after the set: Typer passes every value by name anyway.
                spliced.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))

        @functools.wraps(command)
        def with_options(**values: Any) -> None:
            shared = {name: values.pop(name) for name in names}
            command(**values, **{into: gather(**shared)})

        with_options.__signature__ = signature.replace(parameters=spliced)  # type: ignore[attr-defined]
        return with_options

    return decorate
