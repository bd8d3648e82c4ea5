"""The content store of case documents and the pure upload checks (no broker, no database): files under their
SHA-256, written whole or not at all, the same bytes stored once, chunks written again at their offset change nothing,
magic bytes decide what a file is, and a refusal names the kind's limit."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from cases_service.records import documents, media
from cases_service.records.kinds import default_catalogue
from cases_service.records.storage import ContentStore, hash_file, is_sha256
from enforcement_contracts.cases import records as records_contract

PDF = b"%PDF-1.7\n" + b"x" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
MP4 = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 100
MP3 = b"ID3\x04\x00" + b"\x00" * 100
WAV = b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\x00" * 100
EXE = b"MZ\x90\x00" + b"\x00" * 100


def test_a_file_is_stored_under_its_sha256_once(tmp_path):
    store = ContentStore(tmp_path / "store")
    sha, size = store.put_bytes(PDF)
    assert sha == hashlib.sha256(PDF).hexdigest() and size == len(PDF)
    assert store.path_of(sha) == tmp_path / "store" / sha[:2] / sha
    assert store.exists(sha) and store.sha256_of(sha) == sha
    assert store.read_range(sha, 0, 5) == b"%PDF-" and store.read_range(sha, len(PDF), 10) == b""
    assert b"".join(store.iter_file(sha, chunk=7)) == PDF
    before = store.path_of(sha).stat().st_mtime_ns
    assert store.put_stream(io.BytesIO(PDF)) == (sha, size)  # the same bytes again: nothing new written
    assert store.path_of(sha).stat().st_mtime_ns == before
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert files == [store.path_of(sha)]  # no temporary file left behind
    assert not os.access(store.path_of(sha), os.W_OK) or os.geteuid() == 0  # stored read-only


def test_a_changed_or_missing_file_is_seen(tmp_path):
    store = ContentStore(tmp_path)
    sha, _ = store.put_bytes(PNG)
    path = store.path_of(sha)
    os.chmod(path, 0o640)
    with path.open("r+b") as f:
        f.seek(20)
        f.write(b"\x01")
    assert store.sha256_of(sha) != sha
    path.unlink()
    assert not store.exists(sha)
    with pytest.raises(FileNotFoundError):
        store.sha256_of(sha)


def test_only_hex_sha256_names_a_file(tmp_path):
    store = ContentStore(tmp_path)
    assert is_sha256("a" * 64) and not is_sha256("A" * 64) and not is_sha256("../" + "a" * 61)
    with pytest.raises(ValueError):
        store.path_of("../../etc/passwd")
    with pytest.raises(ValueError):
        store.partial_path("../x")


def test_chunks_written_again_at_their_offset_leave_the_file_as_it_was(tmp_path):
    store = ContentStore(tmp_path)
    store.write_at("u1", 0, b"abc")
    store.write_at("u1", 3, b"def")
    store.write_at("u1", 3, b"def")  # redelivered
    store.write_at("u1", 0, b"abc")
    assert store.partial_path("u1").read_bytes() == b"abcdef"
    sha, size = store.adopt(store.partial_path("u1"))
    assert size == 6 and store.path_of(sha).read_bytes() == b"abcdef"
    assert not store.partial_path("u1").exists()
    assert hash_file(store.path_of(sha)) == hashlib.sha256(b"abcdef").hexdigest()
    store.write_at("u2", 0, b"zz")
    store.discard_partial("u2")
    assert store.partial_uploads() == []


@pytest.mark.parametrize(
    ("media_type", "content", "ok"),
    [
        ("application/pdf", PDF, True),
        ("image/jpeg", JPEG, True),
        ("image/png", PNG, True),
        ("video/mp4", MP4, True),
        ("audio/mp4", MP4, True),
        ("video/quicktime", MP4, True),
        ("audio/mpeg", MP3, True),
        ("audio/mpeg", b"\xff\xfb\x90\x00" + b"\x00" * 10, True),
        ("audio/wav", WAV, True),
        ("image/jpeg", EXE, False),
        ("image/jpeg", PNG, False),
        ("application/pdf", JPEG, False),
        ("video/mp4", PDF, False),
        ("audio/mpeg", b"\xff\xe9\x00", False),  # the reserved MPEG version
        ("image/png", b"", False),
    ],
)
def test_magic_bytes_decide_what_a_file_is(media_type, content, ok):
    assert media.matches(media_type, content[: media.HEAD_BYTES]) is ok


def test_an_executable_sent_as_a_photo_is_named_as_such():
    assert documents.content_problem("image/jpeg", EXE) == "the file's content is a Windows executable, not image/jpeg"
    assert documents.content_problem("image/jpeg", JPEG) is None


def test_every_media_type_a_kind_allows_can_be_sent_and_verified():
    sendable = set(records_contract.DOCUMENT_MEDIA_TYPES)
    samples = {"application/pdf": PDF, "image/jpeg": JPEG, "image/png": PNG, "audio/mpeg": MP3, "audio/wav": WAV}
    for kind in default_catalogue().kinds:
        for media_type in kind.media_types:
            assert media_type in sendable, (kind.code, media_type)
            assert media.matches(media_type, samples.get(media_type, MP4)), media_type


def test_upload_refusals_name_the_field_and_the_limit():
    catalogue = default_catalogue()
    photo = catalogue.kind("evidence_photo")
    assert documents.upload_problems(photo, "evidence_photo", "filed", "image/jpeg", 1000) == {}
    assert documents.upload_problems(None, "selfie", "filed", "image/jpeg", 10) == {
        "kind": ["unknown document kind selfie"]
    }
    wrong_stage = documents.upload_problems(photo, "evidence_photo", "served", "image/jpeg", 10)
    assert list(wrong_stage) == ["stage"] and "filed, investigated" in wrong_stage["stage"][0]
    wrong_type = documents.upload_problems(photo, "evidence_photo", "filed", "application/x-msdownload", 10)
    assert wrong_type["file"] == ["a evidence_photo is one of image/jpeg, image/png, not application/x-msdownload"]
    too_big = documents.upload_problems(photo, "evidence_photo", "filed", "image/png", photo.max_bytes + 1)
    assert too_big["file"] == [f"larger than the 20 MiB limit of a evidence_photo (max_bytes {photo.max_bytes})"]
    assert documents.upload_problems(photo, "evidence_photo", "filed", "image/png", photo.max_bytes) == {}
    assert "empty" in documents.upload_problems(photo, "evidence_photo", "filed", "image/png", 0)["file"][0]


def test_a_zip_based_file_gets_the_archive_checks(tmp_path):
    import zipfile

    from enforcement_kernel.spreadsheets import Limits

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (4 * 1024 * 1024))
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    problem = documents._content_problems(bomb, docx, Limits())
    assert problem is not None and "max_ratio" in problem
    assert documents._content_problems(bomb, docx, Limits(max_ratio=100000)) is None
    assert "not application/pdf" in documents._content_problems(bomb, "application/pdf", Limits())
