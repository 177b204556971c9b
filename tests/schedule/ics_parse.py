"""A small iCalendar reader for the tests (no dependency): unfold, split properties, unescape."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Component:
    name: str
    props: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list["Component"] = field(default_factory=list)

    def get(self, name: str) -> str:
        return next(value for key, _, value in self.props if key == name)

    def params(self, name: str) -> dict[str, str]:
        return next(params for key, params, _ in self.props if key == name)

    def all(self, name: str) -> list["Component"]:
        return [c for c in self.children if c.name == name]


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def unfold(text: str) -> list[str]:
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert not any("\n" in line or "\r" in line for line in physical), "bare LF or CR in the file"
    lines: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def parse(text: str) -> Component:
    stack = [Component("ROOT")]
    for line in unfold(text):
        # The name and parameters end at the first colon outside a quoted parameter value.
        quoted, split = False, None
        for i, char in enumerate(line):
            if char == '"':
                quoted = not quoted
            elif char == ":" and not quoted:
                split = i
                break
        assert split is not None, line
        head, value = line[:split], line[split + 1:]
        name, *raw_params = head.split(";")
        params = dict(p.split("=", 1) for p in raw_params)
        if name == "BEGIN":
            component = Component(value)
            stack[-1].children.append(component)
            stack.append(component)
        elif name == "END":
            assert stack.pop().name == value, f"END:{value} does not match"
        else:
            stack[-1].props.append((name, params, unescape(value)))
    assert len(stack) == 1, "unclosed component"
    [calendar] = stack[0].children
    return calendar
