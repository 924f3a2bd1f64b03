import json
import os
import sqlite3

from handlers.queries import build_search_query

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "glossary.sql")

_db = None


def _database():
    global _db
    if _db is None:
        _db = sqlite3.connect(os.environ["GLOSSARY_DB"])
        _db.row_factory = sqlite3.Row
        with open(SCHEMA_FILE, encoding="utf-8") as fh:
            _db.executescript(fh.read())
    return _db


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    term = params.get("q", "")

    query = build_search_query(term)
    cursor = _database().cursor()
    cursor.execute(query)
    rows = cursor.fetchall()

    return {
        "statusCode": 200,
        "body": json.dumps({"results": [dict(row) for row in rows]}),
    }
