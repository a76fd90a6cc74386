"""Re-lock the bundled sample's catalogue and policy files (``make catalogue-lock``).

The sample has no database of its own: a workspace made by ``docgen init`` records the sample's
versions in its database when it is created. A company's workspace re-locks with
``docgen catalogue lock`` / ``docgen policy lock``, which record who and when.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docgen.catalogue import lock_catalogue
from docgen.policy_lock import lock_policy
from docgen.workspace import Workspace

root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
ws = Workspace(root)
lock_catalogue(ws.catalogue, ws.lock_path)
lock_policy(ws.policy, ws.policy_path.with_suffix(".lock"))
print(f"locked catalogue {ws.catalogue.catalogue.version} and policy {ws.policy.version} in {root}")
