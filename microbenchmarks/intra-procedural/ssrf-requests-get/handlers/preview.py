import json
import logging
import re

import requests

logger = logging.getLogger()
logger.setLevel(logging.INFO)

TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
SITE_URL = "https://links.example.com/"
USER_AGENT = "link-preview/1.0"


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    logger.info("preview requested by %s", body.get("requester", "anonymous"))

    resp = requests.get(body["url"], headers={"User-Agent": USER_AGENT, "Referer": SITE_URL}, timeout=10)
    match = TITLE_RE.search(resp.text)

    return {
        "statusCode": 200,
        "body": json.dumps({
            "status": resp.status_code,
            "title": match.group(1).strip() if match else None,
            "snippet": resp.text[:500],
        }),
    }
