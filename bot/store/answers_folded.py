"""An answer in one statement: the round checked and locked, the answer stored, in one go.

The common answer (the round open, the answer graded for its question, a user new to the bot or
known under the same name) is the first statement of ``bot.store.answers.submit``. On PostgreSQL it is one
statement that runs as a transaction of its own (``Query.alone``): a data-modifying CTE that locks
the round row (``FOR UPDATE``, so a concurrent reveal waits and scores it), finds or creates the
user and upserts the answer, one round trip instead of BEGIN, SELECT, INSERT, COMMIT. When it stores
nothing, ``submit`` starts over in a transaction, as before. On SQLite, where the whole unit is one
hop and one ``BEGIN IMMEDIATE`` already, it is the round look-up itself, and what it read holds.

Every folded row has the facts look-up's columns, then ``stored`` (the answer was stored) and
``held`` (the row was read inside the unit's transaction, so the unit may go on from it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, column, false, text, true
from sqlalchemy.sql.expression import ColumnClause, Select

from bot.store.tables import answers, channels, rounds, users

# the round (by id, or the channel's latest), locked, with its channel's time zone
_ROUND = """
r AS (
  SELECT rounds.id, rounds.channel_pk, rounds.question_id, rounds.mode, rounds.seed,
         rounds.state, rounds.reveal_at, channels.timezone
  FROM rounds JOIN channels ON channels.id = rounds.channel_pk
  WHERE rounds.id = :round_id
    AND channels.platform = :platform AND channels.workspace_id = :workspace_id
    AND (CAST(:channel_id AS VARCHAR) IS NULL OR (
      channels.channel_id = CAST(:channel_id AS VARCHAR)
      AND NOT EXISTS (SELECT 1 FROM rounds AS later
                      WHERE later.channel_pk = rounds.channel_pk AND later.id > rounds.id)))
  FOR UPDATE OF rounds
)"""
# the user, only under the same name (a rename goes the long way, which refreshes it); a first
# contact is created here, only when the answer will be stored. A concurrent first contact makes
# the insert do nothing and ``u`` empty (one snapshot): the answer then goes the long way.
_USER = """
known AS (
  SELECT users.id, users.display_name FROM users
  WHERE users.platform = :platform AND users.workspace_id = :workspace_id
    AND users.user_id = :user_id
),
added AS (
  INSERT INTO users (platform, workspace_id, user_id, display_name, created_at)
  SELECT :platform, :workspace_id, :user_id, CAST(:new_name AS VARCHAR),
         CAST(:created_at AS TIMESTAMP WITH TIME ZONE)
  FROM r
  WHERE r.state = 'open' AND r.question_id = :question_id AND NOT EXISTS (SELECT 1 FROM known)
  ON CONFLICT (platform, workspace_id, user_id) DO NOTHING
  RETURNING users.id
),
u AS (
  SELECT known.id FROM known
  WHERE CAST(:given AS VARCHAR) = '' OR known.display_name = CAST(:given AS VARCHAR)
  UNION ALL SELECT added.id FROM added
)"""
_STORE = """
stored AS (
  INSERT INTO answers (round_id, user_pk, text, choice, score, verdict, points, answered_at,
                       key_points)
  SELECT r.id, u.id, CAST(:text AS TEXT), CAST(:choice AS INTEGER),
         CAST(:score AS DOUBLE PRECISION), CAST(:verdict AS VARCHAR), 0,
         CAST(:answered_at AS TIMESTAMP WITH TIME ZONE), CAST(:key_points AS TEXT)
  FROM r, u
  WHERE r.state = 'open' AND r.question_id = :question_id
  ON CONFLICT (round_id, user_pk) DO {conflict}
  RETURNING answers.id
)"""
_REPLACE = (
    "UPDATE SET text = excluded.text, choice = excluded.choice, score = excluded.score, "
    "verdict = excluded.verdict, points = excluded.points, answered_at = excluded.answered_at, "
    "key_points = excluded.key_points"
)
_RESULT = """
SELECT r.id, r.channel_pk, r.question_id, r.mode, r.seed, r.state, r.reveal_at, r.timezone,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       (SELECT count(*) FROM stored) > 0, false
FROM r"""

_BINDS = (
    bindparam("round_id", type_=Integer),
    bindparam("answered_at", type_=answers.c.answered_at.type),
    bindparam("created_at", type_=users.c.created_at.type),
)
_COLUMNS: tuple[ColumnClause[Any], ...] = (
    column("id", Integer),
    column("channel_pk", Integer),
    column("question_id", rounds.c.question_id.type),
    column("mode", rounds.c.mode.type),
    column("seed", Integer),
    column("state", rounds.c.state.type),
    column("reveal_at", rounds.c.reveal_at.type),
    column("timezone", channels.c.timezone.type),
    column("user_pk", Integer),
    column("display_name", users.c.display_name.type),
    column("answer_id", Integer),
    column("choice", Integer),
    column("verdict", answers.c.verdict.type),
    column("points", Integer),
    column("feedback", answers.c.feedback.type),
    column("stored"),
    column("held"),
)


def folded(dialect: str, looked_up: Select[Any], *, replace: bool) -> Any:
    """The folded answer for ``dialect``: on PostgreSQL the one-statement answer (``replace``: a
    written answer replaces the user's earlier one; else a quiz pick stores only if none is locked
    in); on SQLite ``looked_up``, the unit's own round look-up (by id, or the channel's latest)."""
    if dialect != "postgresql":
        return looked_up.add_columns(false().label("stored"), true().label("held"))
    conflict = _REPLACE if replace else "NOTHING"
    sql = "WITH" + ",".join((_ROUND, _USER, _STORE.format(conflict=conflict))) + _RESULT
    return text(sql).bindparams(*_BINDS).columns(*_COLUMNS)
