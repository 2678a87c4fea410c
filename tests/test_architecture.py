"""The house rules of generator/ (docs/architecture.md), read from the code itself, so that a
later change cannot quietly break them: who may import whom, no hidden state, small parts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 60


def name_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every generator module ``path`` imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")).with_suffix(".py").exists()
                         or (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")).is_dir())
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("generator"))
    return found


GRAPH = {name_of(path): imports_of(path) for path in MODULES}


def importers(prefix: str) -> dict[str, set[str]]:
    return {module: deps for module, deps in GRAPH.items() if module == prefix or module.startswith(prefix + ".")}


def hits(deps: set[str], *prefixes: str) -> list[str]:
    return sorted(d for d in deps for p in prefixes if d == p or d.startswith(p + "."))


def test_the_graph_is_read_from_the_code():
    assert "generator.load.seeds" in GRAPH["generator.build"] and "generator.write" in GRAPH["generator.build"]
    assert len(GRAPH) >= 25


def test_render_writes_nothing_and_imports_no_write_cache_or_serve():
    for module, deps in importers("generator.render").items():
        assert hits(deps, "generator.write", "generator.cache", "generator.serve", "generator.build") == [], module
    for path in (PACKAGE / "render").glob("*.py"):
        tree = ast.parse(path.read_text())
        opened = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") in
                  ("write_bytes", "write_text", "mkdir", "unlink", "rmtree", "makedirs")]
        assert opened == [] or path.name == "search.py", path  # the indexer's scratch copy is a temporary folder


def test_write_imports_only_errors_and_progress():
    for module, deps in importers("generator.write").items():
        assert {d for d in deps if not d.startswith("generator.write")} <= {"generator.errors", "generator.progress"}, module


def test_load_knows_nothing_of_render_write_cache_or_serve():
    for module, deps in importers("generator.load").items():
        assert hits(deps, "generator.render", "generator.write", "generator.cache", "generator.serve",
                    "generator.build") == [], module


def test_the_cache_folder_is_known_to_one_module():
    for path in MODULES:
        if path.name != "cache.py" and path.name != "cli.py":  # the command line names the default folder
            assert ".timeline-cache" not in path.read_text(), path


def test_serve_calls_build_site_and_nothing_below_it():
    for module, deps in importers("generator.serve").items():
        assert hits(deps, "generator.load", "generator.render", "generator.write", "generator.cache",
                    "generator.timeline") == [], module


def test_nothing_below_the_command_line_imports_it():
    assert [module for module, deps in GRAPH.items() if "generator.cli" in deps and module != "generator.__main__"] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_global_state_and_no_oversized_parts(path: Path):
    source = path.read_text()
    tree = ast.parse(source)
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Global)]
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno - node.lineno + 1 <= MAX_FUNCTION_LINES, node.name
    for node in tree.body:  # module level: constants only, never a mutable container or cache
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and \
                ast.unparse(node).split("=")[0].strip() != "__all__":
            assert not isinstance(node.value, (ast.List, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)), \
                ast.unparse(node)
            if isinstance(node.value, ast.Call):
                assert ast.unparse(node.value.func) not in ("dict", "list", "set", "threading.local",
                                                            "collections.defaultdict"), ast.unparse(node)
    decorators = [ast.unparse(d) for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                  for d in n.decorator_list]
    assert not [d for d in decorators if d in ("functools.cache", "functools.lru_cache", "cache", "lru_cache")]


def test_no_private_names_of_libraries_and_no_pickle():
    for path in MODULES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.module.startswith("generator"):
                assert not [a.name for a in node.names if a.name.startswith("_")], (path, node.module)
            if isinstance(node, ast.Import):
                assert "pickle" not in [a.name for a in node.names] or path.name == "digest.py", path
            if isinstance(node, ast.Assign):
                assert not [t for t in node.targets if ast.unparse(t).endswith(".__class__")], path
