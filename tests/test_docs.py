"""The docs name everything they should: cheap checks of what the Sphinx
build (README, "Documentation") would otherwise catch only when run."""

import re
import subprocess
import sys
from pathlib import Path

import skae
import skae.dask
import skae.onnx

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_every_public_name_is_in_the_api_reference():
    listed = set(re.findall(r"^   (\w+)$", (DOCS / "api.rst").read_text(), flags=re.M))
    assert listed == set(skae.__all__) | set(skae.dask.__all__) | set(skae.onnx.__all__)


def test_examples_the_user_guide_cites_exist():
    examples = {p.name for p in (ROOT / "examples").glob("plot_*.py")}
    cited = set()
    for page in (DOCS / "user_guide").glob("*.rst"):
        cited |= set(re.findall(r"sphx_glr_auto_examples_(plot_\w+\.py)", page.read_text()))
    assert cited, "the user guide cites no example"
    assert cited <= examples


RESULTS = DOCS / "results"


def test_results_pages_are_short_listed_and_show_their_command():
    pages = {p.stem: p.read_text() for p in RESULTS.glob("*.md")}
    # A results section users can read: current tables, not a log of probes.
    assert sum(len(text) for text in pages.values()) <= 22_000
    listed = re.findall(r"^(\w+)$", pages.pop("index"), flags=re.M)
    assert sorted(listed) == sorted(pages)
    for name, text in pages.items():
        assert re.search(r"```\npython benchmarks/\w+\.py", text), f"{name}: no command"
        for target in re.findall(r"\]\(([^)#]+)\)", text):
            assert (RESULTS / target).exists(), f"{name} links to missing {target}"


def test_every_user_guide_page_is_in_its_table_of_contents():
    index = (DOCS / "user_guide" / "index.rst").read_text()
    pages = {p.stem for p in (DOCS / "user_guide").glob("*.rst")} - {"index"}
    assert pages == set(re.findall(r"^   (\w+)$", index, flags=re.M))


def test_the_readme_is_short_and_holds_the_quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 120
    for marker, command in {
        "main": '.venv/bin/pip install ".[plot]" && .venv/bin/python benchmarks/compare.py',
        "test": '.venv/bin/pip install ".[tests]" && .venv/bin/python -m pytest',
        "docs": '.venv/bin/pip install ".[docs]" && .venv/bin/python -m sphinx -W',
    }.items():
        block = readme[readme.index(f"<!-- quickstart:{marker} -->"):]
        first = re.search(r"```sh\n(.*?)\n```", block, re.S).group(1)
        assert first.startswith("python3 -m venv .venv && ") and command in first, marker
    for link in re.findall(r"\]\(([^)#]+)\)", readme):
        assert (ROOT / link).exists(), f"README links to missing {link}"


def test_the_readme_example_runs(tmp_path):
    # What a newcomer copies first: the example, as written.
    readme = (ROOT / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert "X, y = load_digits" in code
    script = tmp_path / "example.py"
    script.write_text(code + "\nprint(codes.shape, X_back.shape)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True,
                          cwd=tmp_path, timeout=600)
    assert done.stdout.split("\n")[-2] == "(1797, 8) (1797, 64)"
