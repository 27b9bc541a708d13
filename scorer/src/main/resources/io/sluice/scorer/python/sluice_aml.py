"""Azure's raw-HTTP contract for score.py, for interpreters without Azure's inference-server package.

A script written for Azure imports
    from azureml.contrib.services.aml_request import AMLRequest, rawhttp
    from azureml.contrib.services.aml_response import AMLResponse
(or the same names from azureml_inference_server_http.api.aml_request / .aml_response). sluice_runner.py registers
this module under those names when they cannot be imported otherwise. Built on werkzeug (Debian's
python3-werkzeug), as Azure's are on flask, which is werkzeug underneath: the same attributes (method, headers,
args, form, files, get_data(), get_json(), full_path) and the same response (status, headers, mimetype, bytes).
"""
import json

from werkzeug.wrappers import Request, Response

# Azure's module keeps this flag; servers and scripts that read it find it here too.
_rawHttpRequested = False


class AMLRequest(Request):
    """The whole HTTP request a @rawhttp run() receives."""


def rawhttp(func):
    """Marks run() as taking the raw request (an AMLRequest) instead of the body as text."""
    global _rawHttpRequested
    _rawHttpRequested = True
    func.__sluice_rawhttp__ = True
    return func


class AMLResponse(Response):
    """The answer a run() makes itself: AMLResponse(message, status_code, response_headers=None, json_str=False)."""

    def __init__(self, message, status_code, response_headers=None, json_str=False, headers=None):
        given = response_headers if response_headers is not None else headers
        if json_str:
            super().__init__(json.dumps(message), status=status_code, headers=given, mimetype="application/json")
        else:
            super().__init__(message, status=status_code, headers=given)
