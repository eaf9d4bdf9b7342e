"""The courses app's models, one module per topic:

- ``content``: courses, chapters, lessons (Wagtail pages), progress, watch
  sessions and the append-only 学时 ledger;
- ``assignments``: 学习任务 given to units, posts or members;
- ``training``: offline training sessions, attendance and conversion rules;
- ``points``: the 积分 rules (versioned data) and the points ledger.
"""

from .assignments import *  # noqa: F403
from .content import *  # noqa: F403
from .points import *  # noqa: F403
from .training import *  # noqa: F403
