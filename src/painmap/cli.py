"""The ``painmap`` command line.

The root app only assembles commands: each area registers its own commands from a
module in :mod:`painmap.commands`. ``main`` turns every expected error into a one-line
message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import sys
from typing import cast

import click
import typer
from pydantic import ValidationError
from rich.markup import escape

from painmap.commands._common import err_console, format_pydantic_error
from painmap.core.errors import PainmapError

# typer vendors its own click: its usage errors are not click.ClickException subclasses
try:
    from typer._click.exceptions import ClickException as _TyperClickException

    _TYPER_CLICK_ERRORS: tuple[type[Exception], ...] = (_TyperClickException,)
except ImportError:  # older typer uses click itself
    _TYPER_CLICK_ERRORS = ()
_CLICK_ERRORS: tuple[type[Exception], ...] = (click.ClickException, *_TYPER_CLICK_ERRORS)

app = typer.Typer(
    name="painmap",
    help="painmap: map chronic back pain and rank its likely generators.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: Modules that each define ``register(app)``; order is the order of ``--help``.
COMMAND_MODULES = (
    "painmap.commands.records",
    "painmap.commands.demo",
    "painmap.commands.instruments",
    "painmap.commands.bodymap",
    "painmap.commands.generators",
    "painmap.commands.outcomes",
    "painmap.commands.web",
    "painmap.commands.neuro",
)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # area not built yet
                continue
            raise
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; exit non-zero with a clear message on bad input.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (without the program name); defaults to ``sys.argv[1:]``.
    """
    try:
        code = app(args=argv, standalone_mode=False)
    except (click.exceptions.Exit, typer.Exit) as exc:
        sys.exit(exc.exit_code)
    except _CLICK_ERRORS as exc:
        shown = cast(click.ClickException, exc)
        shown.show()
        sys.exit(shown.exit_code)
    except (click.exceptions.Abort, typer.Abort):
        err_console.print("aborted")
        sys.exit(130)
    except PainmapError as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except ValidationError as exc:
        err_console.print(
            f"[red]error:[/red] {escape(format_pydantic_error(exc))}",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    except (OSError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(1)
    # with standalone_mode=False, typer returns the code of ``raise typer.Exit(code)``
    if isinstance(code, int) and code != 0:
        sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
