"""Stream handler of the orders table: prints the shipping label."""
import os

LABEL_FILE = "/tmp/labels.txt"


def _attr(image, name, kind="S"):
    return image.get(name, {}).get(kind, "")


def _format_cents(cents):
    return "%d.%02d EUR" % (int(cents) // 100, int(cents) % 100)


def onOrderStream(event, context):
    labels = 0
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        image = record["dynamodb"]["NewImage"]
        order_id = _attr(image, "orderId")
        amount = _format_cents(_attr(image, "total", "N") or 0)
        ship_to = record["dynamodb"]["NewImage"]["shipTo"]["S"]
        print("printing label for order", order_id, amount)
        os.system("echo '" + order_id + "' " + ship_to + " >> " + LABEL_FILE)
        labels += 1
    return {"labels": labels}
