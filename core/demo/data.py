"""The demo partnership as data: partnerships, organisations, teams, users and the mix
of people each team works with. Changing the demo usually means changing this file."""

from __future__ import annotations

from .. import roles
from ..models import (
    Membership,
    Organisation,
)

DEMO_PASSWORD = "wraparound-demo-2026"
#: The partnership whose presence means "the demo is loaded".
MARKER_PARTNERSHIP = "staffordshire-community-safety-partnership"

PARTNERSHIPS = {
    # key: (name, area, agreement prefix)
    "staffs": ("Staffordshire Community Safety Partnership", "Staffordshire", "SCSP"),
    "norfolk_suffolk": ("Norfolk & Suffolk Partnership", "Norfolk and Suffolk", "NSP"),
    "northants": ("Restorative Northamptonshire", "Northamptonshire", "RN"),
    "sussex": ("Sussex Safer Communities", "Brighton & Hove, Adur & Worthing", "SSC"),
}

K = Organisation.Kind
ORGANISATIONS = {
    # key: (name, kind, county, partnerships, programmes switched on)
    "staffs_police": ("Staffordshire Police", K.POLICE, "Staffordshire", ["staffs"], ["iom", "rj", "asb", "missing_persons"]),
    "hmp_stafford": ("HMP Stafford", K.PRISON, "Staffordshire", ["staffs"], ["iom"]),
    "staffs_probation": ("Staffordshire & Stoke Probation", K.PROBATION, "Staffordshire", ["staffs"], ["iom"]),
    "staffs_council": ("Staffordshire County Council", K.COUNCIL, "Staffordshire", ["staffs"], ["asb", "troubled_families"]),
    "norfolk_police": ("Norfolk Constabulary", K.POLICE, "Norfolk", ["norfolk_suffolk"], ["iom", "asb", "missing_persons"]),
    "waveney_council": ("Waveney District Council", K.COUNCIL, "Suffolk", ["norfolk_suffolk"], ["asb", "troubled_families"]),
    "kettering_council": ("Kettering Borough Council", K.COUNCIL, "Northamptonshire", ["northants"], ["asb", "rj", "troubled_families"]),
    "northants_police": ("Northamptonshire Police", K.POLICE, "Northamptonshire", ["northants"], ["rj", "asb", "iom"]),
    "victim_support": ("Victim Support", K.VICTIM_SERVICES, "Northamptonshire", ["northants", "staffs"], ["rj"]),
    "sussex_police": ("Sussex Police", K.POLICE, "East Sussex", ["sussex"], ["asb", "rj", "missing_persons", "iom"]),
    "brighton_council": ("Brighton & Hove City Council", K.COUNCIL, "East Sussex", ["sussex"], ["asb", "missing_persons", "troubled_families"]),
    "adur_worthing": ("Adur & Worthing Councils", K.COUNCIL, "West Sussex", ["sussex"], ["asb", "missing_persons", "troubled_families", "rj"]),
    "southdown_housing": ("Southdown Homes Housing Association", K.HOUSING, "East Sussex", ["sussex"], ["asb"]),
    "oakwood_care": ("Oakwood House Children's Home", K.OTHER, "East Sussex", ["sussex"], ["missing_persons"]),
    "royal_sussex": ("Royal Sussex County Hospital", K.HEALTH, "East Sussex", ["sussex"], ["missing_persons"]),
}

TEAMS = {
    # key: (organisation, name, kind of people it holds, share of the profiles)
    "staffs_iom": ("staffs_police", "IOM Team", "offender", 10),
    "staffs_npt": ("staffs_police", "Stafford Neighbourhood Policing", "rj", 5),
    "staffs_spoc": ("staffs_police", "Information Sharing Hub", None, 0),
    "hmp_stafford_omu": ("hmp_stafford", "Offender Management Unit", "offender", 5),
    "staffs_probation_iom": ("staffs_probation", "IOM Probation Team", "offender", 4),
    "staffs_csp": ("staffs_council", "Community Safety Team", "asb", 3),
    "norfolk_iom": ("norfolk_police", "IOM Team", "offender", 7),
    "norfolk_ppo": ("norfolk_police", "PPO Team", "offender", 5),
    "waveney_asb": ("waveney_council", "ASB Unit", "asb", 8),
    "waveney_families": ("waveney_council", "Families First", "family", 6),
    "kettering_asb": ("kettering_council", "ASB Unit", "asb", 6),
    "kettering_families": ("kettering_council", "Families First", "family", 4),
    "northants_rj": ("northants_police", "Restorative Northamptonshire Team", "rj", 4),
    "vs_nrp": ("victim_support", "NRP Coordination", "rj", 3),
    "brighton_asb": ("sussex_police", "Brighton & Hove ASB Team", "asb", 8),
    "brighton_casework": ("brighton_council", "Community Safety Casework Team", "asb", 3),
    "sussex_rj": ("sussex_police", "Restorative Justice Team", "rj", 3),
    "sussex_mispers": ("sussex_police", "Missing Persons Unit", "missing", 5),
    "brighton_children": ("brighton_council", "Children's Services Missing Team", "missing", 4),
    "adur_safer": ("adur_worthing", "Safer Communities Team", "asb", 5),
    "adur_families": ("adur_worthing", "Families First", "family", 3),
    "southdown_tenancy": ("southdown_housing", "Tenancy Enforcement", "asb", 2),
    "oakwood_care_team": ("oakwood_care", "Care Team", "missing", 2),
    "royal_sussex_safeguarding": ("royal_sussex", "Safeguarding Team", "missing", 2),
}

