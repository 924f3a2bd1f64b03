import subprocess


def convert(event, context):
    url = event["url"]
    fmt = event["format"]
    command = f"curl -sL {url} -o /tmp/input && soffice --headless --convert-to {fmt} --outdir /tmp /tmp/input"
    subprocess.call(command, shell=True)
