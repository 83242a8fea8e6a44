"""knowledge.ingest: files of every supported format -> Documents of sections and clauses."""

from __future__ import annotations

import importlib.util
import io
import os
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from knowledge.ingest import SUPPORTED_SUFFIXES, IngestError, find_files, parse_file
from knowledge.model import MAX_CITATION_CHARS, Document

_spec = importlib.util.spec_from_file_location("pdfmaker", Path(__file__).with_name("pdfmaker.py"))
pdfmaker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pdfmaker)

HANDBOOK = Path(__file__).resolve().parents[1] / "corpora" / "tts-handbook"
TDC_POLICY = Path(__file__).resolve().parents[1] / "corpora" / "tdc-social-media-policy.txt"
ODD = "“Curly” quotes, an emoji 🎉, café with a combining accent (cafe\u0301), עברית and العربية"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def by_number(document: Document) -> dict:
    return {c.number: c for c in document.clauses}


def texts(document: Document) -> list[str]:
    return [c.text for c in document.clauses]


def check_invariants(document: Document) -> None:
    numbers = [c.number for c in document.clauses] + [s.number for s in document.sections]
    assert len(numbers) == len(set(numbers)), "clause and section numbers must be unique"
    assert all(0 < len(c.text) <= MAX_CITATION_CHARS for c in document.clauses)
    assert all(c.text == c.text.strip() for c in document.clauses)


# --- markdown ---------------------------------------------------------------------------------

POLICY_MD = """\
# Email and Internet Policy

Read this before using council systems.

## 1. Scope

This policy covers **all staff**.

## 5. Personal use

5.13 Employees must not use _personal_ email for council business.

5.14. Occasional personal browsing is allowed at lunch.

## Monitoring

Intro to monitoring.

Another paragraph.

### What we log

We log the sites you visit.

We keep logs for 90 days.

## Sick leave

You can use Sick Leave for:

* Doctor and medical appointments for you or a family member
* Mental health care
* Any other health need
"""


def test_markdown_headings_become_sections_with_kept_and_assigned_numbers(tmp_path):
    document = parse_file(write(tmp_path, "Email Policy (2024).md", POLICY_MD))
    check_invariants(document)
    assert document.id == "email-policy-2024"
    assert document.title == "Email and Internet Policy"
    assert document.format == "md" and document.source == "Email Policy (2024).md"
    sections = [(s.number, s.title) for s in document.sections]
    assert sections == [
        ("0", "Email and Internet Policy"),
        ("1", "Scope"),
        ("5", "Personal use"),
        ("2", "Monitoring"),  # 1 and 5 are written in the source, so assigned numbers skip them
        ("2.3", "What we log"),  # shares its parent's counter with the passages 2.1 and 2.2
        ("3", "Sick leave"),
    ]
    clauses = by_number(document)
    assert clauses["0.1"].text == "Read this before using council systems."
    assert clauses["0.1"].section == "0" and clauses["0.1"].heading == ""
    assert clauses["5.13"].kind == "clause"
    assert clauses["5.13"].text == "Employees must not use personal email for council business."
    assert clauses["5.14"].text == "Occasional personal browsing is allowed at lunch."
    assert clauses["5.13"].section == "5" and clauses["5.13"].heading == "Personal use"
    assert clauses["2.1"].text == "Intro to monitoring." and clauses["2.1"].kind == "passage"
    assert clauses["2.2"].text == "Another paragraph."
    assert clauses["2.3.1"].text == "We log the sites you visit."
    assert clauses["2.3.2"].heading == "Monitoring › What we log"
    assert clauses["2.3.2"].title == "What we log" and clauses["2.3.2"].section == "2.3"


def test_lead_in_is_kept_with_its_list(tmp_path):
    document = parse_file(write(tmp_path, "leave.md", POLICY_MD))
    sick = [c for c in document.clauses if c.section == "3"]
    assert [c.text for c in sick] == [
        "You can use Sick Leave for:\n"
        "Doctor and medical appointments for you or a family member\n"
        "Mental health care\n"
        "Any other health need"
    ]


def test_long_list_is_split_with_its_lead_in_on_every_part(tmp_path):
    items = "\n".join(f"- Item {k}: " + "words of the item " * 6 for k in range(40))
    document = parse_file(write(tmp_path, "long-list.md", f"# T\n\nYou must:\n\n{items}\n"))
    check_invariants(document)
    assert len(document.clauses) > 1
    for clause in document.clauses:
        assert clause.text.startswith("You must:\n")
    joined = [line for c in document.clauses for line in c.text.split("\n")[1:]]
    assert len(joined) == 40 and joined[0].startswith("Item 0:") and joined[-1].startswith("Item 39:")


