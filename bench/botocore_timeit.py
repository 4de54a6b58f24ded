#!/usr/bin/env python3
"""botocore's per-operation cost for the benchmark's two operations, with timeit.

Same inputs as crates/uploadkit-bench/benches/signing.rs: a presigned GET for a CSV upload key
with a session token, and the CSV upload's POST policy. Prints JSON: {"presign_url": ns,
"post_policy": ns}, the best of 5 repeats.
"""
import json
import timeit

import boto3
from botocore.config import Config

AK = "AKIAIOSFODNN7EXAMPLE"
SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEtokenEXAMPLEtokenEXAMPLEtokenEXAMPLEtoken=="
BUCKET = "local-notifications-csv-upload"
KEY = "service-4d1f3b7e-9c2a-4f6e-8b1d-2a3c4e5f6a7b-notify/0b8c0f5e-1d2e-4c3b-9a8f-7e6d5c4b3a29.csv"

client = boto3.client(
    "s3", region_name="eu-west-1", aws_access_key_id=AK, aws_secret_access_key=SK,
    aws_session_token=TOKEN, config=Config(signature_version="s3v4"),
)
FIELDS = {
    "Content-Type": "text/csv",
    "x-amz-server-side-encryption": "AES256",
    "x-amz-meta-original_file_name": "recipients.csv",
    "success_action_status": "201",
}
CONDITIONS = [{k: v} for k, v in FIELDS.items()] + [["content-length-range", 1, 10485760]]


def presign():
    client.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": KEY}, ExpiresIn=3600)


def post():
    client.generate_presigned_post(BUCKET, KEY, Fields=dict(FIELDS), Conditions=list(CONDITIONS), ExpiresIn=3600)


def per_op_ns(fn, number):
    fn()
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e9


print(json.dumps({"presign_url": per_op_ns(presign, 2000), "post_policy": per_op_ns(post, 2000)}))
