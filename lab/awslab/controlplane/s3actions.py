"""S3 operation names from a REST request (moto's operation router does not resolve S3's REST-XML API)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}
_BUCKET_SUBRESOURCES = {
    "acl": "BucketAcl", "cors": "BucketCors", "encryption": "BucketEncryption",
    "lifecycle": "BucketLifecycleConfiguration", "location": "BucketLocation", "logging": "BucketLogging",
    "notification": "BucketNotificationConfiguration", "object-lock": "ObjectLockConfiguration",
    "ownershipControls": "BucketOwnershipControls", "policy": "BucketPolicy", "policyStatus": "BucketPolicyStatus",
    "publicAccessBlock": "PublicAccessBlock", "replication": "BucketReplication", "tagging": "BucketTagging",
    "versioning": "BucketVersioning", "website": "BucketWebsite", "accelerate": "BucketAccelerateConfiguration",
    "requestPayment": "BucketRequestPayment",
}
_OBJECT_SUBRESOURCES = {"acl": "ObjectAcl", "tagging": "ObjectTagging", "retention": "ObjectRetention",
                        "legal-hold": "ObjectLegalHold", "attributes": "ObjectAttributes"}


def _bucket_and_key(environ: dict[str, Any]) -> tuple[str, str]:
    host = environ.get("HTTP_HOST", "").split(":", 1)[0]
    path = environ.get("PATH_INFO", "/").lstrip("/")
    if ".s3." in host or ".s3-" in host:
        return host.split(".s3", 1)[0], path
    bucket, _, key = path.partition("/")
    return bucket, key


def s3_action(environ: dict[str, Any]) -> str:
    method = environ.get("REQUEST_METHOD", "GET")
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    bucket, key = _bucket_and_key(environ)
    verb = _VERBS.get(method, "")
    if not bucket:
        return "ListBuckets" if method == "GET" else f"{method} /"
    if not key:
        for name, noun in _BUCKET_SUBRESOURCES.items():
            if name in query and verb:
                return f"{verb}{noun}"
        if method == "POST" and "delete" in query:
            return "DeleteObjects"
        if method == "GET":
            if "uploads" in query:
                return "ListMultipartUploads"
            if "versions" in query:
                return "ListObjectVersions"
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return {"PUT": "CreateBucket", "DELETE": "DeleteBucket", "HEAD": "HeadBucket"}.get(method, f"{method} bucket")
    for name, noun in _OBJECT_SUBRESOURCES.items():
        if name in query and verb:
            return f"{verb}{noun}"
    if "uploads" in query and method == "POST":
        return "CreateMultipartUpload"
    if "uploadId" in query:
        return {"PUT": "UploadPart", "POST": "CompleteMultipartUpload", "DELETE": "AbortMultipartUpload",
                "GET": "ListParts"}.get(method, f"{method} upload")
    if method == "PUT" and environ.get("HTTP_X_AMZ_COPY_SOURCE"):
        return "CopyObject"
    return {"GET": "GetObject", "PUT": "PutObject", "DELETE": "DeleteObject", "HEAD": "HeadObject",
            "POST": "PostObject"}.get(method, f"{method} object")
