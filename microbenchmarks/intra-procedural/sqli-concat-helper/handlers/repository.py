import os

import pymysql


def connect():
    return pymysql.connect(
        host=os.environ["DB_HOST"],
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        database=os.environ["DB_NAME"],
        cursorclass=pymysql.cursors.DictCursor,
    )


def find_orders(conn, customer_id, status):
    sql = "SELECT order_id, total, status, created_at FROM orders WHERE customer_id = '" + customer_id + "'"
    if status:
        sql += " AND status = '" + status + "'"
    sql += " ORDER BY created_at DESC"
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()
