"""The storage adapter: a local folder (development) or S3 through boto3, behind one interface.

Objects are private. Keys are opaque (made by the caller from random ids, never from a user's file
name). S3 puts always ask for server-side encryption; downloads from S3 are short-lived presigned
URLs, while the local backend's files are streamed by the app after the same permission check.
"""

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import current_app


class StorageUnavailable(Exception):
    """The store could not be reached or refused the request: worth trying again later."""


class ObjectMissing(StorageUnavailable):
    pass


def content_disposition(filename):
    """`attachment` with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class LocalStorage:
    streams = True  # the app sends the bytes itself

    def __init__(self, root):
        self.root = Path(root)

    def _path(self, key):
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("storage key escapes the storage folder")
        return path

    def check(self):
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / ".healthz"
        probe.write_bytes(b"ok")
        probe.unlink()

    def put(self, key, fileobj, content_type, metadata=None):
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as out:
                fileobj.seek(0)
                shutil.copyfileobj(fileobj, out, 1024 * 1024)
            os.replace(tmp, path)  # appears whole or not at all
        except OSError as exc:
            if tmp is not None:  # a half-written copy must not stay behind
                Path(tmp).unlink(missing_ok=True)
            raise StorageUnavailable(str(exc)) from exc

    def open(self, key):
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise ObjectMissing(key) from exc
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def delete(self, key):
        try:
            self._path(key).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def exists(self, key):
        return self._path(key).exists()


class S3Storage:
    streams = False  # downloads redirect to a presigned URL

    def __init__(self, config):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket = config["S3_BUCKET"]
        self.url_seconds = config.get("DOWNLOAD_URL_SECONDS", 60)
        self.client = boto3.client(
            "s3",
            region_name=config["S3_REGION"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            aws_access_key_id=config.get("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            config=BotoConfig(
                connect_timeout=config["S3_CONNECT_TIMEOUT"],
                read_timeout=config["S3_READ_TIMEOUT"],
                retries={"total_max_attempts": config["S3_MAX_ATTEMPTS"], "mode": "standard"},
                signature_version="s3v4",
            ),
        )

    def _call(self, fn, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise ObjectMissing(kwargs.get("Key", "")) from exc
            raise StorageUnavailable(f"S3 {code}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(str(exc)) from exc

    def check(self):
        self._call(self.client.head_bucket, Bucket=self.bucket)

    def put(self, key, fileobj, content_type, metadata=None):
        fileobj.seek(0)
        self._call(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=fileobj,
            ContentType=content_type,
            ServerSideEncryption="AES256",
            Metadata={k: str(v) for k, v in (metadata or {}).items()},
        )

    def open(self, key):
        return self._call(self.client.get_object, Bucket=self.bucket, Key=key)["Body"]

    def head(self, key):
        return self._call(self.client.head_object, Bucket=self.bucket, Key=key)

    def delete(self, key):
        self._call(self.client.delete_object, Bucket=self.bucket, Key=key)

    def exists(self, key):
        try:
            self.head(key)
            return True
        except ObjectMissing:
            return False

    def presigned_url(self, key, filename, content_type, seconds=None):
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": content_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=seconds or self.url_seconds,
        )


def get_storage():
    app = current_app._get_current_object()
    storage = app.extensions.get("vcse_storage")
    if storage is None:
        if app.config["STORAGE"] == "s3":
            storage = S3Storage(app.config)
        else:
            storage = LocalStorage(app.config["STORAGE_LOCAL_PATH"])
        app.extensions["vcse_storage"] = storage
    return storage
