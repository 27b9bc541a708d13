"""The Python anchor of loadtest/bench.sh: a score.py served the way Azure's inference server serves it, a Flask
app behind gunicorn (Debian's packages), with the same worker count as the Sluice deployment it is compared with.

    SCORE_PY=path/to/score.py AZUREML_MODEL_DIR=... gunicorn -w 1 -b 127.0.0.1:PORT --chdir loadtest/anchor \
        gunicorn_app:app

Each worker imports the script and calls init() once (no --preload, as each Azure worker does), then POST /score
calls run() with the request's text and answers its return value as JSON.
"""
import importlib.util
import json
import logging
import os

from flask import Flask, Response, request

logging.disable(logging.CRITICAL)
_spec = importlib.util.spec_from_file_location("score", os.environ["SCORE_PY"])
_score = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_score)
_score.init()
app = Flask(__name__)


@app.route("/score", methods=["POST"])
def score():
    out = _score.run(request.get_data(as_text=True))
    body = out if isinstance(out, (str, bytes)) else json.dumps(out)
    return Response(body, mimetype="application/json")
