"""Raw mail and attachments in S3: SES writes the raw MIME, we add attachments beside it."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.domain.errors import NotFound, StorageError
from chalicelib.domain.mail.parsed import ParsedAttachment


class S3RawMailStore:
    def __init__(
        self, client: Any, bucket: str, inbound_prefix: str, attachments_prefix: str
    ) -> None:
        self._s3 = client
        self._bucket = bucket
        self._inbound = inbound_prefix
        self._attachments = attachments_prefix

    def raw_key(self, mail_id: str) -> str:
        return f"{self._inbound}{mail_id}"

    def get_raw(self, mail_id: str) -> bytes:
        key = self.raw_key(mail_id)
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"]
            return bytes(body.read())
        except ClientError as e:
            if e.response["Error"]["Code"] in ("NoSuchKey", "404"):
                raise NotFound(f"s3://{self._bucket}/{key} does not exist") from e
            raise StorageError(f"reading s3://{self._bucket}/{key} failed: {e}") from e
        except BotoCoreError as e:  # no connection, a timeout, a stream cut short
            raise StorageError(f"reading s3://{self._bucket}/{key} failed: {e}") from e

    def put_attachment(self, mail_id: str, index: int, attachment: ParsedAttachment) -> str:
        key = f"{self._attachments}{mail_id}/{index:03d}/{attachment.filename}"
        try:
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=attachment.data,
                ContentType=attachment.content_type,
            )
        except (BotoCoreError, ClientError) as e:
            raise StorageError(f"storing {key} failed: {e}") from e
        return key

    def presign(self, key: str, *, filename: str | None = None, expires: int = 300) -> str:
        params: dict[str, str] = {"Bucket": self._bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = f'attachment; filename="{_ascii(filename)}"'
        return str(self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires))


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
