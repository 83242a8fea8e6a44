"""A tiny PDF writer for tests: pages of Helvetica text lines, a valid xref table, no dependencies.

Lines may also be Styled: set in from the margin, bold, spaced from the line above, in pieces.

pypdf reads PDFs but cannot lay text out, so the ingest tests build their PDFs with this.
"""

from __future__ import annotations


class Styled:
    """A line laid out as a word processor would: where it starts, how much space above it, bold or not;
    `text` may be a list of (x, text) pieces on the one line (a table row, a bullet and its text)."""

    def __init__(
        self,
        text: str | list[tuple[float, str]],
        size: float = 11.0,
        bold: bool = False,
        x: float = 72.0,
        space_before: float = 0.0,
    ) -> None:
        self.text, self.size, self.bold, self.x, self.space_before = text, size, bold, x, space_before


Line = str | tuple[str, float] | Styled  # text, or (text, font size); "" leaves a blank line


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")  # Helvetica with WinAnsiEncoding: curly quotes and dashes work
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[Line]) -> bytes:
    out = []
    y = 770.0
    for line in lines:
        if not isinstance(line, Styled):
            text, size = (line, 11.0) if isinstance(line, str) else line
            line = Styled(text, size)
        y -= line.size * 1.45 + line.space_before
        pieces = [(line.x, line.text)] if isinstance(line.text, str) else line.text
        font = b"/F2" if line.bold else b"/F1"
        for x, text in pieces:
            if text:
                out.append(b"BT %s %.1f Tf %.1f %.1f Td (%s) Tj ET" % (font, line.size, x, y, _escape(text)))
    return b"\n".join(out)


def make_pdf(pages: list[list[Line]]) -> bytes:
    """A PDF with one page per list of lines."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once page object numbers are known
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for lines in pages:
        stream = _content(lines)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_number = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % content_number
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    body = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(body)
