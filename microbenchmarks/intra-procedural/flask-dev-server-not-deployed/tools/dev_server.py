"""Local playground for rendering thumbnails by hand; never deployed."""
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/render", methods=["POST"])
def render():
    size = request.form.get("size", "128x128")
    source = request.form["source"]
    subprocess.run(f"convert {source} -resize {size} /tmp/out.png", shell=True, check=True)
    return "ok"


def main():
    app.run(port=5000, debug=True)
