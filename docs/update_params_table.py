"""Regenerate the parameter table of docs/ODD.md from the code (`alignsim params --markdown`).

    python docs/update_params_table.py

tests/test_docs.py fails whenever the table and the code disagree.
"""

import contextlib
import io
import re
from pathlib import Path

from sim.cli import main

ODD = Path(__file__).with_name("ODD.md")

buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    main(["params", "--markdown"])
text = ODD.read_text(encoding="utf-8")
new = re.sub(r"(<!-- params:begin -->\n).*?(<!-- params:end -->)", lambda m: m.group(1) + buf.getvalue() + m.group(2),
             text, flags=re.S)
ODD.write_text(new, encoding="utf-8")
print("updated" if new != text else "already up to date", ODD)
