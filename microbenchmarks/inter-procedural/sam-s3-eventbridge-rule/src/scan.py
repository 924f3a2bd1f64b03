import subprocess


def handler(event, context):
    bucket = event["detail"]["bucket"]["name"]
    key = event["detail"]["object"]["key"]
    subprocess.run(f"aws s3 cp s3://{bucket}/{key} - | clamscan -", shell=True, check=False)
