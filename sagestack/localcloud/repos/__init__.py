"""Git repositories served by the local cloud, standing in for GitHub, GitLab or Bitbucket.

``sagestack local repo create NAME --url URL`` makes a bare repository that stands in for the
repository at URL (the ``source.location`` of CodeBuild projects). Its post-receive hook
(:mod:`.hook`) tells the local cloud what a ``git push`` changed; the local cloud turns that into
GitHub's ``push`` event (:mod:`.payloads`) and delivers it, HMAC-signed, to the webhook of every
project whose source is URL (:mod:`.delivery`), exactly as GitHub would deliver it to CodeBuild.
``sagestack local repo pr`` does the same for ``pull_request`` events. Builds check the source
out of these repositories (the build executor's DOWNLOAD_SOURCE).

- :mod:`.registry`: which repositories exist (kept with the local cloud's state);
- :mod:`.git`: the git commands the rest needs;
- :mod:`.routes`: the local cloud's HTTP routes for the CLI and the hook.
"""
