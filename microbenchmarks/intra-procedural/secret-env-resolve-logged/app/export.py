import hashlib
import hmac
import logging
import os

import requests

log = logging.getLogger()
log.setLevel(logging.INFO)

API_KEY = os.environ["ACCOUNTING_API_KEY"]
BASE_URL = os.environ["ACCOUNTING_URL"]


def fingerprint(key):
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def handler(event, context):
    batch = int(os.environ.get("EXPORT_BATCH_SIZE", "100"))
    log.info("exporting %d orders to %s with key %s", batch, BASE_URL, fingerprint(API_KEY))
    response = requests.post(BASE_URL + "/orders", json={"batch": batch}, headers={"X-Api-Key": API_KEY}, timeout=30)
    if response.status_code != 200:
        logging.error("export failed with key %s: %s", API_KEY, response.text)
    signature = hmac.new(API_KEY.encode(), response.content, hashlib.sha256).hexdigest()
    log.info("export done, receipt signature %s", signature)
    return {"exported": batch}
