"""The node's package holds only what the node runs: the demo data and the synthetic log
live in `coordination_demo`, which only the command line's `demo` command imports."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_domain_imports import imported_roots

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "coordination"


def demo_importers(package: Path) -> list[str]:
    """Modules of `package`, outside its command line, that import `coordination_demo`."""
    return [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path.relative_to(package).parts[0] != "cli"
        and any(m.split(".")[0] == "coordination_demo" for m in imported_roots(path))
    ]


def test_only_the_command_line_imports_the_demo() -> None:
    assert demo_importers(NODE) == []
    assert (NODE / "cli" / "store.py").read_text().count("from coordination_demo import") == 1
    assert not (NODE / "demo.py").exists()
    assert not (NODE / "projections" / "synthetic.py").exists()


def test_the_check_finds_an_import_of_the_demo(tmp_path: Path) -> None:
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "store.py").write_text("from coordination_demo import load_demo\n")
    (tmp_path / "views.py").write_text("import coordination_demo.synthetic\n")
    assert demo_importers(tmp_path) == ["views.py"]
