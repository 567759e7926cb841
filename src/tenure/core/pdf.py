"""HTML to PDF, offline, with fonts that ship with the install.

WeasyPrint lays the page out; the fonts are the DejaVu Sans files matplotlib (a dependency)
installs, so a PDF looks the same on a bare server as on a laptop and nothing is fetched
from the network: the only URLs a document may load are those fonts and ``data:`` URIs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from tenure.core.errors import DomainError

FONT_FAMILY = "Tenure Sans"
_FACES = (
    ("DejaVuSans.ttf", "normal", "normal"),
    ("DejaVuSans-Bold.ttf", "bold", "normal"),
    ("DejaVuSans-Oblique.ttf", "normal", "italic"),
    ("DejaVuSans-BoldOblique.ttf", "bold", "italic"),
)


class PdfUnavailable(DomainError):
    """The PDF engine cannot run here (WeasyPrint's system libraries are missing)."""


def font_folder() -> Path:
    # Imported here: the URL tree loads this module, and matplotlib costs every `tenure`
    # command 0.15 s to import.
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def font_face_css() -> str:
    """``@font-face`` rules naming the shipped fonts ``Tenure Sans``."""
    folder = font_folder()
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{(folder / name).as_uri()}");'
        f" font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in _FACES
    )


def html_to_pdf(html: str) -> bytes:
    """Render a complete HTML document to PDF bytes.

    The document's own CSS should use ``font-family: "Tenure Sans"``. Raises
    :class:`PdfUnavailable` with the package to install when Pango is missing.
    """
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher
    except OSError as exc:  # WeasyPrint loads Pango through cffi at import time
        raise PdfUnavailable(
            "PDF export needs the Pango library: apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from exc

    fonts = font_folder().resolve()

    class OfflineFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(url.removeprefix("file://")).resolve()
                if path.is_relative_to(fonts):
                    return super().fetch(url, headers)
            raise ValueError(f"not loaded in an offline PDF: {url[:80]}")

    fetcher = OfflineFetcher(allowed_protocols=("file", "data"))
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[CSS(string=font_face_css(), url_fetcher=fetcher)])


def pdf_to_png(pdf: bytes, *, page: int = 0, scale: float = 1.5) -> bytes:
    """One page of a PDF as PNG bytes (for checking a rendering by eye and for docs/)."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[page].render(scale=scale)
        image = bitmap.to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        return buffer.getvalue()
    finally:
        document.close()


def pdf_page_count(pdf: bytes) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()
