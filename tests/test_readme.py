"""The README's quick start and Python API example stay true."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_is_the_two_make_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```bash", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_python_api_example_runs_and_prints_what_it_says() -> None:
    text = README.read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S)
    assert code is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), "README.md", "exec"), {})
    lines = out.getvalue().split()
    assert lines[0] == "1"
    assert abs(float(lines[1]) - 35.5556) < 1e-3
    assert lines[2] == "True"
    assert lines[3] == "disc:L4-L5"


def test_every_image_the_readme_shows_is_committed() -> None:
    text = README.read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images, "the README shows pictures of the app"
    for rel in images:
        assert (README.parent / rel).is_file(), rel
