"""key_positions: where every key and value of a valid TOML document stands."""

from __future__ import annotations

import datetime
import random
import re
import sys

import pytest

from mllint_wa.parsers.toml_positions import KeyPosition, key_positions, render

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def positions(text: str) -> dict[str, tuple[int, int, int, int]]:
    """The positions as plain tuples, by path as TOML writes it, after checking that the text
    really is valid TOML."""
    tomllib.loads(text)
    return {
        render(path): (p.line, p.column, p.value_line, p.value_column)
        for path, p in key_positions(text).items()
    }


def test_returns_key_positions() -> None:
    assert key_positions("a = 1\n") == {("a",): KeyPosition(1, 1, 1, 5)}


def test_empty_and_comment_only_documents() -> None:
    assert positions("") == {}
    assert positions("# nothing [here]\n\n   # x = 1\n") == {}


def test_comments_are_not_keys_or_headers() -> None:
    text = '# [fake]\na = 1 # b = 2\n[t] # [u]\nc = "#" # d = 3\n  # [[v]]\ne = 4\n'
    assert positions(text) == {
        "a": (2, 1, 2, 5),
        "t": (3, 1, 3, 1),
        "t.c": (4, 1, 4, 5),
        "t.e": (6, 1, 6, 5),
    }


def test_multiline_strings_hide_fake_headers_and_keys() -> None:
    text = (
        'a = """\n[fake]\nx = 1\n"""\n'
        "b = '''\n[[fake2]]\ny = 2\n'''\n"
        '[real]\nc = """one "quoted" ""two"" line"""\n'
        "d = 'x'\n"
    )
    assert positions(text) == {
        "a": (1, 1, 1, 5),
        "b": (5, 1, 5, 5),
        "real": (9, 1, 9, 1),
        "real.c": (10, 1, 10, 5),
        "real.d": (11, 1, 11, 5),
    }


def test_multiline_strings_ending_in_quotes_and_line_continuations() -> None:
    text = 'a = """x""""\nb = \'\'\'y\'\'\'\'\'\nc = """ends \\\n   later"""\nd = 1\n'
    assert tomllib.loads(text)["a"] == 'x"'
    assert positions(text) == {
        "a": (1, 1, 1, 5),
        "b": (2, 1, 2, 5),
        "c": (3, 1, 3, 5),
        "d": (5, 1, 5, 5),
    }


def test_strings_with_escaped_quotes_and_backslashes() -> None:
    text = 'a = "x \\" [y] = 1"\nb = "\\\\"\nc = \'C:\\path\\\'\nd = """q\\"""\\""""\ne = 1\n'
    data = tomllib.loads(text)
    assert data["b"] == "\\" and data["c"] == "C:\\path\\"
    assert [(k, v[0]) for k, v in positions(text).items()] == [
        ("a", 1),
        ("b", 2),
        ("c", 3),
        ("d", 4),
        ("e", 5),
    ]


def test_multiline_array_with_comments() -> None:
    text = "a = [\n  1, # ] not the end\n  'two',\n  # [fake]\n  [3, 4],\n]\nb = 2\n"
    assert positions(text) == {
        "a": (1, 1, 1, 5),
        "a[0]": (2, 3, 2, 3),
        "a[1]": (3, 3, 3, 3),
        "a[2]": (5, 3, 5, 3),
        "a[2][0]": (5, 4, 5, 4),
        "a[2][1]": (5, 7, 5, 7),
        "b": (7, 1, 7, 5),
    }


def test_empty_arrays_have_no_elements() -> None:
    assert positions("a = []\nb = [ ]\nc = [\n]\nd = 1\n") == {
        "a": (1, 1, 1, 5),
        "b": (2, 1, 2, 5),
        "c": (3, 1, 3, 5),
        "d": (5, 1, 5, 5),
    }


def test_nested_inline_tables() -> None:
    text = 'a = { b = 1, c = { d = "}", "e f" = [1, {g = 2}] } }\nz = 1\n'
    assert positions(text) == {
        "a": (1, 1, 1, 5),
        "a.b": (1, 7, 1, 11),
        "a.c": (1, 14, 1, 18),
        "a.c.d": (1, 20, 1, 24),
        'a.c."e f"': (1, 29, 1, 37),
        'a.c."e f"[0]': (1, 38, 1, 38),
        'a.c."e f"[1]': (1, 41, 1, 41),
        'a.c."e f"[1].g': (1, 42, 1, 46),
        "z": (2, 1, 2, 5),
    }


