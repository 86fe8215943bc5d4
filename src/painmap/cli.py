"""The ``painmap`` command line.

The root app only assembles commands: each area registers its own commands from a
module in :mod:`painmap.commands`. ``main`` turns every expected error into a one-line
message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import sys

import click
import typer
from pydantic import ValidationError

from painmap.commands._common import err_console, format_pydantic_error
from painmap.core.errors import PainmapError

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
        app(args=argv, standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except PainmapError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except ValidationError as exc:
        err_console.print(
            f"[red]error:[/red] {format_pydantic_error(exc)}", highlight=False, soft_wrap=True
        )
        sys.exit(1)
    except (OSError, ValueError) as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
