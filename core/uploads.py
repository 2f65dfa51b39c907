"""Uploaded files: the one place where a file from a user is checked before it is stored,
and where a stored file is answered to a user.

Every feature that accepts a file (profile photos, case and task attachments, report
files) calls :func:`clean_upload` (or :func:`clean_image`) on the uploaded file *before*
saving it, and serves it with :func:`protected_file_response` from a view that has
already checked access with ``core.access``::

    from core import uploads

    cleaned = uploads.clean_upload(request.FILES["file"], kinds=uploads.DOCUMENTS)
    attachment.file.save(cleaned.name, cleaned.content, save=False)
    attachment.content_type = cleaned.content_type
    attachment.original_name = cleaned.original_name
    ...
    return uploads.protected_file_response(attachment.file, download_name=attachment.original_name)

What :func:`clean_upload` does, and why:

- **size**: refused above ``WRAPAROUND_UPLOAD_MAX_BYTES`` (``WRAPAROUND_IMAGE_MAX_BYTES`` for
  images), before anything parses it;
- **type from content**: the type is sniffed from the file's bytes (``filetype``); the
  name and the browser's Content-Type are not trusted. A name whose extension does not
  match the content ("photo.png" holding a JPEG or a PDF) is refused, so no later reader
  is misled by the name;
- **active content**: markup and scripts (``<script``, ``<html``, ``<svg``, ``<?php``), an
  embedded ZIP in an image (a "GIFAR"-style polyglot), JavaScript, launch actions or
  embedded files in a PDF, and macros in Office files are refused;
- **images are re-encoded** with Pillow (orientation applied, then saved afresh): EXIF
  (GPS position, device serials), comments and anything appended after the image data
  are gone; decompression bombs are refused (``WRAPAROUND_IMAGE_MAX_PIXELS``);
- **a new name**: files are stored under a random name with the canonical extension,
  never under the uploader's name (no path tricks, no guessing); the original name is
  kept, cleaned, only to be offered back on download.

Files are stored in ``MEDIA_ROOT`` (under ``WRAPAROUND_DATA_DIR``), which no URL serves:
there is no ``/media/`` route and whitenoise serves static files only.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from PIL import Image, ImageOps, UnidentifiedImageError

#: Sniffed MIME type -> (canonical extension, accepted extensions of the uploaded name).
IMAGES: dict[str, tuple[str, frozenset[str]]] = {
    "image/jpeg": ("jpg", frozenset({"jpg", "jpeg"})),
    "image/png": ("png", frozenset({"png"})),
    "image/webp": ("webp", frozenset({"webp"})),
}
DOCUMENTS: dict[str, tuple[str, frozenset[str]]] = {
    **IMAGES,
    "application/pdf": ("pdf", frozenset({"pdf"})),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", frozenset({"docx"})),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", frozenset({"xlsx"})),
    "application/vnd.oasis.opendocument.text": ("odt", frozenset({"odt"})),
    "text/plain": ("txt", frozenset({"txt"})),
    "text/csv": ("csv", frozenset({"csv"})),
}

_PIL_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
#: Markers of content a browser or another program would run, refused in any upload.
_ACTIVE_MARKERS = (b"<script", b"<html", b"<svg", b"<?php", b"<iframe", b"javascript:", b"<!doctype html")
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
_ZIP_HEADER = b"PK\x03\x04"
_TEXT_TYPES = {"text/plain", "text/csv"}


@dataclass(frozen=True)
class CleanUpload:
    """A checked file, ready to save: ``content`` has a fresh random ``name``."""

    content: ContentFile
    content_type: str
    original_name: str
    size: int

    @property
    def name(self) -> str:
        return self.content.name


def _read_all(upload, limit: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(f"The file is too large ({_mb(size)}); the most allowed is {_mb(limit)}.", code="too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(f"The file is too large; the most allowed is {_mb(limit)}.", code="too_large")
    if not data:
        raise ValidationError("The file is empty.", code="empty")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def safe_original_name(name: str) -> str:
    """The uploader's file name without any path, control characters or quotes, for
    showing and for ``Content-Disposition`` only (never as a storage path)."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFKC", base)
    base = "".join(c for c in base if c.isprintable() and c not in '"<>|:*?/\\')
    return base.strip(". ")[:150] or "file"


