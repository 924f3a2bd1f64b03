import json
import os

import pymysql


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    name = params.get("name", "")

    conn = pymysql.connect(
        host=os.environ["DB_HOST"],
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        database=os.environ["DB_NAME"],
        cursorclass=pymysql.cursors.DictCursor,
        connect_timeout=5,
    )
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT id, name, email FROM users WHERE name = '{name}'")
            rows = cursor.fetchall()
    finally:
        conn.close()

    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"users": rows}, default=str),
    }
