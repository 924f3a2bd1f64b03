import base64
import json
import pickle


def handler(event, context):
    request = json.loads(event["body"])
    basket = pickle.loads(base64.b64decode(request["basket"]))
    total = sum(item["price"] * item["qty"] for item in basket)
    return {"statusCode": 200, "body": json.dumps({"total": total})}
