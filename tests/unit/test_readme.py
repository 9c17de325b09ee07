"""The README stays true: its first lines give the two commands, its settings table matches the
settings, and CI runs the README's test command."""

from __future__ import annotations

import re

from connector.config import settings_reference
from tests.conftest import PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text()


def test_the_first_lines_give_the_demo_and_test_commands() -> None:
    head = "\n".join(README.splitlines()[:6])
    assert re.search(r"^make demo\b", head, re.MULTILINE)
    assert re.search(r"^make test\b", head, re.MULTILINE)


def test_the_settings_table_is_current() -> None:
    match = re.search(r"<!-- settings:start[^\n]*-->\n(.*?)<!-- settings:end -->", README, re.S)
    assert match, "the settings markers are missing from the README"
    assert match.group(1) == settings_reference(), "run: python -m connector.config"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.MULTILINE)
