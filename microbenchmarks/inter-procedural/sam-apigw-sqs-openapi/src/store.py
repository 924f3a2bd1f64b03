import json
import sqlite3

DB_PATH = "/tmp/feedback.db"


def handler(event, context):
    conn = sqlite3.connect(DB_PATH)
    cur = conn.cursor()
    cur.execute("CREATE TABLE IF NOT EXISTS feedback (author TEXT, body TEXT)")
    for record in event["Records"]:
        item = json.loads(record["body"])
        cur.execute(f"INSERT INTO feedback VALUES ('{item['author']}', '{item['text']}')")
    conn.commit()
    conn.close()