def test_array_of_inline_tables() -> None:
    text = "a = [{ n = 1 }, { n = 2 }]\n"
    assert positions(text)["a[1].n"] == (1, 19, 1, 23)


def test_dotted_keys_record_their_implicit_parents() -> None:
    text = "a.b.c = 1\na . \"q.k\" = 2\n[t]\nx.y = 'v'\n"
    assert positions(text) == {
        "a": (1, 1, 1, 1),
        "a.b": (1, 1, 1, 1),
        "a.b.c": (1, 1, 1, 9),
        'a."q.k"': (2, 1, 2, 13),
        "t": (3, 1, 3, 1),
        "t.x": (4, 1, 4, 1),
        "t.x.y": (4, 1, 4, 7),
    }


def test_quoted_keys() -> None:
    text = "\"a b\" = 1\n'c.d' = 2\n[\"x y\".z]\nk = 1\n['lit']\nm = 2\n"
    assert {path: p.line for path, p in key_positions(text).items()} == {
        ("a b",): 1,
        ("c.d",): 2,
        ("x y",): 3,
        ("x y", "z"): 3,
        ("x y", "z", "k"): 4,
        ("lit",): 5,
        ("lit", "m"): 6,
    }


def test_a_quoted_key_with_a_dot_is_not_a_dotted_path() -> None:
    text = '[business]\n"costs.x" = 1\n[business.costs]\nx = 2\n"business.goal" = 3\n'
    found = positions(text)
    assert found['business."costs.x"'] == (2, 1, 2, 13)
    assert found["business.costs.x"] == (4, 1, 4, 5)
    assert found['business.costs."business.goal"'] == (5, 1, 5, 19)
    assert "business.goal" not in found


def test_quoted_keys_with_escapes_name_what_tomllib_returns() -> None:
    text = '"a\\"b" = 1\n"\\u00e9t\\u00e9" = 2\n"tab\\there" = 3\n["x\\\\y"]\nk = 1\n'
    data = tomllib.loads(text)
    found = positions(text)
    assert list(found) == ['"a\\"b"', '"été"', '"tab\\there"', '"x\\\\y"', '"x\\\\y".k']
    assert {(key,) for key in data} <= set(key_positions(text))
    assert key_positions(text)[("x\\y", "k")] == KeyPosition(5, 1, 5, 5)


def test_arrays_of_tables_with_sub_tables() -> None:
    text = "[[a]]\nn = 1\n[a.b]\nm = 2\n[[a]]\nn = 3\n[a.b]\nm = 4\n[[a.c]]\nk = 5\n"
    assert positions(text) == {
        "a": (1, 1, 1, 1),
        "a[0]": (1, 1, 1, 1),
        "a[0].n": (2, 1, 2, 5),
        "a[0].b": (3, 1, 3, 1),
        "a[0].b.m": (4, 1, 4, 5),
        "a[1]": (5, 1, 5, 1),
        "a[1].n": (6, 1, 6, 5),
        "a[1].b": (7, 1, 7, 1),
        "a[1].b.m": (8, 1, 8, 5),
        "a[1].c": (9, 1, 9, 1),
        "a[1].c[0]": (9, 1, 9, 1),
        "a[1].c[0].k": (10, 1, 10, 5),
    }


def test_nested_arrays_of_tables_count_per_parent_element() -> None:
    text = "[[a]]\n[[a.b]]\nx = 1\n[[a.b]]\nx = 2\n[[a]]\n[[a.b]]\nx = 3\n"
    found = positions(text)
    assert found["a[0].b[1].x"] == (5, 1, 5, 5)
    assert found["a[1].b[0].x"] == (8, 1, 8, 5)
    assert "a[1].b[1]" not in found


def test_datetimes_with_a_space() -> None:
    text = (
        "d = 1979-05-27 07:32:00Z\n"
        "e = 1979-05-27 07:32:00.999 # c\n"
        "f = [1979-05-27 07:32:00, 2]\n"
        "g = 1\n"
    )
    found = positions(text)
    assert found["e"] == (2, 1, 2, 5)
    assert found["f[1]"] == (3, 1 + len("f = [1979-05-27 07:32:00, "), 3, 27)
    assert found["g"] == (4, 1, 4, 5)


