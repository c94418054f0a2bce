"""S3-compatible store (AWS S3, MinIO, moto) through boto3. Objects are written with ``put``/multipart upload
(streamed from disk), made public-read, and reached at ``<s3_public_url>/<key>``."""

from __future__ import annotations

import logging
from typing import Any, BinaryIO

from .base import AWS_FIELDS, PresignedPost, Source, StoreError, iter_chunks, validate_key

log = logging.getLogger("labelhouse.storage")


class S3Store:
    def __init__(self, *, bucket: str, endpoint_url: str | None = None, region: str = "us-east-1",
                 access_key_id: str | None = None, secret_access_key: str | None = None,
                 public_url: str | None = None, create_bucket: bool = True) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"max_attempts": 5, "mode": "standard"}),
        )
        if public_url:
            self.base_url = public_url.rstrip("/")
        elif endpoint_url:
            self.base_url = f"{endpoint_url.rstrip('/')}/{bucket}"
        else:
            self.base_url = f"https://{bucket}.s3.{region}.amazonaws.com"
        if create_bucket:
            self._ensure_bucket(region)

    def _ensure_bucket(self, region: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            kwargs: dict[str, Any] = {"Bucket": self.bucket}
            if region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            try:
                self.client.create_bucket(**kwargs)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("BucketAlreadyOwnedByYou",
                                                                      "BucketAlreadyExists"):
                    raise StoreError(f"cannot create bucket {self.bucket!r}: {exc}") from exc
                return
            self._allow_anonymous_reads()

    def _allow_anonymous_reads(self) -> None:
        """Asset and release URLs are fetched without credentials (contract §3: the official SDK sends none).
        MinIO ignores object ACLs, so a bucket we create gets an anonymous-GET policy (= `mc anonymous set
        download`). On AWS, Block Public Access may refuse it: then configure the bucket (or a CDN) yourself."""
        import json

        from botocore.exceptions import ClientError

        policy = {"Version": "2012-10-17", "Statement": [{
            "Sid": "PublicRead", "Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{self.bucket}/*"]}]}
        try:
            self.client.put_bucket_policy(Bucket=self.bucket, Policy=json.dumps(policy))
        except ClientError as exc:
            log.warning("could not make bucket %s publicly readable (%s); asset and release URLs need "
                        "anonymous GET access", self.bucket, exc)

    def put(self, key: str, source: Source, content_type: str | None = None) -> int:
        from .base import content_type_for

        validate_key(key)
        extra = {"ContentType": content_type or content_type_for(key), "ACL": "public-read"}
        counter = _CountingReader(source)
        # upload_fileobj streams in parts (multipart above 8 MB): memory stays bounded, and S3 only shows the
        # object once the upload completes.
        self.client.upload_fileobj(counter, self.bucket, key, ExtraArgs=extra)
        return counter.count

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=validate_key(key))["Body"]
        except ClientError as exc:
            raise StoreError(f"object {key!r} does not exist: {exc}") from None

    def get(self, key: str) -> bytes:
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=validate_key(key))["ContentLength"])
        except ClientError:
            return None

    def exists(self, key: str) -> bool:
        return self.size(key) is not None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=validate_key(key))

    def public_url(self, key: str) -> str:
        return f"{self.base_url}/{validate_key(key)}"

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int = 3600) -> PresignedPost:
        validate_key(key)
        post = self.client.generate_presigned_post(
            self.bucket, key,
            Fields={"acl": "public-read", "Content-Type": content_type},
            Conditions=[{"acl": "public-read"}, {"Content-Type": content_type},
                        ["content-length-range", 1, int(max_bytes)]],
            ExpiresIn=expires_in,
        )
        fields = post["fields"]
        missing = [name for name in AWS_FIELDS if name not in fields]
        if missing:
            raise StoreError(f"S3 presigned POST lacks fields {missing}")
        # Only the eight fields reach the target (the official SDK drops others, e.g. x-amz-security-token,
        # so temporary STS credentials cannot be used for browser uploads).
        return PresignedPost(url=post["url"], fields={name: str(fields[name]) for name in AWS_FIELDS})


class _CountingReader:
    """A file-like view over any Source that counts bytes as boto3 reads them."""

    def __init__(self, source: Source) -> None:
        self._chunks = iter(iter_chunks(source))
        self._buf = b""
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buf) < size:
            try:
                self._buf += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        self.count += len(out)
        return out
