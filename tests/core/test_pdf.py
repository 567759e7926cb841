import pypdfium2

from tenure.core.pdf import FONT_FAMILY, html_to_pdf, pdf_page_count, pdf_to_png

PAGE = f"""<!doctype html><html><head><style>
body {{ font-family: "{FONT_FAMILY}"; }}
</style></head><body><h1>Brief — Müller GmbH €</h1>{{body}}</body></html>"""


def _text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_html_becomes_a_pdf_whose_text_survives_accents_and_symbols():
    pdf = html_to_pdf(PAGE.replace("{body}", "<p>hello</p>"))
    assert pdf.startswith(b"%PDF-")
    assert pdf_page_count(pdf) == 1
    assert "Brief — Müller GmbH €" in _text(pdf)


def test_long_documents_flow_onto_more_pages():
    rows = "".join(f"<p>line {n}</p>" for n in range(200))
    assert pdf_page_count(html_to_pdf(PAGE.replace("{body}", rows))) > 1


def test_nothing_is_fetched_from_the_network_or_outside_the_fonts(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    page = PAGE.replace(
        "{body}",
        f'<img src="http://127.0.0.1:9/x.png"><img src="{secret.as_uri()}"><p>still here</p>',
    )
    pdf = html_to_pdf(page)
    assert "still here" in _text(pdf)


def test_a_page_renders_to_png():
    png = pdf_to_png(html_to_pdf(PAGE.replace("{body}", "<p>hello</p>")), scale=0.5)
    assert png.startswith(b"\x89PNG")
