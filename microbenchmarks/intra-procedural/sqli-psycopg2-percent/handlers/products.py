import json
import os

import psycopg2
import psycopg2.extras

_connection = None


def _get_connection():
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(
            host=os.environ["PGHOST"],
            user=os.environ["PGUSER"],
            password=os.environ["PGPASSWORD"],
            dbname=os.environ["PGDATABASE"],
            connect_timeout=5,
        )
    return _connection


def list_products(event, context):
    category = event["pathParameters"]["category"]
    query = "SELECT sku, title, price FROM products WHERE category = '%s' ORDER BY title" % category

    conn = _get_connection()
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(query)
        products = cur.fetchall()

    return {
        "statusCode": 200,
        "body": json.dumps({"category": category, "products": products}, default=str),
    }
