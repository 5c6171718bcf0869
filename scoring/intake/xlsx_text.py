"""How much text an .xlsx becomes once read: the reader copies a shared string into every cell
that refers to it, so one string of 32,767 characters named by 5,000 cells (a 32 KB file) became
almost 2 GB. Fed the inflated chunks by xlsx_guard, this measures each shared string (bytes from
one <si> to the next: no fewer than the text it holds) and counts the cells of type "s" (at most); only
when that count times the longest string could pass the limit are the referring cells' indices
read, in a second pass over those members, to add up exactly what would be copied.
"""
from __future__ import annotations

import re
from array import array

_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_SST_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?sst\s*>")
_S_VALUE = re.compile(rb"\bt\s*=\s*[\"']s[\"'][^>]*>\s*<(?:[A-Za-z_][\w.-]*:)?v>\s*(\d{1,10})\s*<")
_OVERLAP = 16      # longer than any tag searched for: one split across two chunks is still seen
_CELL_TAIL = 512   # longer than a shared-string cell's opening tag and value, as spreadsheet programs write them


class SharedText:
    def __init__(self):
        self.starts = array("Q")        # where each shared string begins in the shared-strings part
        self.end = 0
        self.refs: dict[str, int] = {}  # member -> cells of type "s" in it

    # -- the shared-strings part ---------------------------------------------------------------
    def feed_strings(self, chunk: bytes, offset: int, tail: bytes) -> bytes:
        """Scan one chunk (at `offset` in the part); returns the tail to pass with the next one."""
        text = tail + chunk
        base = offset - len(tail)
        for m in _SI.finditer(text):
            if m.end() > len(tail):  # wholly inside the tail: seen with the previous chunk
                self.starts.append(base + m.start())
        end = _SST_END.search(text)
        self.end = base + end.start() if end else offset + len(chunk)
        return text[-_OVERLAP:]

    def sizes(self) -> array:
        sizes = array("Q", (b - a for a, b in zip(self.starts, self.starts[1:])))
        if self.starts:
            sizes.append(max(0, self.end - self.starts[-1]))
        return sizes

    # -- the sheets ----------------------------------------------------------------------------
    def count_refs(self, member: str, chunk: bytes) -> None:
        # Every value "s" or 's': at least the cells of type s, however the attribute is spelled.
        n = chunk.count(b'"s"') + chunk.count(b"'s'")
        if n:
            self.refs[member] = self.refs.get(member, 0) + n

    def too_much(self, max_bytes: int, chunks_of) -> bool:
        """Whether the cells would hold more than `max_bytes` of text; `chunks_of(member)` re-inflates."""
        sizes = self.sizes()
        longest = max(sizes, default=0)
        if sum(self.refs.values()) * longest <= max_bytes:
            return False
        total = 0
        for member in self.refs:
            tail = b""
            for chunk in chunks_of(member):
                text = tail + chunk
                for m in _S_VALUE.finditer(text):
                    if m.end() > len(tail):  # wholly inside the tail: counted with the previous chunk
                        i = int(m.group(1))
                        total += sizes[i] if i < len(sizes) else 0
                if total > max_bytes:
                    return True
                tail = text[-_CELL_TAIL:]
        return False
