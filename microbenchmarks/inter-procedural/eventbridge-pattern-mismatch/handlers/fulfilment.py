import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def on_order_placed(event, context):
    detail = event["detail"]
    note = detail.get("note")
    if note:
        # notes may carry a priority expression such as "2 * 3"
        priority = eval(detail["note"])
        logger.info("order %s priority %s", detail["orderId"], priority)
    return {"orderId": detail["orderId"]}
