import json

BASE_PRICES = {"basic": 10.0, "pro": 25.0}


def lambda_handler(event, context):
    results = {}
    for record in event["Records"]:
        rule = json.loads(record["Sns"]["Message"])
        price = BASE_PRICES.get(rule["sku"], 0.0)
        results[rule["sku"]] = eval(rule["formula"], {"price": price})
    return results
