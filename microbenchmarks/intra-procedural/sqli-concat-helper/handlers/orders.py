import json

from handlers.repository import connect, find_orders


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    customer_id = body["customerId"]
    status = body.get("status")

    conn = connect()
    try:
        orders = find_orders(conn, customer_id, status)
    finally:
        conn.close()

    return {"statusCode": 200, "body": json.dumps({"orders": orders}, default=str)}
