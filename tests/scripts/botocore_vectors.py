#!/usr/bin/env python3
"""Presigned URLs and POST policies from botocore (PyPI boto3) with a frozen clock.

Prints one JSON document: {"url_cases": [...], "post_cases": [...]}, each case holding its
inputs and botocore's output. tests/botocore.rs runs this and recomputes every case with
uploadkit. Needs: pip install boto3.
"""
import datetime
import itertools
import json
import sys
from unittest import mock

import boto3
import botocore
from botocore.config import Config

NOW = datetime.datetime(2026, 11, 22, 9, 30, 15)  # naive UTC, as botocore uses it
AK = "AKIAIOSFODNN7EXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCWV1LXdlc3QtMSJHMEUCIQD+token/with+slashes=="

BUCKETS = ["mybucket", "notify.tools-mou", "local-notifications-csv-upload"]
KEYS = [
    "plain.csv",
    "with space.csv",
    "plus+sign.png",
    "tilde~name.txt",
    "paren(1)!*'.txt",
    "q=1&r?s.txt",
    "100%.txt",
    "double//slash/x",
    "ünïcødé/日本語.csv",
    "service-4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b-notify/0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29.csv",
    "trailing/",
]
METHODS = {"GET": "get_object", "PUT": "put_object", "HEAD": "head_object", "DELETE": "delete_object"}
STYLES = ["auto", "virtual", "path"]
REGIONS = ["eu-west-1", "us-east-1"]
ENDPOINTS = [None, "http://127.0.0.1:8333"]


def client(region, style, token, endpoint):
    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=AK,
        aws_secret_access_key=SK,
        aws_session_token=token,
        config=Config(signature_version="s3v4", s3={"addressing_style": style}),
    )


def url_cases():
    out = []
    methods = itertools.cycle(METHODS.items())
    expiries = itertools.cycle([1, 900, 3600, 604800])
    for bucket, key, style, region, token, endpoint in itertools.product(
        BUCKETS, KEYS, STYLES, REGIONS, [None, TOKEN], ENDPOINTS
    ):
        if endpoint and (region != "eu-west-1" or style == "virtual"):
            continue
        method, op = next(methods)
        expires = next(expiries)
        url = client(region, style, token, endpoint).generate_presigned_url(
            op, Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires
        )
        out.append({
            "bucket": bucket, "key": key, "method": method, "addressing": style,
            "region": region, "token": token, "endpoint": endpoint, "expires": expires,
            "url": url,
        })
    return out


DISPOSITIONS = [
    "attachment",
    'attachment; filename="report.csv"',
    "attachment; filename=\"Report - March.csv\"; filename*=UTF-8''Report%20%E2%80%93%20March.csv",
    "inline; filename=\"a;b=c&d.pdf\"",
]
KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SHA256 = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="


def extra_cases():
    """Response overrides, versions, checksums and SSE: Params in the order uploadkit writes
    its query parameters (disposition, type, cache-control, version)."""
    out = []
    reads = []
    for disposition in DISPOSITIONS:
        reads.append({"ResponseContentDisposition": disposition})
    reads.append({"ResponseContentType": "text/csv; charset=utf-8"})
    reads.append({"ResponseCacheControl": "no-store, max-age=0"})
    reads.append({"ResponseContentDisposition": DISPOSITIONS[2], "ResponseContentType": "text/csv",
                  "ResponseCacheControl": "private", "VersionId": "3/L4kqtJl40Nr8X8gdRQBpUMLUo+=~"})
    reads.append({"VersionId": "null"})
    writes = [
        {"ChecksumSHA256": SHA256},
        {"ServerSideEncryption": "AES256"},
        {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY},
        {"ChecksumSHA256": SHA256, "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/notify-uploads"},
    ]
    keys = ["report.csv", "with space/ünï.csv"]
    targets = [("eu-west-1", None, "auto"), ("us-east-1", None, "path"), ("eu-west-1", "http://127.0.0.1:8333", "path")]
    for params, key, (region, endpoint, style), token in itertools.product(reads, keys, targets, [None, TOKEN]):
        url = client(region, style, token, endpoint).generate_presigned_url(
            "get_object", Params={"Bucket": "notify.tools-mou", "Key": key, **params}, ExpiresIn=900)
        out.append({"method": "GET", "bucket": "notify.tools-mou", "key": key, "params": params, "region": region,
                    "endpoint": endpoint, "addressing": style, "token": token, "expires": 900, "url": url})
    for method, op in [("HEAD", "head_object"), ("DELETE", "delete_object")]:
        url = client("eu-west-1", "auto", None, None).generate_presigned_url(
            op, Params={"Bucket": "mybucket", "Key": "k.csv", "VersionId": "v2/x+y"}, ExpiresIn=60)
        out.append({"method": method, "bucket": "mybucket", "key": "k.csv", "params": {"VersionId": "v2/x+y"},
                    "region": "eu-west-1", "endpoint": None, "addressing": "auto", "token": None, "expires": 60, "url": url})
    for params, key, (region, endpoint, style), token in itertools.product(writes, keys, targets, [None, TOKEN]):
        url = client(region, style, token, endpoint).generate_presigned_url(
            "put_object", Params={"Bucket": "mybucket", "Key": key, **params}, ExpiresIn=300)
        out.append({"method": "PUT", "bucket": "mybucket", "key": key, "params": params, "region": region,
                    "endpoint": endpoint, "addressing": style, "token": token, "expires": 300, "url": url})
    return out


POST_FIELDS = [
    [],
    [["Content-Type", "text/csv"], ["x-amz-server-side-encryption", "AES256"],
     ["x-amz-meta-original_file_name", "Recipients (final) – v2.csv"]],
    [["Content-Type", "image/png"], ["x-amz-server-side-encryption", "AES256"],
     ["tagging", "<Tagging><TagSet><Tag><Key>delete-after-7-days</Key><Value>True</Value></Tag></TagSet></Tagging>"],
     ["success_action_status", "201"]],
    [["Content-Type", "text/csv"], ["x-amz-server-side-encryption", "aws:kms"],
     ["x-amz-server-side-encryption-aws-kms-key-id", KMS_KEY],
     ["x-amz-checksum-sha256", SHA256]],
]


def post_cases():
    out = []
    for bucket, fields, token, (region, endpoint), key in itertools.product(
        BUCKETS, POST_FIELDS, [None, TOKEN],
        [("eu-west-1", None), ("us-east-1", None), ("eu-west-1", "http://127.0.0.1:8333")],
        ["service-x-notify/upload.csv", "uploads/${filename}"],
    ):
        length = [1, 10 * 1024 * 1024]
        conditions = [{name: value} for name, value in fields]
        conditions.append(["content-length-range"] + length)
        post = client(region, "auto", token, endpoint).generate_presigned_post(
            bucket, key, Fields=dict(fields), Conditions=conditions, ExpiresIn=600
        )
        out.append({
            "bucket": bucket, "key": key, "fields": fields, "region": region, "token": token,
            "endpoint": endpoint, "content_length": length, "expires": 600,
            "url": post["url"], "botocore_fields": post["fields"],
        })
    return out


def main():
    with mock.patch("botocore.auth.get_current_datetime", return_value=NOW), \
            mock.patch("botocore.signers.get_current_datetime", return_value=NOW):
        doc = {
            "botocore_version": botocore.__version__,
            "now": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "access_key": AK,
            "secret_key": SK,
            "url_cases": url_cases(),
            "extra_cases": extra_cases(),
            "post_cases": post_cases(),
        }
    json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
