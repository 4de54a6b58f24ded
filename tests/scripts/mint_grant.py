#!/usr/bin/env python3
"""Mints an upload grant with PyJWT, as an application would.

Usage: mint_grant.py KEY SERVICE_ID KINDS TTL_SECONDS [downloads]
KINDS is comma-separated (may be empty); a negative TTL gives an expired grant.
"""
import sys
import time

import jwt

key, service_id, kinds, ttl = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
now = int(time.time())
claims = {
    "service_id": service_id,
    "kinds": [k for k in kinds.split(",") if k],
    "downloads": len(sys.argv) > 5 and sys.argv[5] == "downloads",
    "iat": min(now, now + ttl),
    "exp": now + ttl,
}
print(jwt.encode(claims, key, algorithm="HS256"))
