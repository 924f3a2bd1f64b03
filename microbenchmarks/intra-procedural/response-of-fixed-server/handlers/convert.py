import csv
import json
import os

import requests

API_KEY = os.environ["RATES_API_KEY"]


def handler(event, context):
    """POST /convert {"base": "EUR", "targets": ["USD", "GBP"], "amounts": [10, 250]} -> CSV."""
    body = json.loads(event.get("body") or "{}")

    resp = requests.post("https://api.exchangerates.example.com/v1/convert", json=body, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10)
    resp.raise_for_status()
    result = resp.json()

    with open(f"/tmp/{resp.json()['file_id']}.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["amount", "base", "target", "rate", "converted"])
        for row in result["conversions"]:
            writer.writerow([row["amount"], result["base"], row["target"], row["rate"], row["value"]])

    with open(fh.name, encoding="utf-8") as csv_file:
        content = csv_file.read()
    return {"statusCode": 200, "headers": {"Content-Type": "text/csv"}, "body": content}
