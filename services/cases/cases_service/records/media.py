"""What a file really is, from its first bytes (magic numbers), whatever the uploader's Content-Type said.

An upload is refused unless its bytes match the media type it was sent as: an .exe (``MZ``) sent as image/jpeg is
refused. MP4 and QuickTime files share the ISO base-media container (``ftyp``), so audio/mp4, video/mp4 and
video/quicktime are one family here; a file of that family is accepted as any of them.
"""

from __future__ import annotations

HEAD_BYTES = 64  # enough for every signature below

ZIP_BASED = frozenset(
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/ofd",
    }
)
_ISO_MEDIA = frozenset({"audio/mp4", "video/mp4", "video/quicktime"})


def _is_mpeg_audio(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    # an MPEG audio frame's sync word: 11 bits set, then a version that is not the reserved 01 and a layer not 00
    if len(head) < 2 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return False
    return (head[1] >> 3) & 0x03 != 0x01 and (head[1] >> 1) & 0x03 != 0


def family(head: bytes) -> str | None:
    """The media family the first bytes of a file belong to, or None when none is known."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "iso-media"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if _is_mpeg_audio(head):
        return "audio/mpeg"
    return None


def matches(media_type: str, head: bytes) -> bool:
    """Whether a file starting with ``head`` is of ``media_type``."""
    found = family(head)
    if found is None:
        return False
    if media_type in _ISO_MEDIA:
        return found == "iso-media"
    if media_type in ZIP_BASED:
        return found == "zip"
    return found == media_type


def describe(head: bytes) -> str:
    """What the bytes look like, for the refusal's message."""
    if head.startswith(b"MZ"):
        return "a Windows executable"
    found = family(head)
    if found is None:
        return "of no known media type"
    return {"iso-media": "an MP4/QuickTime file", "zip": "a ZIP archive"}.get(found, found)
