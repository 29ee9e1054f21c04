"""The runner of the documentation's examples: what it runs, and how it reports."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.docs_examples import blocks, run_session, shell_blocks
from tests.processes import alive

MARKDOWN = """# A guide

```console
$ make run
```

## 1. Setting up

```sh
GREETING=hello
```

```text
coordination serve
```

## 2. Using it

```sh
echo "$GREETING, reader"
```

```sh
false
echo never
```

- In a list item:

  ```sh
  echo "indented"
  ```
"""


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    path = tmp_path / "guide.md"
    path.write_text(MARKDOWN)
    return path


def test_only_sh_blocks_are_examples_and_each_knows_its_section(guide: Path) -> None:
    assert [block.tag for block in blocks(guide)] == ["console", "sh", "text", "sh", "sh", "sh"]
    examples = shell_blocks(guide)
    assert [(block.line, block.section) for block in examples] == [
        (9, 1),
        (19, 2),
        (23, 2),
        (30, 2),
    ]
    assert examples[-1].text == 'echo "indented"'
    assert [block.text for block in shell_blocks(guide, sections=[1])] == ["GREETING=hello"]


def test_a_session_shares_its_variables_and_names_the_block_that_failed(
    guide: Path, tmp_path: Path
) -> None:
    examples = shell_blocks(guide)[:3]
    assert "hello, reader" in run_session(examples[:2], cwd=tmp_path, env=dict(os.environ))
    with pytest.raises(AssertionError) as failed:
        run_session(examples, cwd=tmp_path, env=dict(os.environ))
    message = str(failed.value)
    assert message.startswith(f"{guide}:23: block 3 of 3 failed (exit 1):\n```sh\nfalse\n")
    assert "never" not in message.split("its output")[1]


def test_what_a_session_leaves_running_is_ended(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("```sh\nsleep 600 &\necho $! > sleeper.pid\n```\n")
    run_session(shell_blocks(guide), cwd=tmp_path, env=dict(os.environ))
    assert not alive(int((tmp_path / "sleeper.pid").read_text()))


def test_a_session_that_hangs_is_ended_and_says_where(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    guide.write_text("```sh\ntrue\n```\n\n```sh\nsleep 600\n```\n")
    with pytest.raises(AssertionError, match=r"block 2 of 2 did not end within 1 s"):
        run_session(shell_blocks(guide), cwd=tmp_path, env=dict(os.environ), timeout=1)
