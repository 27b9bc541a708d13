"""The sample's scikit-learn model (model-1) with batching: Sluice gathers waiting requests and calls run_batch()
once for all of them when the deployment sets request_settings.max_batch_size > 1. run() stays for Azure and for
max_batch_size: 1."""
import json
import logging
import os

import joblib
import numpy

model = None


def init():
    """Loads the model. AZUREML_MODEL_DIR is the folder that contains the registered model folder ("model")."""
    global model
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/sklearn_regression_model.pkl")
    model = joblib.load(model_path)
    logging.info("Init complete")


def run(raw_data):
    """One request: {"data": [[10 features], ...]}; returns one prediction per row."""
    logging.info("model 1: request received")
    data = numpy.array(json.loads(raw_data)["data"])
    result = model.predict(data)
    logging.info("Request processed")
    return result.tolist()


def run_batch(raw_data_list):
    """Several requests at once: their rows go through one predict(), and each request gets its own rows back.
    Returns a list with one result per request, in order."""
    logging.info("model 1: batch of %d requests received", len(raw_data_list))
    rows = [json.loads(raw)["data"] for raw in raw_data_list]
    predictions = model.predict(numpy.array([r for request in rows for r in request])).tolist()
    results, at = [], 0
    for request in rows:
        results.append(predictions[at:at + len(request)])
        at += len(request)
    logging.info("Batch processed")
    return results
