"""Green: loads its model like blue, but answers a fixed [0.5, 0.5] whatever the input (Azure's model-2 sample)."""
import logging
import os

import joblib

model = None


def init():
    global model
    model_path = os.path.join(os.getenv("AZUREML_MODEL_DIR"), "model/sklearn_regression_model.pkl")
    model = joblib.load(model_path)
    logging.info("Init complete")


def run(raw_data):
    logging.info("model 2: request received")
    result = [0.5, 0.5]
    logging.info("Request processed")
    return result