def _extension(name: str) -> str:
    suffix = PurePath(safe_original_name(name)).suffix
    return suffix[1:].lower() if suffix else ""


def _sniff(data: bytes, name: str) -> str | None:
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime
    # Plain text has no magic number: accept it only if it is valid UTF-8 without NULs.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if b"\x00" in data:
        return None
    return "text/csv" if _extension(name) == "csv" else "text/plain"


def _refuse_active_content(data: bytes, mime: str) -> None:
    lowered = data[:4_000_000].lower()
    if any(marker in lowered for marker in _ACTIVE_MARKERS):
        raise ValidationError("The file contains web page or script content and was refused.", code="active_content")
    if mime in IMAGES and _ZIP_HEADER in data:
        raise ValidationError("The image has another file hidden inside it and was refused.", code="polyglot")
    if mime == "application/pdf" and _PDF_ACTIVE.search(data):
        raise ValidationError("The PDF contains scripts, actions or embedded files and was refused.", code="active_content")
    if mime.startswith("application/vnd.") and b"vbaProject.bin" in data:
        raise ValidationError("The document contains macros and was refused.", code="active_content")


def clean_upload(upload, *, kinds: dict = DOCUMENTS, max_bytes: int | None = None) -> CleanUpload:
    """Check one uploaded file (see the module docstring) and return it ready to save.
    Raises ``ValidationError`` with a message for the person who uploaded it."""
    original = safe_original_name(getattr(upload, "name", "") or "file")
    is_image_only = set(kinds) <= set(IMAGES)
    limit = max_bytes or (settings.WRAPAROUND_IMAGE_MAX_BYTES if is_image_only else settings.WRAPAROUND_UPLOAD_MAX_BYTES)
    data = _read_all(upload, limit)
    mime = _sniff(data, original)
    if mime is None or mime not in kinds:
        allowed = ", ".join(sorted({ext for ext, _ in kinds.values()}))
        raise ValidationError(f"This kind of file is not accepted here. Accepted: {allowed}.", code="type")
    canonical, accepted_exts = kinds[mime]
    ext = _extension(original)
    if ext not in accepted_exts:
        raise ValidationError(
            f"The file's name ends in “.{ext or '(nothing)'}” but its content is {canonical.upper()}: "
            f"rename it to .{canonical} if it is what you meant to upload.", code="mislabelled")
    _refuse_active_content(data, mime)
    if mime in IMAGES:
        data = _reencode_image(data, mime)
    name = f"{uuid.uuid4().hex}.{canonical}"
    return CleanUpload(ContentFile(data, name=name), mime, original, len(data))


def clean_image(upload, *, max_bytes: int | None = None) -> CleanUpload:
    """:func:`clean_upload` for images only (profile photos)."""
    return clean_upload(upload, kinds=IMAGES, max_bytes=max_bytes)


def _reencode_image(data: bytes, mime: str) -> bytes:
    max_pixels = settings.WRAPAROUND_IMAGE_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError("The image is too large in pixels.", code="too_large")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            fmt = _PIL_FORMAT[mime]
            if fmt == "JPEG" and img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            elif img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                img = img.convert("RGBA")
            out = io.BytesIO()
            # A fresh image: no EXIF, ICC, comments or trailing bytes are carried over.
            img.save(out, fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
            return out.getvalue()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError("The image could not be read; it may be damaged.", code="invalid_image") from exc


def protected_file_response(fieldfile, *, download_name: str, as_attachment: bool = True) -> FileResponse:
    """Answer a stored file to a user the calling view has already checked. The type is
    sniffed from the stored bytes (never from the name); the response cannot be framed,
    sniffed into another type or run scripts if opened directly."""
    handle = fieldfile.open("rb")
    head = handle.read(8192)
    handle.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind is not None else "application/octet-stream"
    if not as_attachment and not content_type.startswith("image/"):
        as_attachment = True
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment,
                            filename=safe_original_name(download_name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
