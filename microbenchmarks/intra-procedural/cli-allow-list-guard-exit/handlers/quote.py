import json
import os

PRICE_FILE = os.path.join(os.path.dirname(__file__), "..", "data", "AWSLambda", "on-demand.json")

with open(PRICE_FILE, encoding="utf-8") as fh:
    PRICES = json.load(fh)


def _usd_per_gb_second():
    for sku, product in PRICES["products"].items():
        attrs = product.get("attributes", {})
        if attrs.get("group") == "AWS-Lambda-Duration" and attrs.get("regionCode") == os.environ["AWS_REGION"]:
            for term in PRICES["terms"].get(sku, {}).values():
                for dimension in term["priceDimensions"].values():
                    return float(dimension["pricePerUnit"]["USD"])
    return None


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    memory_gb = int(params.get("memoryMb", "128")) / 1024
    seconds = float(params.get("seconds", "1"))
    rate = _usd_per_gb_second()
    if rate is None:
        return {"statusCode": 503, "body": json.dumps({"error": "no price for this region"})}
    return {"statusCode": 200, "body": json.dumps({"usd": round(rate * memory_gb * seconds, 10), "asOf": PRICES["publicationDate"]})}
