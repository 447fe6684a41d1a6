"""DOCX documents from Python: a commercial offer made in LibreOffice filled
from a base as bytes and through paths, a template without a base, broken
templates as errors naming the paragraph, the check, the GIL released, and a
PDF made by LibreOffice when it is installed (the Rust test command installs
it; here its absence must be the clear error)."""

from __future__ import annotations

import io
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

import clientbase as cb

from conftest import REPO_ROOT

TEMPLATES = REPO_ROOT / "crates" / "clientbase" / "tests" / "inputs" / "docx"
COMPANY = {"name": "ООО «Ромашка»", "inn": "7707083893", "phone": "+7 495 000-00-00",
           "director": "Иванов Сергей Петрович", "director_position": "Генеральный директор"}


@pytest.fixture
def shop() -> cb.ClientBase:
    base = cb.ClientBase(cb.Schema())
    base.add_client(cb.Client.from_dict({"kind": "company", "legal_name": "ООО «Рога & Копыта»",
                                         "emails": [{"raw": "info@roga.example"}]}))
    base.add_deal(cb.Deal.from_dict({
        "client": 1, "amount": {"amount": "123456.78", "currency": "RUB"},
        "lines": [
            {"product": "Стеллаж <металлический>", "quantity": "2",
             "unit_price": {"amount": "50000.00", "currency": "RUB"}},
            {"product": "Стол", "quantity": "1", "unit_price": {"amount": "23456.78", "currency": "RUB"}},
        ]}))
    return base


def body_text(docx: bytes) -> str:
    """The document's text the independent way: the standard library's zip
    and XML readers."""
    import xml.etree.ElementTree as ET

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        root = ET.fromstring(z.read("word/document.xml"))
    lines = []
    for p in root.iter(f"{ns}p"):
        lines.append("".join(t.text or "" for t in p.iter(f"{ns}t")))
    return "\n".join(lines)


def tiny_template(text: str) -> bytes:
    """The offer's package with a body of one paragraph, written here."""
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(TEMPLATES / "offer.docx") as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename.startswith("word/header") or item.filename.startswith("word/footer"):
                dst.writestr(item, src.read(item).replace(b"{{", b"(").replace(b"}}", b")"))
            elif item.filename == "word/document.xml":
                dst.writestr(item, body)
            else:
                dst.writestr(item, src.read(item))
    return out.getvalue()


def test_offer_from_bytes_and_paths(shop: cb.ClientBase, tmp_path: Path) -> None:
    template = (TEMPLATES / "offer.docx").read_bytes()
    docx = cb.render_docx(template, shop, deal=1, company=COMPANY, today="2026-12-07")
    text = body_text(docx)
    assert "Коммерческое предложение № 1 от 7 декабря 2026 г." in text
    assert "Кому: ООО «Рога & Копыта»" in text
    assert "Стеллаж <металлический>" in text
    assert "Эл. почта: info@roga.example" in text
    assert "Город" not in text
    assert "Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек" in text
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        assert "ООО «Ромашка», ИНН 7707083893" in z.read("word/header1.xml").decode()
        assert z.testzip() is None

    out = tmp_path / "offer.docx"
    from_path = cb.render_docx(TEMPLATES / "offer.docx", shop, out=out, deal=1, company=COMPANY,
                               today="2026-12-07")
    assert out.read_bytes() == from_path
    assert body_text(from_path) == text
    report = shop.call("render_docx", template=str(TEMPLATES / "offer.docx"), out=str(tmp_path / "b.docx"),
                       deal=1, company=COMPANY)
    assert report["parts"] == ["word/document.xml", "word/header1.xml", "word/footer1.xml"]
    assert cb.call("docx_text", docx=str(tmp_path / "b.docx"))["text"].startswith("Коммерческое")

    check = cb.render_docx_check(shop, TEMPLATES / "offer.docx", deal=1)
    assert "deal.lines" in check["variables"]
    assert check["missing"][:2] == ["client.city", "client.phone"]


def test_without_a_base() -> None:
    template = (TEMPLATES / "contract.docx").read_bytes()
    with pytest.raises(cb.InvalidValueError) as err:
        cb.render_docx(template, deal=1)
    assert err.value.field == "deal"
    # The contract reads the client and deal: strict mode names the first.
    with pytest.raises(cb.InvalidValueError) as err:
        cb.render_docx(template)
    assert err.value.record == "word/document.xml, paragraph 1"
    assert "{{ deal.id }}" in str(err.value)
    docx = cb.render_docx(tiny_template("{{ company.name }}: {{ days }} {{ days | plural('день', 'дня', 'дней') }}"),
                          vars={"days": 10}, company=COMPANY)
    assert body_text(docx) == "ООО «Ромашка»: 10 дней"
    with pytest.raises(cb.JsonError):
        cb.render_docx(template, strcit=False)
    with pytest.raises(TypeError):
        cb.render_docx(12)  # type: ignore[arg-type]


def test_broken_templates_name_the_place(shop: cb.ClientBase, tmp_path: Path) -> None:
    broken = TEMPLATES / "broken.docx"
    out = tmp_path / "never.docx"
    with pytest.raises(cb.InvalidValueError) as err:
        cb.render_docx(broken, shop, deal=1, out=out)
    assert err.value.record == "word/document.xml, paragraph 2 (table 1, row 1, cell 1)"
    assert "{{ deal." in str(err.value)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    good = (TEMPLATES / "offer.docx").read_bytes()
    for bad in (b"", b"PK\x03\x04garbage", good[: len(good) // 2]):
        with pytest.raises(cb.InvalidValueError) as err:
            cb.render_docx(bad, shop, deal=1)
        assert err.value.record == "template"
        assert "not a DOCX file" in str(err.value)
    with pytest.raises(cb.IoError):
        cb.render_docx(tmp_path / "missing.docx", shop, deal=1)


def test_releases_the_gil(shop: cb.ClientBase) -> None:
    template = (TEMPLATES / "offer.docx").read_bytes()
    results: list[bytes] = []

    def work() -> None:
        for _ in range(20):
            results.append(cb.render_docx(template, shop, deal=1, company=COMPANY, today="2026-12-07"))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 60
    assert len({body_text(r) for r in results}) == 1


def test_pdf(shop: cb.ClientBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docx = cb.render_docx(TEMPLATES / "offer.docx", shop, deal=1, company=COMPANY)
    if shutil.which("soffice") is not None:
        pdf = cb.docx_to_pdf(docx, out=tmp_path / "offer.pdf")
        assert pdf.startswith(b"%PDF")
        assert (tmp_path / "offer.pdf").read_bytes() == pdf
    monkeypatch.setenv("CLIENTBASE_SOFFICE", str(tmp_path / "no-soffice"))
    with pytest.raises(cb.IoError) as err:
        cb.docx_to_pdf(docx)
    assert "cannot start LibreOffice" in str(err.value)