def test_markdown_markup_is_stripped_but_words_are_verbatim(tmp_path):
    source = (
        "# Title\n\n"
        "> Current employees can use this [leave comparison chart](https://example.gov/x_(y)).\n\n"
        "Expired leave cannot be recovered \\- please use **award leave** first, _then_ `annual_leave`.\n\n"
        "182 current hours \\+ 154 more hours \\= 336 hours.\n\n"
        "---\n\n"
        "![a diagram](diagram.png)\n\n"
        "[Image: secure password tips]\n\n"
        "1. Open a ticket requesting `Loaner`.\n"
        "1. Provide a reason. Example:\n\n"
        "   > Needed for testing.\n\n"
        "1. Wait for the label.\n"
    )
    document = parse_file(write(tmp_path, "markup.md", source))
    assert texts(document) == [
        "Current employees can use this leave comparison chart.",
        "Expired leave cannot be recovered - please use award leave first, then annual_leave.",
        "182 current hours + 154 more hours = 336 hours.",
        "1. Open a ticket requesting Loaner.\n2. Provide a reason. Example:\nNeeded for testing.\n"
        "3. Wait for the label.",
    ]


def test_markdown_numbered_paragraphs_are_clauses_but_steps_stay_a_list(tmp_path):
    source = (
        "# Conduct\n\n## Rules\n\n"
        "12. Staff must not share passwords with anyone, including colleagues.\n"
        "13. Staff must lock their screens when they leave their desks.\n\n"
        "## Steps\n\nTo report a phish:\n\n1. Open the email\n1. Click report\n"
    )
    document = parse_file(write(tmp_path, "conduct.md", source))
    clauses = by_number(document)
    assert clauses["12"].kind == "clause" and clauses["12"].text.startswith("Staff must not share")
    assert clauses["13"].section == "1"
    steps = [c for c in document.clauses if c.section == "2"]
    assert [c.text for c in steps] == ["To report a phish:\n1. Open the email\n2. Click report"]


def test_markdown_table_rows_and_example_tables(tmp_path):
    source = (
        "# Rota\n\n"
        "| **Grade** | Allowance | Notes |\n| --- | ---: | --- |\n"
        "| A | £100 | |\n| B | £200 | senior staff |\n\n"
        "For example:\n| Day | Hours |\n|---|---|\n| Monday | 10 |\n| Tuesday | 9 |\n"
    )
    document = parse_file(write(tmp_path, "rota.md", source))
    assert texts(document) == [
        "Grade: A; Allowance: £100",
        "Grade: B; Allowance: £200; Notes: senior staff",
        "For example:\nDay: Monday; Hours: 10\nDay: Tuesday; Hours: 9",
    ]


def test_long_paragraph_is_split_at_sentence_boundaries(tmp_path):
    sentences = [f"Sentence number {k} says something about annual leave rules." for k in range(100)]
    paragraph = " ".join(sentences)
    assert len(paragraph) > 3 * MAX_CITATION_CHARS
    document = parse_file(write(tmp_path, "long.md", f"# Long\n\n{paragraph}\n\n5.1 {paragraph}\n"))
    check_invariants(document)
    passages = [c for c in document.clauses if c.kind == "passage"]
    assert len(passages) >= 3
    assert " ".join(c.text for c in passages) == paragraph
    assert all(c.text.endswith("rules.") for c in passages)
    parts = [c.number for c in document.clauses if c.kind == "clause"]
    assert parts[:2] == ["5.1", "5.1 (part 2)"]


def test_a_decimal_starting_prose_is_not_mistaken_for_a_clause(tmp_path):
    source = (
        "# Hours\n\n## 3. Leave\n\n3.5 staff must book leave early.\n\n"
        "## Overtime\n\n3.5 hours of overtime is the weekly cap.\n"
    )
    document = parse_file(write(tmp_path, "hours.md", source))
    check_invariants(document)
    assert [(c.number, c.kind, c.text) for c in document.clauses] == [
        ("3.5", "clause", "staff must book leave early."),
        ("1.1", "passage", "3.5 hours of overtime is the weekly cap."),
    ]


def test_numbers_are_unique_even_when_the_source_repeats_them(tmp_path):
    source = (
        "# Doc\n\n## 2. Leave\n\nIntro passage.\n\n2.1 First clause.\n\n2.1 Typo: a second 2.1.\n\n"
        "### Details\n\nText.\n\n## 2. Leave again\n\nMore.\n"
    )
    document = parse_file(write(tmp_path, "dupes.md", source))
    check_invariants(document)
    numbers = [c.number for c in document.clauses]
    assert "2.1" in numbers and "2.1 (2)" in numbers
    clauses = by_number(document)
    assert clauses["2.1"].text == "First clause." and clauses["2.1 (2)"].text == "Typo: a second 2.1."
    intro = next(c for c in document.clauses if c.text == "Intro passage.")
    assert intro.kind == "passage" and intro.number == "2.2"  # 2.1 is written later in the source
    assert [s.number for s in document.sections] == ["2", "2.3", "2 (2)"]


