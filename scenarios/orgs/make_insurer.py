"""Generate ``insurer.csv``: an example org chart of a mid-sized general insurer (about 300 rows).

    python scenarios/orgs/make_insurer.py          # rewrites scenarios/orgs/insurer.csv

Deterministic: the only randomness is ``numpy.random.default_rng(SEED)`` (headcounts, which
optional hand-offs exist), so the same script always writes the same file.

The shape, top down:

- a CEO and six division directors (kind ``executive``): Claims, Customer Service,
  Underwriting, Sales & Distribution, Operations, IT;
- heads of department under each director, and in the larger departments a third management
  level (regional or line managers), so teams sit at level 3 or 4;
- front-office teams that customers and brokers reach (claims notification, the contact centre,
  digital service, complaints, retention, broker desks, sales) and back-office teams that fulfil
  (claims handling, loss adjusting, fraud, underwriting, policy administration, payments, IT).

``depends_on`` wires each front team to the back-office teams it hands work to: mostly inside its
own division, plus the usual cross-division hand-offs of an insurer (the contact centre passes
work to Operations' policy administration and to Claims; broker desks to Operations' new
business; claims notification to Operations' payments; digital service to IT).

Staffing follows the model's load, as the generator's does (``docs/ODD.md``, initialisation):
front teams have 7 to 12 people; a back-office team is staffed in proportion to the share of
hand-offs it is planned to receive, ``STAFF_PER_PARTNER`` people per front team's worth of work
(about 70% utilisation at the insurer scenarios' 40 customers per front team), with some jitter.
Back-office teams no front team hands work to (quality, planning, data, infrastructure) keep
a plausible headcount; they carry internal work only.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

SEED = 20240917
OUT = Path(__file__).with_name("insurer.csv")
STAFF_PER_PARTNER = 7.0
FRONT_HEADCOUNT = (7, 12)  # inclusive range of front-office team sizes
IDLE_BACK_HEADCOUNT = (3, 8)  # back-office teams that receive no hand-offs

# division -> list of departments: (dept id, head's title, sections, teams)
# sections: list of (section id, manager title, label) or None (teams report to the head);
# teams: list of (team id, name pattern, office, count); {s} is the section label, {n} a number.
DIVISIONS: dict[str, tuple[str, str, list]] = {
    "Claims": ("clm", "Claims Director", [
        ("motor", "Head of Motor Claims",
         [("north", "Motor Claims Manager North", "North"), ("midlands", "Motor Claims Manager Midlands", "Midlands"),
          ("south", "Motor Claims Manager South", "South"), ("scotland", "Motor Claims Manager Scotland", "Scotland")],
         [("fnol", "Motor FNOL {s} {n}", "front", 3), ("handling", "Motor Claims Handling {s} {n}", "back", 4),
          ("totalloss", "Motor Total Loss {s}", "back", 1)]),
        ("property", "Head of Property Claims",
         [("household", "Household Claims Manager", "Household"),
          ("commercial", "Commercial Property Claims Manager", "Commercial")],
         [("fnol", "{s} Claims Notification {n}", "front", 3), ("handling", "{s} Claims Handling {n}", "back", 4),
          ("adjusting", "{s} Loss Adjusting {n}", "back", 2)]),
        ("liability", "Head of Liability Claims",
         [("injury", "Personal Injury Claims Manager", "Personal Injury"),
          ("el", "Employers' & Public Liability Claims Manager", "EL/PL")],
         [("notify", "{s} Notification", "front", 1), ("handling", "{s} Claims Handling {n}", "back", 3),
          ("litigation", "{s} Litigation", "back", 1)]),
        ("support", "Head of Claims Support", None,
         [("fraud", "Counter-Fraud Unit {n}", "back", 3), ("recoveries", "Recoveries {n}", "back", 2),
          ("supply", "Supply Chain & Repairer Network {n}", "back", 2),
          ("authority", "Claims Authority Desk", "back", 1)]),
    ]),
    "Customer Service": ("cs", "Customer Service Director", [
        ("contact", "Head of Contact Centres",
         [("leeds", "Contact Centre Manager Leeds", "Leeds"), ("glasgow", "Contact Centre Manager Glasgow", "Glasgow"),
          ("cardiff", "Contact Centre Manager Cardiff", "Cardiff"),
          ("norwich", "Contact Centre Manager Norwich", "Norwich"),
          ("newcastle", "Contact Centre Manager Newcastle", "Newcastle")],
         [("team", "Customer Contact {s} {n}", "front", 7)]),
        ("digital", "Head of Digital Service", None,
         [("chat", "Live Chat {n}", "front", 3), ("web", "Email & Web Service {n}", "front", 3),
          ("social", "Social Media Care", "front", 1)]),
        ("relations", "Head of Customer Relations", None,
         [("complaints", "Complaints {n}", "front", 3), ("retention", "Retention & Renewals {n}", "front", 3),
          ("vulnerable", "Vulnerable Customers Support", "front", 1),
          ("investigation", "Complaints Investigation {n}", "back", 2)]),
        ("resolution", "Head of Case Resolution", None,
         [("cases", "Case Resolution {n}", "back", 6), ("correspondence", "Customer Correspondence {n}", "back", 2)]),
        ("quality", "Head of Service Quality", None,
         [("qa", "Quality Assurance {n}", "back", 2), ("wfm", "Workforce Planning", "back", 1),
          ("insight", "Customer Insight", "back", 1)]),
    ]),
    "Underwriting": ("uw", "Underwriting Director", [
        ("personal", "Head of Personal Lines",
         [("motor", "Motor Underwriting Manager", "Motor"), ("home", "Home Underwriting Manager", "Home")],
         [("uw", "{s} Underwriting {n}", "back", 3), ("pricing", "{s} Pricing", "back", 1)]),
        ("commercial", "Head of Commercial Lines",
         [("sme", "SME Underwriting Manager", "SME"), ("mid", "Mid-Market Underwriting Manager", "Mid-Market")],
         [("desk", "{s} Broker Desk {n}", "front", 3), ("uw", "{s} Underwriting {n}", "back", 3)]),
        ("specialty", "Head of Specialty Lines", None,
         [("desk", "Specialty Broker Desk {n}", "front", 2), ("marine", "Marine Underwriting {n}", "back", 2),
          ("cyber", "Cyber Underwriting {n}", "back", 2), ("pi", "Professional Indemnity Underwriting", "back", 1)]),
        ("referrals", "Head of Underwriting Referrals", None,
         [("referrals", "Underwriting Referrals {n}", "back", 3), ("surveys", "Risk Surveys {n}", "back", 2)]),
    ]),
    "Operations": ("ops", "Operations Director", [
        ("policy", "Head of Policy Administration",
         [("nb", "New Business Manager", "New Business"), ("mta", "Mid-Term Adjustments Manager", "Mid-Term"),
          ("renewals", "Renewals Manager", "Renewals")],
         [("team", "Policy Admin {s} {n}", "back", 5)]),
        ("finance", "Head of Finance Operations", None,
         [("payments", "Claims Payments {n}", "back", 4), ("credit", "Credit Control {n}", "back", 2),
          ("collections", "Premium Collections {n}", "back", 2), ("recs", "Reconciliations", "back", 1)]),
        ("documents", "Head of Document Services", None,
         [("mail", "Mailroom & Scanning {n}", "back", 2), ("print", "Document Production {n}", "back", 2)]),
        ("compliance", "Head of Compliance Operations", None,
         [("kyc", "KYC & Sanctions Screening {n}", "back", 2), ("dp", "Data Protection Requests", "back", 1)]),
    ]),
    "Sales & Distribution": ("sd", "Sales & Distribution Director", [
        ("direct", "Head of Direct Sales", None,
         [("sales", "Direct Sales {n}", "front", 6), ("quotes", "Quote & Buy Support {n}", "back", 2)]),
        ("brokers", "Head of Broker Partnerships", None,
         [("accounts", "Broker Account Management {n}", "front", 4), ("onboarding", "Broker Onboarding", "back", 1)]),
        ("affinity", "Head of Affinity Partnerships", None,
         [("partners", "Affinity Partner Desk {n}", "front", 3), ("schemes", "Scheme Administration {n}", "back", 2)]),
    ]),
    "IT": ("it", "Chief Information Officer", [
        ("apps", "Head of Business Applications",
         [("claimsys", "Claims Systems Manager", "Claims Systems"),
          ("policysys", "Policy Systems Manager", "Policy Systems"),
          ("digital", "Digital Channels Manager", "Digital Channels")],
         [("support", "{s} Support {n}", "back", 2), ("dev", "{s} Development {n}", "back", 2)]),
        ("infra", "Head of Infrastructure", None,
         [("desk", "IT Service Desk {n}", "back", 2), ("cloud", "Cloud Platform {n}", "back", 2),
          ("network", "Network & Telephony", "back", 1), ("security", "Security Operations {n}", "back", 2)]),
        ("data", "Head of Data & Analytics", None,
         [("eng", "Data Engineering {n}", "back", 2), ("bi", "Management Information", "back", 1)]),
    ]),
}

# Hand-offs: front team kind (division, dept, team id) -> list of (target pattern, how many, chance).
# A target pattern (division, dept, section or "*" (any) or "=" (same section), team id) selects
# back-office teams; ``how many`` of them are drawn; ``chance`` is the probability the hand-off exists.
HANDOFFS: dict[tuple[str, str, str], list[tuple[tuple[str, str, str, str], int, float]]] = {
    ("Claims", "motor", "fnol"): [(("Claims", "motor", "=", "handling"), 2, 1.0),
                                  (("Claims", "motor", "=", "totalloss"), 1, 0.4),
                                  (("Claims", "support", "*", "fraud"), 1, 0.4),
                                  (("Operations", "finance", "*", "payments"), 1, 0.5),
                                  (("IT", "apps", "claimsys", "support"), 1, 0.15)],
    ("Sales & Distribution", "direct", "sales"): [(("Sales & Distribution", "direct", "*", "quotes"), 1, 1.0),
                                                  (("Operations", "policy", "nb", "team"), 1, 0.8),
                                                  (("Underwriting", "personal", "*", "uw"), 1, 0.4)],
    ("Sales & Distribution", "brokers", "accounts"): [(("Sales & Distribution", "brokers", "*", "onboarding"), 1, 1.0),
                                                      (("Underwriting", "commercial", "*", "uw"), 1, 0.6),
                                                      (("Operations", "compliance", "*", "kyc"), 1, 0.4)],
    ("Sales & Distribution", "affinity", "partners"): [(("Sales & Distribution", "affinity", "*", "schemes"), 1, 1.0),
                                                       (("Operations", "policy", "nb", "team"), 1, 0.5),
                                                       (("Operations", "finance", "*", "collections"), 1, 0.4)],
    ("Claims", "property", "fnol"): [(("Claims", "property", "=", "handling"), 2, 1.0),
                                     (("Claims", "property", "=", "adjusting"), 1, 0.7),
                                     (("Claims", "support", "*", "supply"), 1, 0.4),
                                     (("Operations", "finance", "*", "payments"), 1, 0.4)],
    ("Claims", "liability", "notify"): [(("Claims", "liability", "=", "handling"), 2, 1.0),
                                        (("Claims", "liability", "=", "litigation"), 1, 0.8),
                                        (("Claims", "support", "*", "recoveries"), 1, 0.4)],
    ("Customer Service", "contact", "team"): [(("Customer Service", "resolution", "*", "cases"), 1, 1.0),
                                              (("Operations", "policy", "mta", "team"), 1, 0.8),
                                              (("Claims", "motor", "*", "handling"), 1, 0.3),
                                              (("Operations", "finance", "*", "collections"), 1, 0.3),
                                              (("IT", "apps", "policysys", "support"), 1, 0.1)],
    ("Customer Service", "digital", "chat"): [(("Customer Service", "resolution", "*", "cases"), 1, 1.0),
                                              (("IT", "apps", "digital", "support"), 1, 0.6)],
    ("Customer Service", "digital", "web"): [(("Customer Service", "resolution", "*", "correspondence"), 1, 1.0),
                                             (("Operations", "documents", "*", "print"), 1, 0.5),
                                             (("IT", "apps", "digital", "support"), 1, 0.5)],
    ("Customer Service", "digital", "social"): [(("Customer Service", "resolution", "*", "cases"), 1, 1.0)],
    ("Customer Service", "relations", "complaints"): [
        (("Customer Service", "relations", "*", "investigation"), 1, 1.0),
        (("Claims", "property", "*", "handling"), 1, 0.5), (("Claims", "motor", "*", "handling"), 1, 0.5)],
    ("Customer Service", "relations", "retention"): [(("Operations", "policy", "renewals", "team"), 1, 1.0),
                                                     (("Underwriting", "personal", "*", "pricing"), 1, 0.6)],
    ("Customer Service", "relations", "vulnerable"): [(("Customer Service", "resolution", "*", "cases"), 1, 1.0),
                                                      (("Claims", "support", "*", "authority"), 1, 1.0)],
    ("Underwriting", "commercial", "desk"): [(("Underwriting", "commercial", "=", "uw"), 2, 1.0),
                                             (("Underwriting", "referrals", "*", "referrals"), 1, 0.6),
                                             (("Operations", "policy", "nb", "team"), 1, 0.7),
                                             (("Operations", "compliance", "*", "kyc"), 1, 0.3)],
    ("Underwriting", "specialty", "desk"): [(("Underwriting", "specialty", "*", "marine"), 1, 1.0),
                                            (("Underwriting", "specialty", "*", "cyber"), 1, 1.0),
                                            (("Underwriting", "specialty", "*", "pi"), 1, 0.8),
                                            (("Underwriting", "referrals", "*", "surveys"), 1, 0.5),
                                            (("Operations", "policy", "nb", "team"), 1, 0.5)],
}


def _build(rng: np.random.Generator) -> list[dict]:
    rows: list[dict] = [dict(id="ceo", name="Chief Executive Officer", manager_id="", kind="executive",
                             division="", office="", headcount="")]
    for division, (tag, director, departments) in DIVISIONS.items():
        rows.append(dict(id=tag, name=director, manager_id="ceo", kind="executive", division=division,
                         office="", headcount=""))
        for dept, head, sections, teams in departments:
            dept_id = f"{tag}-{dept}"
            rows.append(dict(id=dept_id, name=head, manager_id=tag, kind="manager", division=division,
                             office="", headcount=""))
            for sec, title, label in sections or [(None, None, "")]:
                boss = dept_id
                if sec is not None:
                    boss = f"{dept_id}-{sec}"
                    rows.append(dict(id=boss, name=title, manager_id=dept_id, kind="manager", division=division,
                                     office="", headcount=""))
                for team, pattern, office, count in teams:
                    for n in range(1, count + 1):
                        name = pattern.format(s=label, n=n).replace("  ", " ").strip()
                        rows.append(dict(id=f"{boss}-{team}" + (f"-{n}" if count > 1 else ""), name=name,
                                         manager_id=boss, kind="team", division=division, office=office,
                                         headcount="", _key=(division, dept, sec or "", team)))
    return rows


def _matches(key: tuple[str, str, str, str], pattern: tuple[str, str, str, str], own_section: str) -> bool:
    div, dept, sec, team = pattern
    section_ok = sec == "*" or (sec == "=" and key[2] == own_section) or sec == key[2]
    return key[0] == div and key[1] == dept and section_ok and key[3] == team


def _wire(rows: list[dict], rng: np.random.Generator) -> None:
    backs = [r for r in rows if r["kind"] == "team" and r["office"] == "back"]
    for r in rows:
        if r["kind"] != "team" or r["office"] != "front":
            continue
        division, dept, sec, team = r["_key"]
        targets: list[str] = []
        for pattern, how_many, chance in HANDOFFS[(division, dept, team)]:
            if rng.random() >= chance:
                continue
            pool = [b["id"] for b in backs if _matches(b["_key"], pattern, sec)]
            if not pool:
                raise SystemExit(f"no back-office team matches {pattern} for {r['id']}")
            picks = rng.choice(len(pool), size=min(how_many, len(pool)), replace=False)
            targets += [pool[int(i)] for i in sorted(picks)]
        r["depends_on"] = ";".join(dict.fromkeys(targets))
    _adopt_orphans(rows, backs)


def _adopt_orphans(rows: list[dict], backs: list[dict]) -> None:
    """A back-office team that a hand-off pattern names but no draw picked (say the fourth claims
    handling team of a region) is given to the front team, among those whose patterns name it,
    with the fewest hand-offs so far (the first in row order on ties): operational teams all
    receive work; support teams no pattern names (IT infrastructure, quality, data) stay as they
    are."""
    fronts = [r for r in rows if r["kind"] == "team" and r["office"] == "front"]
    used = {t for r in fronts for t in r["depends_on"].split(";") if t}
    for b in backs:
        if b["id"] in used:
            continue
        takers = [f for f in fronts if any(_matches(b["_key"], pattern, f["_key"][2])
                                           for pattern, _, _ in HANDOFFS[(f["_key"][0], f["_key"][1], f["_key"][3])])]
        if takers:
            f = min(takers, key=lambda r: len([t for t in r["depends_on"].split(";") if t]))
            f["depends_on"] = ";".join(t for t in (*f["depends_on"].split(";"), b["id"]) if t)


def _staff(rows: list[dict], rng: np.random.Generator) -> None:
    share: dict[str, float] = {}
    for r in rows:
        if r["kind"] == "team" and r["office"] == "front":
            r["headcount"] = int(rng.integers(FRONT_HEADCOUNT[0], FRONT_HEADCOUNT[1] + 1))
            partners = [t for t in r["depends_on"].split(";") if t]
            for t in partners:
                share[t] = share.get(t, 0.0) + 1.0 / len(partners)
    for r in rows:
        if r["kind"] == "team" and r["office"] == "back":
            s = share.get(r["id"], 0.0)
            if s > 0:
                r["headcount"] = max(2, round(STAFF_PER_PARTNER * s * rng.uniform(0.9, 1.15)))
            else:
                r["headcount"] = int(rng.integers(IDLE_BACK_HEADCOUNT[0], IDLE_BACK_HEADCOUNT[1] + 1))


def main(out: Path = OUT) -> None:
    rng = np.random.default_rng(SEED)
    rows = _build(rng)
    for r in rows:
        r.setdefault("depends_on", "")
    _wire(rows, rng)
    _staff(rows, rng)
    columns = ["id", "name", "manager_id", "kind", "division", "office", "headcount", "depends_on"]
    with Path(out).open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(columns)
        for r in rows:
            out.writerow([r[c] for c in columns])
    teams = [r for r in rows if r["kind"] == "team"]
    front = sum(r["office"] == "front" for r in teams)
    people = sum(int(r["headcount"]) for r in teams)
    print(f"wrote {out}: {len(rows)} rows, {len(teams)} teams ({front} front office), {people} people")


if __name__ == "__main__":
    main()
