"""``pulumi`` for the local cloud: the Pulumi CLI's commands a deploy build uses, over the applier.

``python -m sagestack.deploy.pulumi_cli`` (or the ``sagestack-pulumi`` script; a build executor
puts it on the build's PATH as ``pulumi``) runs a Pulumi project's program in-process under the
applier, so the same ``buildspec`` works on AWS, where the real CLI runs it:

- ``login [s3://bucket/prefix | file://folder | --local]``: where stacks' state lives
  (:mod:`.backends`); ``PULUMI_BACKEND_URL`` works too;
- ``stack select [--create] NAME``, ``stack init NAME``, ``stack output [NAME] [--json]``;
- ``config set KEY VALUE`` / ``config get KEY``: ``Pulumi.<stack>.yaml`` (:mod:`.workspace`);
- ``preview``, ``up --yes``, ``destroy --yes``: with Pulumi's summary and exit codes
  (:mod:`.operations`); ``up`` and ``preview`` run the platform's policy pack first.

Not covered: secrets (``--secret``), ``--path`` config, the Pulumi Cloud backend, refresh,
import, and interactive prompts (every command is non-interactive). See docs/endpoints.md.
"""
