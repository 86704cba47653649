"""The storage adapter: a local folder (development) or S3 through boto3. Objects are private.

The documents issue builds uploads and downloads on this; the foundation needs only ``check()``
for /healthz and the two backends' construction.
"""
from pathlib import Path

from flask import current_app


class LocalStorage:
    def __init__(self, root):
        self.root = Path(root)

    def check(self):
        self.root.mkdir(parents=True, exist_ok=True)
        probe = self.root / ".healthz"
        probe.write_bytes(b"ok")
        probe.unlink()


class S3Storage:
    def __init__(self, config):
        import boto3
        from botocore.config import Config as BotoConfig
        self.bucket = config["S3_BUCKET"]
        self.client = boto3.client(
            "s3", region_name=config["S3_REGION"], endpoint_url=config.get("S3_ENDPOINT_URL"),
            config=BotoConfig(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2}))

    def check(self):
        self.client.head_bucket(Bucket=self.bucket)


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
