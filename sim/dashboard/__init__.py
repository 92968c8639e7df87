"""The workshop dashboard: a Solara page driving a Mesa model, and ``alignsim animate``.

Modules, each one concept:

- :mod:`~sim.dashboard.presets` organisation sizes, live settings and their validation;
- :mod:`~sim.dashboard.demos` the guide's three demonstrations (projector mode);
- :mod:`~sim.dashboard.player` the clock: days per second, pause at a day;
- :mod:`~sim.dashboard.state` the session (one organisation or twins) that the page drives, its
  bookmarks, going back to a day and branching from it;
- :mod:`~sim.dashboard.frame` a snapshot of a session for drawing (what to colour, what to mark);
- :mod:`~sim.dashboard.colours` colour scales; :mod:`~sim.dashboard.svg` SVG drawing primitives;
- :mod:`~sim.dashboard.views` org chart, customers and charts as SVG (the live page);
- :mod:`~sim.dashboard.figures` the same views with matplotlib (PNG export, animations);
- :mod:`~sim.dashboard.app` and :mod:`~sim.dashboard.components` the Solara page (``keys.vue``:
  keyboard shortcuts and the disconnected notice);
- :mod:`~sim.dashboard.server` serving it on 127.0.0.1 with every asset local;
- :mod:`~sim.dashboard.debrief` the debrief of a saved session (turning points, the counterfactual,
  where friction came from, questions) and :mod:`~sim.dashboard.debrief_pack` its HTML page and slides;
- :mod:`~sim.dashboard.animate` and :mod:`~sim.dashboard.cli` the commands (``workshop``, ``animate``,
  ``debrief``).

The model never imports this package; importing it does not import Solara (only ``app``,
``components`` and ``server`` do).
"""