def test_odd_unicode_is_preserved(tmp_path):
    md = parse_file(write(tmp_path, "odd.md", f"# Odd\n\n{ODD}\n"))
    txt = parse_file(write(tmp_path, "odd.txt", f"{ODD}\n"))
    html = parse_file(write(tmp_path, "odd.html", f"<html><body><p>{ODD}</p></body></html>"))
    doc = docx.Document()
    doc.add_paragraph(ODD)
    doc.save(tmp_path / "odd.docx")
    word = parse_file(tmp_path / "odd.docx")
    for document in (md, txt, html, word):
        assert texts(document) == [ODD]


# --- plain text ---------------------------------------------------------------------------------


def test_text_one_clause_per_line_keeps_numbers_and_leaves_chrome_as_passages(tmp_path):
    source = (
        "Web Chat\nTalk to Us\n"
        "1.1 Staff must follow this policy at all times when using social media.\n"
        "1.2 Breach of this policy may result in disciplinary action.\n"
        "Staff may be required to remove posts.\n"
    )
    document = parse_file(write(tmp_path, "social media.txt", source))
    check_invariants(document)
    assert document.id == "social-media" and document.title == "Social media"
    assert [(c.number, c.kind) for c in document.clauses] == [
        ("0.1", "passage"),
        ("0.2", "passage"),
        ("1.1", "clause"),
        ("1.2", "clause"),
        ("0.3", "passage"),
    ]
    assert by_number(document)["1.2"].text == "Breach of this policy may result in disciplinary action."


def test_text_wrapped_paragraphs_are_rejoined_and_headings_found(tmp_path):
    source = (
        "Guidance on Expenses\n\n"
        "This guidance explains how to claim expenses for travel and subsistence\n"
        "when working away from your normal place of work. It applies to all staff\n"
        "and should be read alongside the travel policy.\n\n"
        "Mileage\n"
        "Mileage is paid at the approved rate for the first 10,000 miles each\n"
        "tax year. Claims must be submitted within three months of the journey.\n\n"
        "MEALS AND SUBSISTENCE\n\n"
        "You can claim for meals when you are away for more than five hours, if\n"
        "you keep your receipts and submit them with your claim.\n"
    )
    document = parse_file(write(tmp_path, "expenses.txt", source))
    assert document.title == "Guidance on Expenses"
    titles = [s.title for s in document.sections]
    assert titles == ["Guidance on Expenses", "Mileage", "MEALS AND SUBSISTENCE"]
    assert by_number(document)["1.1"].text == (
        "Mileage is paid at the approved rate for the first 10,000 miles each tax year. "
        "Claims must be submitted within three months of the journey."
    )
    assert by_number(document)["0.1"].text.startswith("This guidance explains") and len(document.clauses) == 3


def test_text_a_title_line_before_numbered_headings_is_the_documents_title(tmp_path):
    source = (
        "Expenses Policy\n\n1. Mileage\n\n1.1 Mileage is paid at 45p a mile.\n\n"
        "1.2 Claims are made within three months.\n\n2. Meals\n\n2.1 Meals are paid up to ten pounds a day.\n"
    )
    document = parse_file(write(tmp_path, "exp2.txt", source))
    check_invariants(document)
    assert document.title == "Expenses Policy"  # not "1. Mileage", and no citable passage "Expenses Policy"
    assert [c.number for c in document.clauses] == ["1.1", "1.2", "2.1"]


def test_text_decoding_bom_and_cp1252(tmp_path):
    (tmp_path / "bom.txt").write_bytes("\ufeffPolicy text – with a dash.\r\n".encode())
    (tmp_path / "legacy.txt").write_bytes(b"Caf\xe9 rules \x93quoted\x94 \x96 done.\r\n")
    assert texts(parse_file(tmp_path / "bom.txt")) == ["Policy text – with a dash."]
    assert texts(parse_file(tmp_path / "legacy.txt")) == ["Café rules “quoted” – done."]


# --- HTML ---------------------------------------------------------------------------------------


def test_html_skips_chrome_and_reads_headings_lists_tables(tmp_path):
    page = """<!doctype html><html><head><title>Leave | Intranet</title>
    <style>p { color: red }</style><script>var x = "<p>not text</p>";</script></head>
    <body><header><nav><a href="/">Home</a></nav></header>
    <main><article><header><h1>Leave Policy</h1></header>
    <p>Intro with <b>bold</b> and <a href="#">a link</a>.</p>
    <h2>3. Annual leave</h2>
    <p>3.1 Staff get 25 days.</p>
    <p>You can use leave for:</p>
    <ul><li>Holidays</li><li>Moving house<ul><li>Within the district</li></ul></li></ul>
    <table><tr><th>Grade</th><th>Days</th></tr><tr><td>A</td><td>25</td></tr>
    <tr><td>B <i>(senior)</i></td><td>30</td></tr></table>
    <blockquote>Quoted note.</blockquote>
    </article></main><aside>Related links</aside><footer>© Council</footer></body></html>"""
    document = parse_file(write(tmp_path, "leave.htm", page))
    check_invariants(document)
    assert document.title == "Leave Policy" and document.format == "html"
    assert [(c.number, c.text) for c in document.clauses] == [
        ("0.1", "Intro with bold and a link."),
        ("3.1", "Staff get 25 days."),
        ("3.2", "You can use leave for:\nHolidays\nMoving house\n  Within the district"),
        ("3.3", "Grade: A; Days: 25"),
        ("3.4", "Grade: B (senior); Days: 30"),
        ("3.5", "Quoted note."),
    ]
    assert "Home" not in " ".join(texts(document)) and "not text" not in " ".join(texts(document))


