import io

import pypdfium2
from PIL import Image
from weasyprint.urls import URLFetcher

from tenure.core.pdf import FONT_FAMILY, font_folder, html_to_pdf, pdf_page_count, pdf_to_png

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


def _image_count(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return sum(
            1
            for page in document
            for item in page.get_objects(filter=(pypdfium2.raw.FPDF_PAGEOBJ_IMAGE,))
        )
    finally:
        document.close()


def test_nothing_is_fetched_from_the_network_or_outside_the_fonts(tmp_path, monkeypatch):
    # A real image outside the font folder: were it loaded, the PDF would embed it.
    secret = tmp_path / "secret.png"
    secret.write_bytes(pdf_to_png(html_to_pdf(PAGE.replace("{body}", "<p>x</p>")), scale=0.1))
    fetched: list[str] = []
    real_fetch = URLFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return real_fetch(self, url, headers)

    # Every fetch WeasyPrint lets through, whatever fetcher the code hands it, ends here.
    monkeypatch.setattr(URLFetcher, "fetch", recording_fetch)
    page = PAGE.replace(
        "{body}",
        f'<img src="http://127.0.0.1:9/x.png"><img src="{secret.as_uri()}"><p>still here</p>',
    )
    pdf = html_to_pdf(page)
    assert "still here" in _text(pdf)
    assert _image_count(pdf) == 0
    fonts = font_folder().resolve().as_uri()
    assert [url for url in fetched if not url.startswith(fonts)] == []


def test_a_page_renders_to_png():
    png = pdf_to_png(html_to_pdf(PAGE.replace("{body}", "<p>hello</p>")), scale=0.5)
    assert png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == (298, 421)  # A4 (595 x 842 points) at half scale
    darkest, lightest = image.getextrema()
    assert lightest == 255  # the paper
    assert darkest < 100  # and the heading's ink on it
