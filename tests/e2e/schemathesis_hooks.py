"""schemathesis hooks for tests/e2e/test_schemathesis.py (loaded through ``SCHEMATHESIS_HOOKS``): the spreadsheet
uploads take the .xlsx file itself as the body, and a case document the file as its own media type: schemathesis sends
them as raw bytes like any binary body."""

import schemathesis

schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)
for media_type in (  # enforcement_contracts.cases.records.DOCUMENT_MEDIA_TYPES
    "application/pdf",
    "image/jpeg",
    "image/png",
    "audio/mpeg",
    "audio/mp4",
    "audio/wav",
    "video/mp4",
    "video/quicktime",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/ofd",
):
    schemathesis.serializer.alias(media_type, "application/octet-stream")
