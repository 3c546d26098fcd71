"""The Slack adapter: ``/question``, Block Kit daily posts, modals and the App Home tab on slack-bolt.

Pure translation lives in small modules (``inbound``: payload -> Context + Command; ``blocks``,
``views``, ``home``: cards -> Block Kit; ``actions``: button ids), I/O in ``handlers`` (Bolt
listeners), ``modals`` (form submissions), ``outbound`` (showing a reply), ``messenger``
(the core's outbound port), ``directory`` (users.info) and ``main``.
"""