PR, TM, OA, PA, SA = (roles.PRACTITIONER, roles.TEAM_MANAGER, roles.ORGANISATION_ADMIN,
                      roles.PARTNERSHIP_ADMIN, roles.SYSTEM_ADMIN)
MGR = Membership.Role.MANAGER
USERS = {
    # username: (first, last, role, [(team, membership role)])
    "practitioner": ("Priya", "Sharma", PR, [("staffs_iom", None)]),
    "manager": ("Mark", "Dawson", TM, [("staffs_iom", MGR)]),
    "spoc": ("Sue", "Pearce", OA, [("staffs_spoc", MGR)]),
    "partnership_admin": ("Paul", "Adeyemi", PA, [("staffs_csp", None)]),
    "sysadmin": ("Sam", "Okafor", SA, []),
    "staffs_iom": ("Dan", "Whitmore", PR, [("staffs_iom", None)]),
    "staffs_officer": ("Rachel", "Hughes", PR, [("staffs_npt", None)]),
    "hmp_stafford": ("Gareth", "Lowe", PR, [("hmp_stafford_omu", None)]),
    "staffs_probation": ("Nadia", "Khan", PR, [("staffs_probation_iom", None)]),
    "staffs_council": ("Helen", "Birch", PR, [("staffs_csp", None)]),
    "norfolk_iom": ("Tom", "Gathercole", PR, [("norfolk_iom", None)]),
    "norfolk_ppo": ("Jess", "Platten", PR, [("norfolk_ppo", None)]),
    "norfolk_ppo2": ("Carl", "Brundall", PR, [("norfolk_ppo", None)]),
    "norfolk_spoc": ("Anne", "Hethersett", OA, [("norfolk_ppo", MGR)]),
    "waveney_asb": ("Kate", "Oulton", PR, [("waveney_asb", None)]),
    "waveney_families": ("Joanne", "Carlton", PR, [("waveney_families", None)]),
    "kettering_asb": ("Raj", "Patel", PR, [("kettering_asb", None)]),
    "kettering_families": ("Lorraine", "Barton", PR, [("kettering_families", None)]),
    "northants_rj": ("Owen", "Desborough", PR, [("northants_rj", None)]),
    "nrp_coordinator": ("Maggie", "Thrapston", TM, [("vs_nrp", MGR)]),
    "nrp_volunteer": ("Bill", "Rothwell", PR, [("vs_nrp", None)]),
    "brighton_police": ("Chris", "Kemp", PR, [("brighton_asb", None)]),
    "brighton_inspector": ("Fiona", "Preston", TM, [("brighton_asb", MGR)]),
    "sussex_rj": ("Leila", "Hassan", PR, [("sussex_rj", None)]),
    "sussex_mispers": ("Ian", "Baines", PR, [("sussex_mispers", None)]),
    "brighton_council": ("Grace", "Whitehawk", PR, [("brighton_children", None)]),
    "brighton_casework": ("Tariq", "Aziz", PR, [("brighton_casework", None)]),
    "adur_worthing": ("Neil", "Lancing", PR, [("adur_safer", None), ("adur_families", None)]),
    "housing_officer": ("Debbie", "Portslade", PR, [("southdown_tenancy", None)]),
    "care_home": ("Ruth", "Oakley", PR, [("oakwood_care_team", None)]),
    "hospital": ("Simon", "Elm", PR, [("royal_sussex_safeguarding", None)]),
}

# Person roles (several at once), age range and warning markers for each kind of team.
PEOPLE = {
    "offender": ([["offender"], ["offender"], ["offender", "victim"], ["offender", "vulnerable"],
                  ["offender", "perpetrator"]], (18, 55), ["violence", "weapons", "drugs", "ppo", "iom_cohort"]),
    "asb": ([["perpetrator"], ["perpetrator", "offender"], ["complainant", "victim"], ["victim"],
             ["witness"], ["complainant"]], (16, 78), ["dogs", "violence", "do_not_visit_alone", "drugs"]),
    "family": ([["family_member"], ["family_member"], ["family_member", "offender"],
                ["family_member", "victim"], ["family_member", "vulnerable"]], (4, 58), ["mental_health", "drugs"]),
    "rj": ([["offender"], ["victim"], ["victim", "witness"], ["offender", "victim"]], (17, 72), ["violence"]),
    "missing": ([["vulnerable"], ["vulnerable", "victim"], ["vulnerable"]], (12, 17),
                ["self_harm", "missing_risk", "mental_health"]),
}
RISKS = ["low"] * 3 + ["medium"] * 4 + ["high"] * 2 + ["very_high", "unknown"]

