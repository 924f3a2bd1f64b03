import json
import re

import requests

TITLE = re.compile(r"<title>(.*?)</title>", re.I | re.S)


def handler(event, context):
    url = (event.get("queryStringParameters") or {}).get("url", "")
    page = requests.get(url, timeout=5)
    match = TITLE.search(page.text)
    return {"statusCode": 200, "body": json.dumps({"url": url, "title": match.group(1).strip() if match else None})}
