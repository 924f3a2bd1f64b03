import json
import os
import sys
from datetime import datetime, timezone

# Dependencies are installed next to this file with `pip install -t handlers/`.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import boto3  # noqa: E402
from slugkit import slugify  # noqa: E402

s3 = boto3.client("s3")
BUCKET = os.environ["SITE_BUCKET"]

CATEGORIES = ["Running Shoes", "Trail & Hiking", "Kids' Sneakers", "Socks / Accessories", "Clearance Sale"]


def handler(event, context):
    entries = [{"title": title, "path": f"/shop/{slugify(title)}/"} for title in CATEGORIES]
    index = {"generatedAt": datetime.now(timezone.utc).isoformat(), "categories": entries}

    s3.put_object(Bucket=BUCKET, Key="sitemap/categories.json", Body=json.dumps(index, indent=2).encode("utf-8"), ContentType="application/json")
    return {"categories": len(entries)}