def test_title_falls_back_to_page_title_front_matter_then_file_name(tmp_path):
    page = (
        '<html><head><meta charset="utf-8"><title>Expenses Guide</title></head><body>'
        "<div>Claim within 3 months.</div><svg><title>icon</title></svg><p>Keep receipts.</p></body></html>"
    )
    html = parse_file(write(tmp_path, "expenses.html", page))
    assert html.title == "Expenses Guide" and texts(html) == ["Claim within 3 months.", "Keep receipts."]
    front_matter = '---\ntitle: "Travel Policy"\nowner: HR\n---\n\nBook early.\n'
    md = parse_file(write(tmp_path, "fm.md", front_matter))
    assert md.title == "Travel Policy" and texts(md) == ["Book early."]
    plain = parse_file(write(tmp_path, "dress_code-policy.md", "Wear what you like.\n"))
    assert plain.title == "Dress code policy" and plain.id == "dress-code-policy"


# --- Word ---------------------------------------------------------------------------------------


def make_docx(path: Path) -> Path:
    doc = docx.Document()
    doc.add_paragraph("Email and Internet Policy", style="Title")
    doc.add_heading("1. Introduction", level=1)
    doc.add_paragraph("1.1 This policy sets out how staff may use email.")
    doc.add_paragraph("1.2\tStaff must not send confidential data to personal accounts.")
    doc.add_heading("Personal use", level=1)
    doc.add_paragraph("Staff may use the internet for:")
    doc.add_paragraph("Online banking", style="List Bullet")
    doc.add_paragraph("Booking leave", style="List Bullet")
    doc.add_heading("Allowances", level=2)
    table = doc.add_table(rows=3, cols=2)
    for r, row in enumerate([("Grade", "Allowance"), ("A", "£100 per year"), ("B", "£200 per year")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("Contact HR with questions.")
    doc.save(path)
    return path


def test_docx_styles_clauses_lists_and_tables(tmp_path):
    document = parse_file(make_docx(tmp_path / "email-policy.docx"))
    check_invariants(document)
    assert document.title == "Email and Internet Policy" and document.format == "docx"
    assert [(s.number, s.title) for s in document.sections] == [
        ("1", "Introduction"),
        ("2", "Personal use"),
        ("2.2", "Allowances"),
    ]
    assert [(c.number, c.kind, c.text) for c in document.clauses] == [
        ("1.1", "clause", "This policy sets out how staff may use email."),
        ("1.2", "clause", "Staff must not send confidential data to personal accounts."),
        ("2.1", "passage", "Staff may use the internet for:\nOnline banking\nBooking leave"),
        ("2.2.1", "passage", "Grade: A; Allowance: £100 per year"),
        ("2.2.2", "passage", "Grade: B; Allowance: £200 per year"),
        ("2.2.3", "passage", "Contact HR with questions."),
    ]
    assert by_number(document)["2.2.1"].heading == "Personal use › Allowances"


def test_docx_without_heading_styles_uses_short_bold_lines(tmp_path):
    doc = docx.Document()
    doc.add_paragraph().add_run("Travel Policy").bold = True
    doc.add_paragraph("Book travel through the portal.")
    doc.add_paragraph().add_run("Mileage Rates").bold = True
    doc.add_paragraph("Mileage is paid at 45p a mile.")
    doc.save(tmp_path / "travel.docx")
    document = parse_file(tmp_path / "travel.docx")
    assert [s.title for s in document.sections] == ["Travel Policy", "Mileage Rates"]
    assert by_number(document)["2.1"].text == "Mileage is paid at 45p a mile."


def test_docx_ordered_lists_show_their_numbers_as_word_does(tmp_path):
    doc = docx.Document()
    doc.add_heading("Phishing", level=1)
    doc.add_paragraph("If you receive a suspicious email, follow these steps:")
    for step in ("Do not click any links.", "Report it.", "Wait for GSA IT."):
        doc.add_paragraph(step, style="List Number")
    doc.add_paragraph("Also note:")
    doc.add_paragraph("Phishing is common", style="List Bullet")
    doc.save(tmp_path / "phishing.docx")
    document = parse_file(tmp_path / "phishing.docx")
    assert texts(document) == [
        "If you receive a suspicious email, follow these steps:\n"
        "1. Do not click any links.\n2. Report it.\n3. Wait for GSA IT.",
        "Also note:\nPhishing is common",
    ]


def _add_numbering(doc, formats: list[tuple[str, str]]) -> str:
    """A list definition in the document's numbering part, one (numFmt, lvlText) per level; its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    root = doc.part.numbering_part.element
    ids = [int(n.get(qn("w:numId"))) for n in root.findall(qn("w:num"))]
    num_id, abstract_id = str(max(ids, default=0) + 1), str(900 + len(ids))
    levels = "".join(
        f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for k, (fmt, text) in enumerate(formats)
    )
    root.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{levels}</w:abstractNum>'))
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return num_id


def _in_list(paragraph, num_id: str, ilvl: int = 0) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().set(qn("w:val"), str(ilvl))
    num_pr.get_or_add_numId().set(qn("w:val"), num_id)


def test_docx_nested_numbering_restarts_and_unnumbered_paragraphs_stay_in_their_item(tmp_path):
    doc = docx.Document()
    doc.add_heading("Loaners", level=1)
    doc.add_paragraph("To get a loaner:")
    steps = _add_numbering(doc, [("decimal", "%1."), ("lowerLetter", "%2)"), ("bullet", "•")])
    for text, num_id, level in [
        ("Open a ticket.", steps, 0),
        ("Give a reason. Example:", steps, 0),
        ("Needed for testing.", "0", 0),  # numbering switched off: a paragraph inside the item
        ("Say who it is for:", steps, 0),
        ("Name", steps, 1),
        ("Address", steps, 1),
        ("Wait for the label.", steps, 0),
        ("Keep it safe", steps, 1),
        ("And dry", steps, 2),
    ]:
        _in_list(doc.add_paragraph(text), num_id, level)
    doc.save(tmp_path / "loaners.docx")
    document = parse_file(tmp_path / "loaners.docx")
    assert texts(document) == [
        "To get a loaner:\n1. Open a ticket.\n2. Give a reason. Example:\nNeeded for testing.\n"
        "3. Say who it is for:\n  a) Name\n  b) Address\n4. Wait for the label.\n  a) Keep it safe\n    And dry"
    ]


def test_image_placeholders_are_not_passages_in_any_format(tmp_path):
    md = parse_file(
        write(tmp_path, "pw.md", "# Passwords\n\nCompare these tips:\n\n[Image: tips]\n\nNote the second point.\n")
    )
    html = parse_file(
        write(
            tmp_path,
            "pw.html",
            "<h1>Passwords</h1><p>Compare these tips:</p><p>[Image: tips]</p><p>Note the second point.</p>",
        )
    )
    doc = docx.Document()
    doc.add_heading("Passwords", level=1)
    for text in ("Compare these tips:", "[Image: tips]", "Note the second point."):
        doc.add_paragraph(text)
    doc.save(tmp_path / "pw.docx")
    word = parse_file(tmp_path / "pw.docx")
    for document in (md, html, word):
        assert texts(document) == ["Compare these tips:\nNote the second point."]


# --- PDF ----------------------------------------------------------------------------------------

PDF_PAGES = [
    [
        ("LEAVE POLICY", 16),
        ("1. Purpose", 13),
        "This policy explains how staff request annual leave and how managers approve",
        "it. It applies to all employees of the Council, including those on fixed-term",
        "contracts.",
        ("2. Annual leave", 13),
        "2.1 Full-time staff receive 28 days of annual leave each year, including bank",
        "holidays. Part-time staff receive a pro rata amount.",
        "2.2 Leave must be requested at least two weeks in advance.",
        "Staff should also note:",
        "• Leave cannot be carried over without approval",
        "• Unused leave is not paid out",
        "",
        "Page 1 of 2",
    ],
    [
        ("Personal Use", 13),
        "Staff may use “council” email for personal use in moderation — never for",
        "trading.",
        "",
        "Page 2 of 2",
    ],
]


def test_pdf_maker_output_is_read_back_by_pypdf():
    reader = PdfReader(io.BytesIO(pdfmaker.make_pdf(PDF_PAGES)))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text().split("\n")
    assert first[:2] == ["LEAVE POLICY", "1. Purpose"]
    assert "• Unused leave is not paid out" in first
    assert reader.pages[1].extract_text().startswith("Personal Use\nStaff may use “council” email")


def test_pdf_lines_are_rejoined_and_headings_detected(tmp_path):
    (tmp_path / "leave.pdf").write_bytes(pdfmaker.make_pdf(PDF_PAGES))
    document = parse_file(tmp_path / "leave.pdf")
    check_invariants(document)
    assert document.title == "LEAVE POLICY" and document.format == "pdf"
    assert [(s.number, s.title) for s in document.sections] == [
        ("1", "Purpose"),
        ("2", "Annual leave"),
        ("3", "Personal Use"),
    ]
    assert [(c.number, c.kind, c.text) for c in document.clauses] == [
        (
            "1.1",
            "passage",
            "This policy explains how staff request annual leave and how managers approve "
            "it. It applies to all employees of the Council, including those on fixed-term "
            "contracts.",
        ),
        (
            "2.1",
            "clause",
            "Full-time staff receive 28 days of annual leave each year, including bank "
            "holidays. Part-time staff receive a pro rata amount.",
        ),
        ("2.2", "clause", "Leave must be requested at least two weeks in advance."),
        (
            "2.3",
            "passage",
            "Staff should also note:\nLeave cannot be carried over without approval\nUnused leave is not paid out",
        ),
        ("3.1", "passage", "Staff may use “council” email for personal use in moderation — never for trading."),
    ]


def test_pdf_headings_in_a_larger_font_need_no_title_case(tmp_path):
    pages = [
        [
            ("Staff handbook", 18),
            "This handbook describes the rules that apply to every member of staff in the",
            "council offices and depots.",
            ("Working from home is allowed", 13),
            "You may work from home with the agreement of your manager. Tell your team.",
        ]
    ]
    (tmp_path / "handbook.pdf").write_bytes(pdfmaker.make_pdf(pages))
    document = parse_file(tmp_path / "handbook.pdf")
    assert document.title == "Staff handbook"
    assert [s.title for s in document.sections] == ["Staff handbook", "Working from home is allowed"]
    assert by_number(document)["1.1"].heading == "Working from home is allowed"


def test_pdf_running_headers_are_dropped(tmp_path):
    body = ["Staff must book leave early.", "Managers approve it.", "Leave is paid.", "Ask HR for help."]
    pages = [["Council Leave Policy v2", line, f"Page {k} of 4"] for k, line in enumerate(body, start=1)]
    (tmp_path / "running.pdf").write_bytes(pdfmaker.make_pdf(pages))
    assert texts(parse_file(tmp_path / "running.pdf")) == body


Styled = pdfmaker.Styled
GAP = 8  # the space a word processor leaves between paragraphs


def word_processor_pdf() -> list[list]:
    """Pages laid out as LibreOffice or Word lay out a page: paragraphs spaced apart, lists set in,
    headings bold, tables in columns."""
    return [
        [
            Styled("Equipment", 20, True),
            Styled(
                "Your laptop should be ready before your first day. Laptops are shipped to your home", space_before=4
            ),
            Styled("address."),
            Styled("Read this first.", space_before=GAP),  # a line break inside a paragraph
            Styled("It applies to every non-"),
            Styled("GSA device you connect to the network, and to every device that GSA lends you."),
            Styled("Lost or stolen equipment, and what to do", 15, True, space_before=12),
            Styled("about it", 15, True),
            Styled("If equipment is lost, do the following as quickly as possible:", space_before=4),
            Styled(
                [(90, "1."), (104, "Follow the GSA-wide steps, which are on the intranet page about lost equipment")],
                space_before=GAP,
            ),
            Styled("and stolen PIV cards.", x=104),
            Styled([(90, "2."), (104, "Inform your team.")]),
            Styled([(108, "o"), (122, "Your access may need to be removed.")]),  # Word's second-level bullet
            Styled([(90, "3."), (104, "Inform #equipment.")]),
            Styled("Rules", 11, True, space_before=12),  # bold, body size, closer to what it heads
            Styled("Lock your computer before leaving it, and encrypt all portable media.", space_before=3),
            Styled("Never share passwords", 11, True, space_before=GAP),  # bold, spaced as a paragraph
            Styled("Not with colleagues, and not with the service desk.", space_before=GAP),
            Styled(
                [(72, "Donate blood or bone marrow"), (230, " "), (233, ", you can use administrative leave.")],
                space_before=GAP,
            ),  # pypdf's space after a link
            Styled("Tips", 11, True, space_before=12),
            Styled(
                "You should tether your laptop to your phone for internet access when you are on the go, and",
                space_before=3,
            ),
        ],
        [
            Styled("you should never use public wifi without the VPN."),
            Styled("For example:", space_before=GAP),
            Styled([(80, "Day"), (200, "Hours")], bold=True, space_before=GAP),  # a header centred on its column
            Styled([(72, "Monday"), (190, "10")], space_before=6),
            Styled([(72, "Tuesday"), (190, "9")], space_before=6),
            Styled([(72, "Wednesday"), (190, "8")], space_before=6),
        ],
        [
            Styled([(80, "Day"), (200, "Hours")], bold=True),  # the header repeated atop the next page
            Styled([(72, "Thursday"), (190, "7")], space_before=6),
            Styled([(72, "Total"), (190, "34")], bold=True, space_before=6),
            Styled("That is the week.", space_before=GAP),
        ],
    ]


def test_pdf_layout_decides_paragraphs_lists_headings_and_tables(tmp_path):
    (tmp_path / "equipment.pdf").write_bytes(pdfmaker.make_pdf(word_processor_pdf()))
    document = parse_file(tmp_path / "equipment.pdf")
    check_invariants(document)
    assert document.title == "Equipment"
    lost = "Lost or stolen equipment, and what to do about it"  # a heading wrapped over two lines
    assert [s.title for s in document.sections] == ["Equipment", lost, "Rules", "Tips"]
    assert [(c.heading, c.kind, c.text) for c in document.clauses] == [
        ("", "passage", "Your laptop should be ready before your first day. Laptops are shipped to your home address."),
        (
            "",
            "passage",
            "Read this first. It applies to every non-GSA device you connect to the network, and to "
            "every device that GSA lends you.",
        ),
        (
            lost,
            "passage",
            "If equipment is lost, do the following as quickly as possible:\n"
            "1. Follow the GSA-wide steps, which are on the intranet page about lost equipment and "
            "stolen PIV cards.\n2. Inform your team.\n  Your access may need to be removed.\n"
            "3. Inform #equipment.",
        ),
        (f"{lost} › Rules", "passage", "Lock your computer before leaving it, and encrypt all portable media."),
        (f"{lost} › Rules", "passage", "Never share passwords"),
        (f"{lost} › Rules", "passage", "Not with colleagues, and not with the service desk."),
        (f"{lost} › Rules", "passage", "Donate blood or bone marrow, you can use administrative leave."),
        (
            f"{lost} › Tips",
            "passage",
            "You should tether your laptop to your phone for internet access when you are "
            "on the go, and you should never use public wifi without the VPN.",
        ),
        (
            f"{lost} › Tips",
            "passage",
            "For example:\nDay: Monday; Hours: 10\nDay: Tuesday; Hours: 9\n"
            "Day: Wednesday; Hours: 8\nDay: Thursday; Hours: 7\nDay: Total; Hours: 34",
        ),
        (f"{lost} › Tips", "passage", "That is the week."),
    ]


def test_pdf_layout_reading_drops_running_headers_and_page_numbers(tmp_path):
    plain = word_processor_pdf()
    framed = [
        [Styled("TTS staff handbook", 9), *lines, Styled(f"Page {n} of {len(plain)}", 9, space_before=20)]
        for n, lines in enumerate(plain, start=1)
    ]
    (tmp_path / "plain.pdf").write_bytes(pdfmaker.make_pdf(plain))
    (tmp_path / "framed.pdf").write_bytes(pdfmaker.make_pdf(framed))
    assert texts(parse_file(tmp_path / "framed.pdf")) == texts(parse_file(tmp_path / "plain.pdf"))


def test_pdf_lines_with_pieces_that_happen_to_line_up_are_no_table(tmp_path):
    page = [
        Styled("Phones", 16, True),
        Styled(
            [(72, "Read the"), (120, "Slack"), (160, "and"), (190, "Gmail"), (225, "guides on two-factor login.")],
            space_before=GAP,
        ),
        Styled([(72, "You can use SMS or"), (190, "Google Authenticator"), (300, "for it.")]),
        Styled("Keep your phone updated.", space_before=GAP),
        Styled("Lock it.", space_before=GAP),
        Styled("Report a lost phone at once.", space_before=GAP),
    ]
    (tmp_path / "phones.pdf").write_bytes(pdfmaker.make_pdf([page]))
    assert texts(parse_file(tmp_path / "phones.pdf")) == [
        "Read the Slack and Gmail guides on two-factor login. You can use SMS or Google Authenticator for it.",
        "Keep your phone updated.",
        "Lock it.",
        "Report a lost phone at once.",
    ]


def test_word_symbol_font_bullets_are_bullets(tmp_path):
    document = parse_file(write(tmp_path, "list.txt", "You must:\n\uf0b7 Lock your screen\n\uf0b7 Log out\n"))
    assert texts(document) == ["You must:\nLock your screen\nLog out"]


# --- errors -------------------------------------------------------------------------------------


def assert_error(path: Path, *words: str) -> None:
    with pytest.raises(IngestError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path.name}: ")
    assert caught.value.path == path
    for word in words:
        assert word in message


def test_error_unsupported_missing_and_unreadable(tmp_path, monkeypatch):
    assert_error(write(tmp_path, "notes.rtf", "{\\rtf1}"), "'.rtf'", "not supported", ".docx")
    assert_error(tmp_path / "absent.md", "not found")
    assert_error(tmp_path, "not supported")  # a folder has no supported suffix
    locked = write(tmp_path, "locked.md", "# Locked\n\nText.")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    assert_error(locked, "cannot be read", "permission denied")


def test_error_corrupt_word_and_pdf_files(tmp_path):
    noise = os.urandom(2048)
    (tmp_path / "policy.docx").write_bytes(noise)
    (tmp_path / "leave.pdf").write_bytes(noise)
    (tmp_path / "truncated.pdf").write_bytes(pdfmaker.make_pdf(PDF_PAGES)[:60])
    assert_error(tmp_path / "policy.docx", "not a readable Word document")
    assert_error(tmp_path / "leave.pdf", "not a readable PDF")
    assert_error(tmp_path / "truncated.pdf", "PDF")


def test_error_documents_without_text(tmp_path):
    (tmp_path / "scan.pdf").write_bytes(pdfmaker.make_pdf([[""], [""]]))
    assert_error(tmp_path / "scan.pdf", "no extractable text", "scanned image")
    assert_error(write(tmp_path, "empty.md", ""), "no text")
    assert_error(write(tmp_path, "blank.txt", "\n \n\t\n"), "no text")
    assert_error(write(tmp_path, "rules.md", "---\n\n***\n\n![only an image](x.png)\n"), "no text")
    chrome = "<html><nav>Home</nav><script>x()</script></html>"
    assert_error(write(tmp_path, "chrome.html", chrome), "no text")
    empty = docx.Document()
    empty.save(tmp_path / "empty.docx")
    assert_error(tmp_path / "empty.docx", "no text")


# --- finding files ------------------------------------------------------------------------------


def test_find_files_expands_folders_recursively_and_sorted(tmp_path):
    for name in [
        "b.md",
        "a.TXT",
        "sub/c.html",
        "sub/deeper/d.pdf",
        ".hidden.md",
        "README.md",
        "image.png",
        "sub/notes.rtf",
    ]:
        write(tmp_path / "docs", name, "x")
    single = write(tmp_path, "single.docx", "x")
    skipped: list = []
    found = find_files([single, tmp_path / "docs", single], skipped)
    docs = tmp_path / "docs"
    # A note beside the documents, and a hidden file (an editor's lock, Word's ~$ owner file), are not policies:
    # named, left out.
    assert sorted(skipped) == [docs / ".hidden.md", docs / "README.md"]
    assert found == [
        single,
        docs / "a.TXT",
        docs / "b.md",
        docs / "sub" / "c.html",
        docs / "sub" / "deeper" / "d.pdf",
    ]


def test_find_files_rejects_named_unsupported_or_missing_files(tmp_path):
    with pytest.raises(IngestError, match=r"^notes\.rtf: .*not supported"):
        find_files([write(tmp_path, "notes.rtf", "x")])
    with pytest.raises(IngestError, match=r"^gone\.md: file not found"):
        find_files([tmp_path / "gone.md"])
    assert SUPPORTED_SUFFIXES == (".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf")


# --- real documents nobody enriched by hand -----------------------------------------------------


def test_tts_handbook_pages_all_parse_into_sensible_passages():
    pages = [p for p in find_files([HANDBOOK]) if p.name != "SOURCE.md"]
    assert len(pages) == 12
    for page in pages:
        document = parse_file(page)
        check_invariants(document)
        assert document.title and document.id == page.stem
        assert len(document.clauses) >= 5, page.name
        for clause in document.clauses:
            assert "](" not in clause.text and "**" not in clause.text and "\\-" not in clause.text
    leave = parse_file(HANDBOOK / "leave.md")
    sick = [c for c in leave.clauses if c.text.startswith("You can use Sick Leave for:")]
    assert sick and all("\nMental health care\n" in c.text for c in sick)


def test_tdc_policy_one_passage_per_line():
    document = parse_file(TDC_POLICY)
    check_invariants(document)
    lines = [line.strip() for line in TDC_POLICY.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert texts(document) == lines
    assert texts(document)[:2] == ["TED Web Chat", "Talk to TED"]


def test_a_documents_own_details_before_its_first_heading_are_its_details_not_a_clause(tmp_path):
    from knowledge.ingest import parse_file

    path = tmp_path / "travel.md"
    path.write_text(
        "# Travel and Expenses Policy\n\nOwner: Finance Manager\nVersion: 1.2\nReview date: 2027-04-01\n\n"
        "## Taxis\n\nTaxis may be claimed only when no bus runs.\n\nOwner: this line is in the body, so it stays.\n",
        "utf-8",
    )
    doc = parse_file(path)
    assert (doc.owner, doc.version, doc.next_review) == ("Finance Manager", "1.2", "2027-04-01")
    assert [c.text for c in doc.clauses][0] == "Taxis may be claimed only when no bus runs."
    assert any("in the body" in c.text for c in doc.clauses)


def test_a_rule_that_looks_like_a_detail_line_further_down_stays_a_clause(tmp_path):
    from knowledge.ingest import parse_file

    path = tmp_path / "software.txt"
    path.write_text(
        "Software policy\n\nStaff must not install games.\n\nApproved: software must be approved by IT.\n", "utf-8"
    )
    doc = parse_file(path)
    assert doc.date == "" and any(c.text.startswith("Approved: software") for c in doc.clauses)
