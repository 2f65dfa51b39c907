"""Built-in word lists for the demo: names and places by county. Kept in code so the
demo never needs the network, and seeded so two loads with the same seed match."""

FIRST_NAMES_MALE = (
    "Aaron", "Adam", "Alfie", "Ben", "Callum", "Charlie", "Connor", "Craig", "Daniel", "Darren",
    "Dean", "Dylan", "Ethan", "Finley", "Gary", "George", "Harry", "Harvey", "Jack", "Jacob",
    "Jake", "Jamie", "Jason", "Joe", "Jordan", "Kai", "Kieran", "Kyle", "Lee", "Leon", "Lewis",
    "Liam", "Luke", "Mason", "Matthew", "Michael", "Nathan", "Noah", "Oliver", "Oscar", "Paul",
    "Reece", "Ryan", "Sam", "Scott", "Shane", "Stephen", "Thomas", "Tyler", "Wayne",
)
FIRST_NAMES_FEMALE = (
    "Abigail", "Amber", "Amelia", "Amy", "Beth", "Chantelle", "Charlotte", "Chloe", "Courtney",
    "Danielle", "Demi", "Ella", "Ellie", "Emily", "Emma", "Freya", "Gemma", "Grace", "Hannah",
    "Holly", "Isla", "Jade", "Jasmine", "Jessica", "Karen", "Kayleigh", "Kelly", "Laura",
    "Leah", "Lily", "Lisa", "Lucy", "Megan", "Mia", "Molly", "Natalie", "Paige", "Poppy",
    "Rebecca", "Sarah", "Shannon", "Sophie", "Stacey", "Tracey", "Zoe",
)
LAST_NAMES = (
    "Adams", "Allen", "Atkinson", "Bailey", "Baker", "Barker", "Barnes", "Bell", "Bennett",
    "Booth", "Bradley", "Brooks", "Brown", "Butler", "Carter", "Chapman", "Clarke", "Cole",
    "Collins", "Cooper", "Cox", "Davies", "Dixon", "Edwards", "Ellis", "Evans", "Fisher",
    "Fletcher", "Foster", "Gibson", "Graham", "Gray", "Green", "Griffiths", "Hall", "Harris",
    "Harrison", "Hart", "Hill", "Holmes", "Hughes", "Hunt", "Jackson", "James", "Jenkins",
    "Johnson", "Jones", "Kelly", "Kennedy", "King", "Knight", "Lane", "Lawrence", "Lee",
    "Lewis", "Lloyd", "Marshall", "Martin", "Mason", "Matthews", "Miller", "Mills", "Mitchell",
    "Moore", "Morgan", "Morris", "Murphy", "Murray", "Owen", "Palmer", "Parker", "Patel",
    "Payne", "Pearce", "Phillips", "Powell", "Price", "Reid", "Reynolds", "Richards",
    "Richardson", "Roberts", "Robinson", "Rogers", "Russell", "Saunders", "Scott", "Shaw",
    "Simpson", "Smith", "Spencer", "Stevens", "Stone", "Taylor", "Thomas", "Thompson",
    "Turner", "Walker", "Ward", "Watson", "Webb", "Wells", "West", "White", "Wilkinson",
    "Williams", "Wilson", "Wood", "Wright", "Young",
)
STREETS = (
    "Church Street", "Station Road", "Victoria Road", "Mill Lane", "Park Avenue", "High Street",
    "Queens Road", "The Crescent", "Chapel Lane", "Meadow Close", "Orchard Way", "Elm Grove",
    "Windsor Road", "Grange Road", "Manor Drive", "Springfield Road", "Kingsway", "York Road",
    "Albert Street", "Nelson Court", "Beech Avenue", "Oak Tree Close", "Riverside Walk",
)

#: Towns (with a postcode area) of each demo county.
TOWNS = {
    "Staffordshire": (("Stafford", "ST16"), ("Stafford", "ST17"), ("Stoke-on-Trent", "ST1"),
                      ("Stoke-on-Trent", "ST4"), ("Cannock", "WS11"), ("Burton upon Trent", "DE14"),
                      ("Tamworth", "B79"), ("Newcastle-under-Lyme", "ST5"), ("Lichfield", "WS13")),
    "Norfolk": (("Norwich", "NR1"), ("Norwich", "NR3"), ("Great Yarmouth", "NR30"),
                ("King's Lynn", "PE30"), ("Thetford", "IP24"), ("Dereham", "NR19")),
    "Suffolk": (("Lowestoft", "NR32"), ("Lowestoft", "NR33"), ("Beccles", "NR34"),
                ("Bungay", "NR35"), ("Southwold", "IP18"), ("Halesworth", "IP19")),
    "Northamptonshire": (("Kettering", "NN15"), ("Kettering", "NN16"), ("Corby", "NN17"),
                         ("Northampton", "NN1"), ("Wellingborough", "NN8"), ("Rushden", "NN10")),
    "East Sussex": (("Brighton", "BN1"), ("Brighton", "BN2"), ("Hove", "BN3"), ("Hove", "BN41")),
    "West Sussex": (("Worthing", "BN11"), ("Worthing", "BN14"), ("Shoreham-by-Sea", "BN43"),
                    ("Lancing", "BN15"), ("Sompting", "BN15")),
}

AVATAR_COLOURS = (
    "#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#f47738", "#5694ca", "#28a197", "#912b88",
    "#85994b", "#6f72af", "#b58840", "#505a5f",
)
