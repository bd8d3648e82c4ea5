"""Personal data at rest: field encryption (Fernet) and keyed hashes for lookups.

An ID card number is stored encrypted (readable only with the key) and as an HMAC, so it can
be found by exact match without decrypting every row; the HMAC key differs from the cipher key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from cryptography.fernet import Fernet, InvalidToken

log = logging.getLogger(__name__)

DEV_KEY_MARKER = "dev-only"


class PersonalDataCipher:
    def __init__(self, encryption_key: str, hash_key: str):
        if not encryption_key or not hash_key:
            raise ValueError("personal-data keys are not configured (ID_ENCRYPTION_KEY, ID_HASH_KEY)")
        if DEV_KEY_MARKER in hash_key:
            log.warning("personal data uses the development keys: set ID_ENCRYPTION_KEY and ID_HASH_KEY in production")
        self._fernet = Fernet(encryption_key.encode())
        self._hash_key = hash_key.encode()

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("cannot decrypt: wrong key") from None

    def lookup_hash(self, value: str) -> str:
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()
