"""The peer for the load benchmark: the reference app's stack (Flask + boto3) doing the presign
endpoint's job — verify an HS256 upload grant with PyJWT, check the kind and size, lay out the
CSV key and return boto3's generate_presigned_post with the same fields and conditions.
Run: UPLOADKIT_GRANT_KEY=… gunicorn -w 2 -b 127.0.0.1:PORT bench.flask_presign:app
"""
import os
import time
import uuid

import boto3
import jwt
from botocore.config import Config
from flask import Flask, jsonify, request

app = Flask(__name__)
KEY = os.environ["UPLOADKIT_GRANT_KEY"]
MAX = 10 * 1024 * 1024
s3 = boto3.client("s3", region_name="eu-west-1", config=Config(signature_version="s3v4"))


@app.post("/v1/uploads")
def uploads():
    auth = request.headers.get("Authorization", "")
    try:
        grant = jwt.decode(auth.removeprefix("Bearer "), KEY, algorithms=["HS256"])
    except jwt.PyJWTError as e:
        return jsonify(error="grant_invalid", message=str(e)), 401
    body = request.get_json(silent=True) or {}
    if body.get("kind") not in grant.get("kinds", []):
        return jsonify(error="kind_not_granted", message="kind not granted"), 403
    size = body.get("size")
    if not isinstance(size, int) or size < 1:
        return jsonify(error="invalid_field", message="invalid size"), 400
    if size > MAX:
        return jsonify(error="file_too_large", message="The file must be smaller than 10MB"), 413
    key = f"service-{grant['service_id']}-notify/{uuid.uuid4()}.csv"
    fields = {
        "Content-Type": "text/csv",
        "x-amz-server-side-encryption": "AES256",
        "x-amz-meta-original_file_name": body.get("file_name", ""),
        "success_action_status": "201",
    }
    conditions = [{k: v} for k, v in fields.items()] + [["content-length-range", 1, MAX]]
    post = s3.generate_presigned_post(
        "local-notifications-csv-upload", key, Fields=fields, Conditions=conditions, ExpiresIn=600
    )
    return jsonify(method="POST", url=post["url"], fields=post["fields"], key=key, max_size=MAX,
                   expires_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600)))
