import json
import urllib.request
import xml.etree.ElementTree as ET

MAX_BYTES = 1_000_000


def _titles(document):
    root = ET.fromstring(document)
    return [item.findtext("title", default="") for item in root.iter("item")][:20]


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    feed_url = params.get("feed")
    if not feed_url:
        return {"statusCode": 400, "body": json.dumps({"error": "feed is required"})}

    with urllib.request.urlopen(feed_url, timeout=10) as resp:
        document = resp.read(MAX_BYTES)

    try:
        titles = _titles(document)
    except ET.ParseError:
        return {"statusCode": 502, "body": json.dumps({"error": "not an RSS feed", "raw": document[:200].decode("utf-8", "replace")})}

    return {"statusCode": 200, "body": json.dumps({"feed": feed_url, "titles": titles})}
