#!/usr/bin/env python3
"""Checks that every relative link in README.md, DEVELOPMENT.md and docs/*.md resolves.

A link `[text](path)` or image `![alt](path)` must name a file or directory of the clone;
`path#anchor` (or `#anchor` alone) must also name a heading of that Markdown file, spelled
as GitHub makes its anchors. Links to http(s) and mailto are not checked, nor anything in
code blocks or inline code. Exit code 0 when all resolve, 1 otherwise (each broken link is
printed as file:line).

    scripts/check-doc-links.py
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^\s*(```|~~~)")
INLINE_CODE = re.compile(r"`+[^`]*`+")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def documents():
    yield ROOT / "README.md"
    yield ROOT / "DEVELOPMENT.md"
    yield from sorted((ROOT / "docs").glob("*.md"))


def prose_lines(path):
    """(line number, text) of the lines outside fenced code blocks."""
    fenced = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            yield number, line


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation dropped, blanks to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        seen = {}
        found = set()
        for _, line in prose_lines(path):
            m = HEADING.match(line)
            if not m:
                continue
            base = slug(m.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
        cache[path] = found
    return cache[path]


def main():
    broken = []
    checked = 0
    for doc in documents():
        if not doc.exists():
            broken.append(f"{doc.relative_to(ROOT)}: missing")
            continue
        for number, line in prose_lines(doc):
            for m in LINK.finditer(INLINE_CODE.sub("", line)):
                target = m.group(1)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                    continue  # http:, https:, mailto: …
                checked += 1
                path_part, _, anchor = target.partition("#")
                where = f"{doc.relative_to(ROOT)}:{number}: {target}"
                resolved = (doc.parent / path_part).resolve() if path_part else doc
                if not resolved.exists():
                    broken.append(f"{where} (no such file)")
                    continue
                if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                    broken.append(f"{where} (no heading with this anchor)")
    for b in broken:
        print(b)
    print(f"{checked} relative links checked, {len(broken)} broken", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
