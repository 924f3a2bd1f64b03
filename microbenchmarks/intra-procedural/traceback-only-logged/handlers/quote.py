import json
import logging
import os
import traceback
from decimal import Decimal, ROUND_HALF_UP

logger = logging.getLogger()
logger.setLevel(logging.INFO)

RATES = {
    "EUR": Decimal("1"),
    "USD": Decimal("1.0842"),
    "GBP": Decimal("0.8571"),
    "CHF": Decimal("0.9613"),
}


def convert(amount, source, target):
    base = Decimal(amount) / RATES[source]
    return (base * RATES[target]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def handler(event, context):
    try:
        request = json.loads(event["body"])
        source = request.get("from", os.environ["BASE_CURRENCY"]).upper()
        target = request["to"].upper()
        converted = convert(request["amount"], source, target)
        logger.info("quote %s %s -> %s", request["amount"], source, target)
        return {
            "statusCode": 200,
            "body": json.dumps({"amount": str(converted), "currency": target}),
        }
    except Exception:
        logger.error(traceback.format_exc())
        return {"statusCode": 500, "body": json.dumps({"message": "Internal server error"})}
