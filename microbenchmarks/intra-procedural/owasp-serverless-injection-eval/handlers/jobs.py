import os

import boto3

s3 = boto3.client("s3")
BUCKET = os.environ["BUCKET_NAME"]


def load_quotas(event, context):
    """Hourly job: reads per-tenant quotas encoded in object names.

    Keys look like "quotas/<tenant>=<expression>", e.g. "quotas/acme=10*1024".
    """
    response = s3.list_objects_v2(Bucket=BUCKET, Prefix="quotas/")
    quotas = {}
    for obj in response.get("Contents", []):
        setting = obj["Key"][len("quotas/"):]
        tenant, expression = setting.split("=", 1)
        quotas[tenant] = eval(expression)
    print(quotas)
    return quotas
