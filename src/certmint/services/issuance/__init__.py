"""Awarding certificates, one module per step: what an achievement's certificates share
(``context``), what one prints (``printed``) and signs (``signed_certificates``), storing
awards (``award``), planning a job (``planning``), running its chunks (``jobs``, ``chunks``)
on an executor (``executors``: ``in_process`` or ``on_broker``), its outcome (``outcome``),
and the one entry every trigger calls (``requests``)."""
