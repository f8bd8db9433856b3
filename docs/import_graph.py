"""Draw skae's import graph (docs/import_graph.png) from the package's own imports.

Every relative import counts, those inside functions too (the estimators
import the Keras side where they use it). An arrow points from the importing
module to the imported one; the Keras side is drawn in orange.

    python docs/import_graph.py
"""

import ast
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: Modules of shared names and shims that import nothing of skae.
LEAVES = {"skae._compat", "skae._numerics", "skae._loader"}

#: Packages drawn as one box: the Displays, one module each, import only each other.
GROUPED = ("skae._plotting",)


def grouped(name):
    return next((g for g in GROUPED if name.startswith(g + ".")), name)


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_edges():
    """(importer, imported) for every relative import between skae's modules."""
    modules = {module_name(p): p for p in sorted((ROOT / "skae").rglob("*.py"))}
    edges = set()
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not node.level:
                continue
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            if node.module:
                targets = [".".join([*base, node.module])]
            else:
                targets = [".".join([*base, alias.name]) for alias in node.names]
            edges.update((grouped(name), grouped(t)) for t in targets
                         if t in modules and grouped(t) != grouped(name))
    return sorted({grouped(m) for m in modules}), sorted(edges)


def draw(out):
    modules, edges = import_edges()
    modules = [m for m in modules if m != "skae" and any(m in e for e in edges)]
    imports = {m: [b for a, b in edges if a == m] for m in modules}

    @cache
    def height(m):  # longest chain of imports below m
        return 1 + max((height(b) for b in imports[m]), default=-1)

    rows = {}
    for m in modules:
        rows.setdefault(height(m), []).append(m)
    position = {}
    for h, members in rows.items():
        for i, m in enumerate(sorted(members)):
            position[m] = ((i + 0.5) / len(members), h)
    fig, ax = plt.subplots(figsize=(8, 1.1 * (max(rows) + 1)))
    for a, b in edges:
        if a in position and b in position:
            leaf = b in LEAVES  # imported from everywhere: drawn faint
            ax.annotate("", xy=position[b], xytext=position[a],
                        arrowprops={"arrowstyle": "->", "color": "0.8" if leaf else "0.3",
                                    "lw": 0.6 if leaf else 1.0, "shrinkA": 14, "shrinkB": 14})
    for m, (x, y) in position.items():
        keras_side = m.startswith("skae._keras")
        ax.text(x, y, m.removeprefix("skae."), ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "round", "fc": "#fdd9b5" if keras_side else "#dbe8f6",
                      "ec": "0.4"})
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.5, max(rows) + 0.5)
    ax.axis("off")
    ax.set_title("skae's modules: an arrow from each module to one it imports\n"
                 "(orange: the Keras side, loaded at the first fit; faint: imports of the "
                 "leaf modules of shared names)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    draw(ROOT / "docs" / "import_graph.png")
