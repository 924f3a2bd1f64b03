import os
import sqlite3

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

logger = Logger()
app = APIGatewayRestResolver()


def connect():
    return sqlite3.connect(os.environ["DB_PATH"])


@app.post("/orders/search")
def search_orders():
    body = app.current_event.json_body or {}
    customer = body.get("customer", "")
    conn = connect()
    rows = conn.execute(
        "SELECT id, total, status FROM orders WHERE customer = '%s' ORDER BY id" % customer
    ).fetchall()
    return {"orders": [{"id": r[0], "total": r[1], "status": r[2]} for r in rows]}


@app.get("/orders/<order_id>")
def get_order(order_id: str):
    conn = connect()
    row = conn.execute("SELECT id, total, status FROM orders WHERE id = ?", (order_id,)).fetchone()
    if row is None:
        return {"error": "not found"}, 404
    return {"id": row[0], "total": row[1], "status": row[2]}


@logger.inject_lambda_context
def lambda_handler(event, context):
    return app.resolve(event, context)
