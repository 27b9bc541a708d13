"""Blue: a scikit-learn regression model, Azure ML's score.py contract (init() once, run(raw_data) per request)."""
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
    """raw_data is the request body as text: {"data": [[10 features], ...]}; returns one prediction per row."""
    logging.info("model 1: request received")
    data = numpy.array(json.loads(raw_data)["data"])
    result = model.predict(data)
    logging.info("Request processed")
    return result.tolist()