def test_implicit_parent_table_stands_at_its_first_header() -> None:
    text = 'schema_version = 1\n\n[[problem.metrics]]\nname = "recall"\n\n[data.sources]\n'
    found = positions(text)
    assert found["problem"] == (3, 1, 3, 1)
    assert found["problem.metrics"] == (3, 1, 3, 1)
    assert found["problem.metrics[0].name"] == (4, 1, 4, 8)
    assert found["data"] == (6, 1, 6, 1)


def test_an_implied_table_stands_at_its_own_later_header() -> None:
    text = (
        "[[problem.metrics]]\n"
        'name = "recall"\n'
        "[business.costs]\n"
        "training = 1\n"
        "[problem]\n"
        'type = "x"\n'
        "[business]\n"
        "[business.more.deep]\n"
    )
    found = positions(text)
    assert found["problem"] == (5, 1, 5, 1)
    assert found["problem.metrics"] == (1, 1, 1, 1)
    assert found["problem.type"] == (6, 1, 6, 8)
    assert found["business"] == (7, 1, 7, 1)
    assert found["business.costs"] == (3, 1, 3, 1)
    assert found["business.more"] == (8, 1, 8, 1)


def test_an_implied_table_inside_an_array_of_tables_moves_to_its_header() -> None:
    text = "[[a]]\n[a.b.c]\nx = 1\n[a.b]\ny = 2\n[[a]]\n[a.b.c]\n"
    found = positions(text)
    assert found["a[0].b"] == (4, 1, 4, 1)
    assert found["a[1].b"] == (7, 1, 7, 1)
    assert found["a"] == (1, 1, 1, 1)


def test_crlf_line_endings() -> None:
    text = 'a = 1\r\n[t]\r\nb = [\r\n 1,\r\n 2]\r\nc = """x\r\ny"""\r\nd = "z"\r\n'
    assert positions(text) == {
        "a": (1, 1, 1, 5),
        "t": (2, 1, 2, 1),
        "t.b": (3, 1, 3, 5),
        "t.b[0]": (4, 2, 4, 2),
        "t.b[1]": (5, 2, 5, 2),
        "t.c": (6, 1, 6, 5),
        "t.d": (8, 1, 8, 5),
    }


def test_no_trailing_newline() -> None:
    assert positions("a = 1\n[t]\nb = 'x'") == {
        "a": (1, 1, 1, 5),
        "t": (2, 1, 2, 1),
        "t.b": (3, 1, 3, 5),
    }
    assert positions("[t]") == {"t": (1, 1, 1, 1)}


def test_indented_keys_and_headers_with_inner_spaces() -> None:
    text = "  [ a . b ]\n\tc = 1\n [[ x ]]\n  y = 1\n"
    assert positions(text) == {
        "a": (1, 3, 1, 3),
        "a.b": (1, 3, 1, 3),
        "a.b.c": (2, 2, 2, 6),
        "x": (3, 2, 3, 2),
        "x[0]": (3, 2, 3, 2),
        "x[0].y": (4, 3, 4, 7),
    }


def test_columns_count_characters_not_bytes() -> None:
    assert positions('"été" = "ü"\nb = 1\n')['"été"'] == (1, 1, 1, 9)


# -- property: a random document's every key path gets a position where it is written -------

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_KEY_ALPHABET = ["a", "b", "Z", "_", "-", "1", " ", "é", '"', "\\", "=", "#", "'", "\t", "😀"]
_TEXT_PIECES = ["x", "[fake]", "x = 1", '"', "'", "\\", "#", ",", "]", "}", "{", "é", " ", "\n"]


