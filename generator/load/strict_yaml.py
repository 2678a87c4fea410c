"""Strict YAML for front matter: PyYAML's safe loader, refusing what a typo or an attack would
slip through (duplicate and non-string keys, alias bombs, deep nesting), with file lines."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.errors import BuildError, problem

MAX_YAML_VALUES = 10_000  # bounds alias bombs: a value reached through aliases counts each time
MAX_YAML_DEPTH = 20

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """YAML SafeLoader that refuses duplicate keys and non-string keys, with their positions."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001 - PyYAML's signature
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if not (isinstance(key_node, yaml.ScalarNode) and key_node.tag == "tag:yaml.org,2002:str"):
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {_key_text(key_node)!r} is not a plain string; quote it", key_node.start_mark)
            if key_node.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key_node.value!r} (first set on line {seen[key_node.value]})",
                    key_node.start_mark)
            seen[key_node.value] = key_node.start_mark.line + 1 + self.line_offset
        return super().construct_mapping(node, deep)


def _key_text(node: yaml.Node) -> str:
    """A key as written, near enough to find it: ``2024``, ``null``, ``[a, b]``."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return "[" + ", ".join(_key_text(item) for item in node.value) + "]"
    return "{...}"


# Dates stay text until our own parser reads them: one type for every date (E1), and
# an impossible date like 2024-02-30 becomes a located error, not a crash in PyYAML.
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _BaseLoader.construct_scalar)


def load_yaml(path: Path, text: str, first_line: int) -> tuple[dict, dict[str, int]]:
    """YAML text -> (mapping, {key: file line}), strictly and within size bounds."""
    loader = _StrictLoader(text)
    loader.line_offset = first_line - 1
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            raise BuildError([problem(path, first_line + node.start_mark.line,
                                      f"front matter must be a mapping of keys to values, not {kind}")])
        _check_bounds(path, node, first_line)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        line, reason = _explain(exc, text)
        raise BuildError([problem(path, first_line + line, f"invalid front matter YAML: {reason}")]) from None
    except yaml.YAMLError as exc:
        raise BuildError([problem(path, first_line, f"invalid front matter YAML: {exc}")]) from None
    except RecursionError:
        raise BuildError([problem(path, first_line, "front matter is nested too deeply")]) from None
    finally:
        loader.dispose()
    lines = {k.value: first_line + k.start_mark.line for k, _ in node.value}
    for key_node, value_node in node.value:
        if isinstance(value_node, yaml.SequenceNode):
            for i, item in enumerate(value_node.value):
                lines[f"{key_node.value}[{i}]"] = first_line + item.start_mark.line
    return data, lines


# Constructs a YAML reader finds unclosed only where the next key starts or the text ends, and
# what to call each: the line they open on is the one to look at, not the line after (B1).
_OPENED = (("while scanning a quoted scalar", "found unclosed quote"),
           ("while parsing a flow sequence", "found unclosed '['"),
           ("while parsing a flow mapping", "found unclosed '{'"),
           ("while scanning a simple key", None))
SHOWN_LINE_MAX = 60


def _explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """(0-based line to look at, reason quoting that line) for a YAML error.

    PyYAML marks where it gave up (``problem_mark``) and what it was reading then
    (``context_mark``): the first names the line of a bad indent, a tab or a stray colon,
    the second that of a quote or bracket never closed, which is found only lines later.
    """
    mark = exc.problem_mark or exc.context_mark
    reason = exc.problem or str(exc)
    if exc.problem_mark and exc.context_mark:
        opened_at, opened, _ = _line_at(text, exc.context_mark.index)
        after_at, after, _ = _line_at(text, exc.problem_mark.index)
        # Never closed when it ran on to the end, or to a key no deeper than the one it opened after.
        if opened_at < after_at and (not after.strip() or _indent(after) <= len(opened) - len(opened.lstrip(" -"))):
            for context, unclosed in _OPENED:
                if (exc.context or "").startswith(context):
                    mark, reason = exc.context_mark, unclosed or reason
    if mark is None:
        return 0, reason
    line_at, line, _ = _line_at(text, mark.index)
    if text[mark.index:mark.index + 1] == "\t":
        reason = "found a tab; indent with spaces"
    elif reason.startswith("mapping values are not allowed"):
        reason = "found ': ' in an unquoted value; quote the value or check the indentation"
    if line.strip():
        shown = "".join(c if c.isprintable() else "\\t" if c == "\t" else f"\\u{ord(c):04x}" for c in line.rstrip())
        reason += f" (the line: {shown[:SHOWN_LINE_MAX]}{'…' if len(shown) > SHOWN_LINE_MAX else ''})"
    return line_at, reason


def _line_at(text: str, index: int) -> tuple[int, str, int]:
    """(0-based line, its text, column) of a character of ``text``, lines counted as the file numbers
    them (PyYAML's own count also breaks at U+2028, which editors do not)."""
    index = min(index, len(text))
    start, end = text.rfind("\n", 0, index) + 1, text.find("\n", index)
    return text.count("\n", 0, index), text[start:end if end >= 0 else len(text)], index - start


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _check_bounds(path: Path, root: yaml.Node, first_line: int) -> None:
    """Refuse alias bombs and absurd nesting before constructing any Python objects."""
    count = 0
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_YAML_VALUES:
            raise BuildError([problem(path, first_line,
                                      f"front matter has more than {MAX_YAML_VALUES} values (YAML alias bomb?)")])
        if depth > MAX_YAML_DEPTH:
            raise BuildError([problem(path, first_line + node.start_mark.line,
                                      f"front matter is nested more than {MAX_YAML_DEPTH} levels deep")])
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


