"""The public commands' outputs are identical to the recorded digests (tests/golden.py).

This is what makes a refactoring provably output-preserving: every bundled scenario's run tables,
a small comparison's analysis tables and the smoke sweep's store are hashed and compared with
``tests/golden/outputs.json``. A change meant to alter the model's outputs rewrites that file
(``python tests/golden.py --write``) and says so in its commit.
"""

import json

import golden


def test_outputs_identical_to_the_recorded_digests():
    expected = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
    found = golden.digests()
    assert golden.differences(found, expected) == []
