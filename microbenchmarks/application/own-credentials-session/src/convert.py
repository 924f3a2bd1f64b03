import subprocess


def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    subprocess.check_call("ffmpeg -i /tmp/in -vf scale=640:-1 '/tmp/%s.mp4'" % key, shell=True)
