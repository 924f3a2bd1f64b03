import subprocess


def handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        subprocess.run(f"optipng /mnt/assets/{key}", shell=True, check=False)
