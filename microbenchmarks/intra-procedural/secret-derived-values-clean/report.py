import hashlib
import hmac
import json
import logging

import boto3
import psycopg2

logger = logging.getLogger()
client = boto3.client("secretsmanager")


def database_credentials():
    secret = client.get_secret_value(SecretId="reports/warehouse")
    logger.info("using secret %s (%s), created %s", secret["Name"], secret["VersionId"], secret["CreatedDate"])
    return json.loads(secret["SecretString"])


def handler(event, context):
    creds = database_credentials()
    logger.info("password length %d, has user: %s", len(creds["password"]), bool(creds.get("username")))
    logger.info("password digest %s", hashlib.sha256(creds["password"].encode()).hexdigest())
    token = event.get("headers", {}).get("x-report-token", "")
    allowed = hmac.compare_digest(token, creds["report_token"])
    logger.info("report token accepted: %s", allowed)
    if not allowed:
        return {"statusCode": 403, "body": json.dumps({"error": "forbidden", "token_ok": allowed})}
    connection = psycopg2.connect(host=creds["host"], user=creds["username"], password=creds["password"], dbname="warehouse")
    cursor = connection.cursor()
    cursor.execute("SELECT region, SUM(total) FROM orders GROUP BY region")
    rows = cursor.fetchall()
    logger.info("report rows: %s", rows)
    print(json.dumps(event))
    return {"statusCode": 200, "body": json.dumps({"rows": rows})}
