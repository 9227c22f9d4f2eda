"""The model server a local endpoint runs, in the image's own environment.

These files run by path (``python model_server.py``) inside the environment of the model's
SageMaker image, which has the framework and numpy but not sagestack: they import the standard
library, numpy and the framework, and each other as top-level modules, never ``sagestack``.
"""
