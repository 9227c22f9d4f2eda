"""The platform's drift-monitor SageMaker pipeline: its definition (:mod:`.pipeline`) and its one
processing step (:mod:`.step`), which runs the drift engine (:mod:`sagestack_pipelines.drift`)."""
