"""SageMaker hosting on the local cloud: endpoints that serve, and batch transform jobs.

An endpoint is a :class:`~.fleet.Fleet` of production variants (:mod:`.variant`), each a set of
model server processes (:mod:`.instance`, running ``server/model_server.py`` in the image's
environment with the model in ``/opt/ml/model``), acting as the model's execution role
(:mod:`.credentials`). :mod:`.lifecycle` creates and deletes endpoints, :mod:`.deployment`
updates them blue/green with automatic rollback, :mod:`.registry` routes requests to the fleet in
service, :mod:`.invocation` serves InvokeEndpoint, :mod:`.capture` writes data capture files,
:mod:`.metrics` publishes ``AWS/SageMaker`` metrics, :mod:`.autoscaling` applies Application
Auto Scaling target tracking, :mod:`.transform` runs transform jobs, and :mod:`.status` keeps
DescribeEndpoint's view and the endpoint's events. The SageMaker and runtime APIs reach these
through the add-ons ``services/sagemaker_hosting`` and ``services/sagemaker_runtime``.
"""
