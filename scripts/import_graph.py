"""Print the shape of Tenure's import graph: app-level cycles and imports against the layers.

Run from the repository root::

    python scripts/import_graph.py            # summary and every offending import
    python scripts/import_graph.py --brief    # the counts only

The layers, top to bottom, are the ones issue 19 asks for. An import is "upward" when a module
imports one in a higher layer, and "sideways" when two siblings of an independent layer import
each other. Modules directly under ``tenure`` (``urls``, ``settings``, ``cli``, ``wsgi``) wire the
whole site together and sit above every layer, so they are left out.

A "cycle" is a group of top-level packages that reach each other through imports (a strongly
connected component of the package graph); "mutual pairs" are two packages importing each other
directly. Function-local imports of ``tenure`` modules are counted as well because they are the
usual way to hide a cycle from the module loader while keeping it in the design.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import grimp

ROOT = "tenure"
SRC = Path(__file__).resolve().parent.parent / "src"

# Top to bottom, as the layers contract in pyproject.toml. A tuple with ``independent=True``
# holds siblings that must not import each other.
LAYERS: list[tuple[tuple[str, ...], bool]] = [
    (("api", "demo"), True),
    (("web",), False),
    (("alerts",), False),
    (("scoring",), False),
    (("health",), False),
    (("growth",), False),
    (("feedback",), False),
    (("engagement",), False),
    (("planning",), False),
    (("ledger",), False),
    (("accounts",), False),
    (("access",), False),
    (("audit",), False),
    (("core",), False),
    # The analytics core is below everything: it may import nothing of Tenure's.
    (("insights",), False),
]


def layer_rank() -> dict[str, int]:
    """Map each top-level package to its layer number (0 is the top)."""
    return {app: rank for rank, (apps, _) in enumerate(LAYERS) for app in apps}


def independent_layers() -> list[set[str]]:
    return [set(apps) for apps, independent in LAYERS if independent]


def top_package(module: str) -> str | None:
    """``tenure.accounts.views`` -> ``accounts``; ``None`` for ``tenure.urls`` and the root."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != ROOT:
        return None
    return parts[1] if (SRC / ROOT / parts[1]).is_dir() else None


def module_edges(graph: grimp.ImportGraph) -> list[tuple[str, str]]:
    """Every direct import between two modules of different top-level packages."""
    edges = []
    for importer in sorted(graph.modules):
        source = top_package(importer)
        if source is None:
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target = top_package(imported)
            if target is not None and target != source:
                edges.append((importer, imported))
    return edges


def strongly_connected(nodes: Iterable[str], succ: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so deep graphs do not hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(succ.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(succ.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return sorted((c for c in components if len(c) > 1), key=lambda c: (-len(c), c))


def function_local_imports() -> list[str]:
    """``path:line module`` for every ``tenure`` import made inside a function body."""
    found = []
    for path in sorted((SRC / ROOT).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            # AppConfig.ready() is where Django wants registrations imported; not a hidden cycle.
            if func.name == "ready" and path.name == "apps.py":
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                for name in names:
                    if name == ROOT or name.startswith(ROOT + "."):
                        relative = path.relative_to(SRC.parent)
                        found.append(f"{relative}:{node.lineno} {name}")
    return sorted(set(found))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brief", action="store_true", help="print the counts only")
    args = parser.parse_args(argv)

    graph = grimp.build_graph(ROOT)
    edges = module_edges(graph)
    rank = layer_rank()
    packages = sorted({p for p in map(top_package, graph.modules) if p is not None})
    unranked = [p for p in packages if p not in rank]
    if unranked:
        print(f"packages missing from LAYERS: {', '.join(unranked)}", file=sys.stderr)
        return 2

    by_pair: dict[tuple[str, str], list[str]] = defaultdict(list)
    for importer, imported in edges:
        by_pair[(top_package(importer), top_package(imported))].append(  # type: ignore[index]
            f"{importer} -> {imported}"
        )
    succ: dict[str, set[str]] = defaultdict(set)
    for source, target in by_pair:
        succ[source].add(target)

    siblings = independent_layers()
    upward = {pair: lines for pair, lines in by_pair.items() if rank[pair[0]] > rank[pair[1]]}
    sideways = {
        pair: lines
        for pair, lines in by_pair.items()
        if rank[pair[0]] == rank[pair[1]] and any(set(pair) <= group for group in siblings)
    }
    cycles = strongly_connected(packages, succ)
    mutual = sorted({tuple(sorted(p)) for p in by_pair if (p[1], p[0]) in by_pair})
    local = function_local_imports()

    upward_imports = sum(len(v) for v in upward.values())
    sideways_imports = sum(len(v) for v in sideways.values())
    print(
        f"packages: {len(packages)}; app-to-app edges: {len(by_pair)}; module imports: {len(edges)}"
    )
    print(f"upward app edges: {len(upward)} ({upward_imports} module imports)")
    print(f"sideways app edges between independent siblings: {len(sideways)} ({sideways_imports})")
    print(f"package cycles (strongly connected groups): {len(cycles)}")
    for component in cycles:
        print(f"  {len(component)} packages: {', '.join(component)}")
    print(f"mutual package pairs: {len(mutual)}")
    print(f"function-local tenure imports: {len(local)}")
    if args.brief:
        return 0

    def show(title: str, pairs: dict[tuple[str, str], list[str]]) -> None:
        print(f"\n{title}")
        for (source, target), lines in sorted(pairs.items()):
            print(f"  {source} -> {target} ({len(lines)})")
            for line in lines:
                print(f"      {line}")

    show("Upward imports", upward)
    show("Sideways imports", sideways)
    print("\nMutual package pairs")
    for a, b in mutual:
        print(f"  {a} <-> {b}")
    print("\nFunction-local tenure imports")
    for line in local:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