class _Doc:
    """A tiny TOML writer that chooses among TOML's spellings at random and remembers where
    each key path was written: ``expect[path] = (snippet, exact)``; an exact snippet must
    start at the recorded key position, an inexact one must appear on its line."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = []
        self.expect: dict[str, tuple[str, bool]] = {}
        self.values: dict[str, str] = {}

    # keys and values

    def key(self, name: str) -> str:
        if _BARE.match(name) and self.rng.random() < 0.8:
            return name
        if "'" not in name and "\t" not in name and self.rng.random() < 0.3:
            return f"'{name}'"
        return self.basic(name)

    def basic(self, text: str) -> str:
        out = []
        for ch in text:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) > 127 and self.rng.random() < 0.5:
                out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def string(self, text: str, inline: bool) -> str:
        choice = self.rng.random()
        # A newline just after the opening delimiter is dropped, so one must be written
        # there when the text itself starts with a newline.
        trimmed = "\n" if text.startswith("\n") or self.rng.random() < 0.5 else ""
        if not inline and choice < 0.25:
            # Quotes stay raw (up to two in a row, even just before the closing delimiter).
            body, run = [], 0
            for ch in text.replace("\\", "\\\\"):
                run = run + 1 if ch == '"' else 0
                body.append('\\"' if run == 3 else ch)
                run = 0 if run == 3 else run
            return '"""' + trimmed + "".join(body) + '"""'
        if not inline and choice < 0.45 and "'''" not in text:
            return "'''" + trimmed + text + "'''"
        if choice < 0.6 and "'" not in text and "\n" not in text:
            return f"'{text}'"
        return self.basic(text)

    def scalar(self, value: object, inline: bool) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return hex(value) if value > 0 and self.rng.random() < 0.2 else str(value)
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, datetime.datetime):
            return value.isoformat(sep=self.rng.choice([" ", "T"]))
        if isinstance(value, (datetime.date, datetime.time)):
            return value.isoformat()
        assert isinstance(value, str)
        return self.string(value, inline)

    def value(self, value: object, path: str, inline: bool) -> str:
        if isinstance(value, dict):
            parts = []
            for name, item in value.items():
                child = _child(path, name)
                key = self.key(name)
                self.expect[child] = (key, True)
                parts.append(f"{key} = {self.value(item, child, inline=True)}")
            return "{ " + ", ".join(parts) + " }" if parts else "{}"
        if isinstance(value, list):
            items = []
            for index, item in enumerate(value):
                text = self.value(item, f"{path}[{index}]", inline)
                self.expect[f"{path}[{index}]"] = (text, True)
                items.append(text)
            if inline or not items or self.rng.random() < 0.5:
                return "[" + ", ".join(items) + "]"
            lines = [f"  {item}, # ] [fake] x = 1" for item in items]
            return "[\n" + "\n".join(lines) + "\n]"
        text = self.scalar(value, inline)
        self.values[path] = text
        return text

    # tables

    def table(
        self, table: dict[str, object], header: list[str], path: str, implicit: bool = False
    ) -> None:
        """Write a table's key/value lines, then its sub-tables; an ``implicit`` table has no
        header of its own, so everything in it must go under headers of its own."""
        self.subtables(self.key_values(table, path, implicit), header, path)

    def key_values(
        self, table: dict[str, object], path: str, defer_tables: bool
    ) -> list[tuple[str, object]]:
        """Write the key/value lines of a table; the sub-tables left for headers."""
        later: list[tuple[str, object]] = []
        for name, item in table.items():
            child = _child(path, name)
            if _is_table_or_table_list(item) and (defer_tables or self.rng.random() < 0.6):
                later.append((name, item))
                continue
            key = self.key(name)
            scalars = (
                isinstance(item, dict)
                and item
                and not any(isinstance(v, (dict, list)) for v in item.values())
            )
            if scalars and self.rng.random() < 0.5:
                assert isinstance(item, dict)
                self.expect[child] = (key, True)
                for sub, value in item.items():
                    dotted = f"{key}{self.rng.choice(['.', ' . '])}{self.key(sub)}"
                    self.expect[_child(child, sub)] = (dotted, True)
                    self.lines.append(f"{dotted} = {self.value(value, _child(child, sub), False)}")
                continue
            self.expect[child] = (key, True)
            line = f"{key} = {self.value(item, child, inline=False)}"
            if self.rng.random() < 0.3:
                line += " # [fake] y = 2"
            self.lines.append(line)
            if self.rng.random() < 0.2:
                self.lines.append("# [[not.a.table]]")
        return later

    def subtables(self, later: list[tuple[str, object]], header: list[str], path: str) -> None:
        for name, item in later:
            child = _child(path, name)
            parts = [*header, self.key(name)]
            line = "[" + ".".join(parts) + "]"
            if isinstance(item, dict):
                subs = [(k, v) for k, v in item.items() if _is_table_or_table_list(v)]
                rest = {k: v for k, v in item.items() if not _is_table_or_table_list(v)}
                if subs and self.rng.random() < 0.25:
                    # Sub-tables first: their headers imply this table, whose own header
                    # comes after them and is where it stands.
                    self.subtables(subs, parts, child)
                    self.expect[child] = (line, True)
                    self.lines.append(line)
                    assert self.key_values(rest, child, defer_tables=False) == []
                    continue
                implicit = bool(item) and not rest and self.rng.random() < 0.5
                if implicit:
                    # Left implicit: the first header below names it.
                    self.expect[child] = (parts[-1], False)
                else:
                    self.expect[child] = (line, True)
                    self.lines.append(line)
                self.table(item, parts, child, implicit)
            else:
                assert isinstance(item, list)
                line = "[[" + ".".join(parts) + "]]"
                self.expect[child] = (line, True)
                for index, element in enumerate(item):
                    self.expect[f"{child}[{index}]"] = (line, True)
                    self.lines.append(line)
                    self.table(element, parts, f"{child}[{index}]")


def _is_table_or_table_list(value: object) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _random_key(rng: random.Random) -> str:
    return "".join(rng.choice(_KEY_ALPHABET) for _ in range(rng.randint(1, 5)))


def _random_scalar(rng: random.Random) -> object:
    kind = rng.randrange(7)
    if kind == 0:
        return rng.randint(-(10**6), 10**6)
    if kind == 1:
        return round(rng.uniform(-1000, 1000), 3)
    if kind == 2:
        return rng.random() < 0.5
    if kind == 3:
        return datetime.datetime(1979, 5, 27, rng.randrange(24), rng.randrange(60), 0)
    if kind == 4:
        return datetime.date(2027, rng.randint(1, 12), rng.randint(1, 28))
    return "".join(rng.choice(_TEXT_PIECES) for _ in range(rng.randint(0, 6)))


def _random_value(rng: random.Random, depth: int) -> object:
    kind = rng.randrange(10)
    if depth < 3 and kind < 2:
        return _random_table(rng, depth + 1)
    if depth < 3 and kind == 2:
        return [_random_table(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    if kind == 3:
        return [
            _random_value(rng, depth + 1) if depth < 3 else _random_scalar(rng)
            for _ in range(rng.randint(0, 3))
        ]
    return _random_scalar(rng)


def _random_table(rng: random.Random, depth: int) -> dict[str, object]:
    return {_random_key(rng): _random_value(rng, depth) for _ in range(rng.randint(0, 4))}


def _paths(node: object, prefix: str = "") -> list[str]:
    found = []
    if isinstance(node, dict):
        for name, item in node.items():
            path = _child(prefix, name)
            found += [path, *_paths(item, path)]
    elif isinstance(node, list):
        for index, item in enumerate(node):
            path = f"{prefix}[{index}]"
            found += [path, *_paths(item, path)]
    return found


def _child(path: str, name: str) -> str:
    """A key path as :func:`render` writes it: the key quoted unless bare."""
    return f"{path}.{render((name,))}" if path else render((name,))


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(previous) + 1 for previous in lines[: line - 1]) + column - 1


@pytest.mark.parametrize("seed", range(300))
def test_every_key_path_of_a_random_document_stands_where_it_is_written(seed: int) -> None:
    rng = random.Random(seed)
    data = _random_table(rng, 0)
    doc = _Doc(rng)
    doc.table(data, [], "")
    newline = "\r\n" if seed % 3 == 0 else "\n"
    text = "\n".join(doc.lines) + ("" if seed % 5 == 0 else "\n")
    text = text.replace("\n", newline)

    loaded = tomllib.loads(text)
    if newline == "\n":
        assert loaded == data, text  # the writer itself is right
    assert sorted(_paths(loaded)) == sorted(_paths(data))

    found = {render(path): position for path, position in key_positions(text).items()}
    assert sorted(found) == sorted(_paths(data)), text
    for path, (snippet, exact) in doc.expect.items():
        position = found[path]
        at = _offset(text, position.line, position.column)
        if exact:
            assert text.startswith(snippet.replace("\n", newline), at), (path, text)
        else:
            assert snippet in text.split("\n")[position.line - 1], (path, text)
    for path, snippet in doc.values.items():
        position = found[path]
        at = _offset(text, position.value_line, position.value_column)
        assert text.startswith(snippet.replace("\n", newline), at), (path, text)
