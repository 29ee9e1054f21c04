"""The documentation's shell examples: found in the Markdown, run in one bash session.

The rule, the same for every file: a block fenced ```sh is an example a reader runs as
written, and the tests run it; a block that must not run in a test (a command that holds
the terminal, like `make run`; one run as root or for systemd; a reference list with
placeholders) is fenced otherwise: ```console for commands shown at a prompt, with their
output, ```text for the rest. ```bash and ```shell are not used, so that no block looks
runnable and is not run.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Fences of blocks that look like shell but are not run (see the rule above).
UNRUN_SHELL_TAGS = frozenset({"bash", "shell", "zsh"})
#: A fence line: indented or not (in a list item), ``` and the info string's first word.
_FENCE = re.compile(r"^( *)```([^`\s]*)(\s.*)?$")
_NUMBERED_SECTION = re.compile(r"^## (\d+)\. ")
#: Printed before each block, so the output says which block a failure happened in.
_MARK = "\n=== docs example "


@dataclass(frozen=True)
class Block:
    """A fenced block of a Markdown file.

    Attributes:
        path: The file, relative to the repository.
        line: The line of its opening fence (from 1).
        tag: The fence's info string (``sh``, ``console``, ...).
        section: The number of the numbered ``## N. …`` section it is in, if any.
        text: What is between the fences.
    """

    path: str
    line: int
    tag: str
    section: int | None
    text: str


def blocks(path: Path) -> list[Block]:
    """Every fenced block of the Markdown file `path`, in order."""
    found: list[Block] = []
    section: int | None = None
    opened: tuple[int, str, int] | None = None  # line, tag, indentation
    lines: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = _FENCE.match(line)
        if opened is None:
            if line.startswith("## "):
                numbered = _NUMBERED_SECTION.match(line)
                section = int(numbered.group(1)) if numbered else None
            elif fence:
                opened, lines = (number, fence.group(2), len(fence.group(1))), []
        elif fence and not fence.group(2) and not fence.group(3):
            name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
            found.append(Block(name, opened[0], opened[1], section, "\n".join(lines)))
            opened = None
        else:
            # A block in a list item is indented as its fence is; its text is not.
            indent = min(opened[2], len(line) - len(line.lstrip(" ")))
            lines.append(line[indent:])
    assert opened is None, f"{path}:{opened[0]}: a fence is never closed"
    return found


def shell_blocks(path: Path, sections: Iterable[int] | None = None) -> list[Block]:
    """The ```sh blocks of `path`, in order; only those of `sections` when given."""
    wanted = None if sections is None else set(sections)
    return [
        block
        for block in blocks(path)
        if block.tag == "sh" and (wanted is None or block.section in wanted)
    ]


def documents() -> list[Path]:
    """The README and every Markdown file under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def run_session(
    examples: list[Block],
    *,
    cwd: Path,
    env: Mapping[str, str],
    preamble: str = "",
    timeout: float = 120.0,
) -> str:
    """Run `examples` in one bash session (`set -euo pipefail`), after `preamble`.

    Returns:
        The session's output (standard output and error, in order).

    Raises:
        AssertionError: The session failed or timed out: the message names the block it
            was in, with the block's text and its output.
    """
    script = ["set -euo pipefail", preamble]
    for index, block in enumerate(examples):
        script += [f"printf '\\n{_MARK.strip()} %s\\n' {index}", block.text]
    script.append(f"printf '\\n{_MARK.strip()} %s\\n' done")
    # Output to a file, not a pipe: a server a block starts in the background keeps a
    # pipe open after bash ends, and reading it to its end would wait for that server.
    with tempfile.TemporaryFile() as output:
        session = subprocess.Popen(
            ["bash", "-c", "\n".join(script)],
            cwd=cwd,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            status: int | None = session.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            status = None
        finally:
            # Whatever a block left running in the background (a failed block's server).
            _end_group(session.pid)
            session.wait()
        output.seek(0)
        text = output.read().decode(errors="replace")
    if status == 0 and f"{_MARK}done\n" in text:
        return text
    raise AssertionError(_failure(examples, text, status, timeout))


def _end_group(pgid: int) -> None:
    """End every process of the session's group: bash, and what its blocks left running."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 10.0
    while _running_in_group(pgid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            return
        time.sleep(0.05)  # polling a condition with a deadline


def _running_in_group(pgid: int) -> bool:
    """Whether a process of group `pgid` still runs (ended ones waiting to be reaped,
    zombies, do not count: the session's bash is reaped only after this)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                return True
    return False


def _failure(examples: list[Block], text: str, status: int | None, timeout: float) -> str:
    parts = text.split(_MARK)
    last = parts[-1].split("\n", 1)
    if len(parts) == 1 or last[0] == "done":
        where = "before its first block" if len(parts) == 1 else "after its last block"
        return f"the session failed {where} (exit {status}):\n{text[-4000:]}"
    index = int(last[0])
    block = examples[index]
    what = f"did not end within {timeout:.0f} s" if status is None else f"failed (exit {status})"
    output = last[1] if len(last) > 1 else ""
    return (
        f"{block.path}:{block.line}: block {index + 1} of {len(examples)} {what}:\n"
        f"```sh\n{block.text}\n```\n--- its output (the end) ---\n{output[-6000:]}"
    )
