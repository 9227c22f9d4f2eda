"""What AWS runs as compute, run by the local cloud as local processes with AWS's contracts.

Shared by every executor:

- :mod:`.runtime`: where the running local cloud is (its URL, the folder jobs work in);
- :mod:`.processes`: run a command in its own process group, line by line, with a timeout, and
  stop every one of them when the local cloud stops (:mod:`.reaper` kills a job's process group
  even when the local cloud itself is killed);
- :mod:`.logs`: write a job's output to CloudWatch Logs while it runs;
- :mod:`.events`: put the service's events on the default event bus;
- :mod:`.images`: the environment each SageMaker framework image runs in (cached, one per image);
- :mod:`.sandbox`: SageMaker's ``/opt/ml`` paths as the job's own folder (a mount namespace);
- :mod:`.roles`: a role's credentials for a job's process, and the local cloud's clients signed
  with them.

Each executor has a room of its own beside these: ``builds/`` (CodeBuild), ``jobs/`` and
``pipelines/`` (SageMaker processing, training and transform jobs, pipeline executions),
``endpoints/`` (SageMaker model servers). Executors act with credentials the local cloud's STS
issues for their role (:mod:`sagestack.localcloud.identity`), never with the admin credentials.
"""
