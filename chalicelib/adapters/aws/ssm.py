"""Secrets from SSM Parameter Store (SecureString, decrypted), each read once per container."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import StorageError


class SsmSecret:
    """One parameter's value, read on first use and kept: a Lambda container reads it once."""

    def __init__(self, client: Any, name: str) -> None:
        self._ssm = client
        self._name = name
        self._value: bytes | None = None

    def value(self) -> bytes:
        if self._value is None:
            try:
                response = self._ssm.get_parameter(Name=self._name, WithDecryption=True)
            except (BotoCoreError, ClientError) as e:
                raise StorageError(f"reading SSM parameter {self._name} failed: {e}") from e
            self._value = str(response["Parameter"]["Value"]).encode("utf-8")
        return self._value
