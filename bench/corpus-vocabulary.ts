/**
 * Word lists for the benchmark corpus. Fixed lists (never generated from the clock or the locale),
 * so that a seed always gives the same bytes. Tag names are distinct after slugifying, because
 * wirefeed refuses two tags that share a feed slug.
 */

/** Places: a third of the ~200 tags. Some carry accents, so the corpus is not plain ASCII. */
export const PLACES: readonly string[] = [
  "Mexico", "United States", "Canada", "Brazil", "Argentina", "Chile", "Colombia", "Peru", "Venezuela", "Cuba",
  "Guatemala", "Honduras", "El Salvador", "Nicaragua", "Panama", "Haiti", "United Kingdom", "France", "Germany", "Spain",
  "Italy", "Portugal", "Poland", "Ukraine", "Russia", "Turkey", "Greece", "Sweden", "Norway", "Finland",
  "China", "Japan", "South Korea", "North Korea", "India", "Pakistan", "Bangladesh", "Indonesia", "Philippines", "Vietnam",
  "Australia", "New Zealand", "Nigeria", "Kenya", "Ethiopia", "South Africa", "Egypt", "Morocco", "Israel", "Iran",
  "Iraq", "Syria", "Saudi Arabia", "Qatar", "Taiwan", "Ciudad de México", "São Paulo", "Bogotá", "Zürich", "Kraków",
  "Monterrey", "Guadalajara", "Oaxaca", "Yucatán", "Chiapas", "Tijuana", "Los Angeles",
];

/** Topics: another third. */
const TOPICS = [
  "Elections", "Security", "Migration", "Trade", "Tariffs", "Inflation", "Interest Rates", "Employment", "Housing", "Energy",
  "Oil", "Natural Gas", "Renewables", "Solar Power", "Wind Power", "Nuclear Power", "Climate Change", "Drought", "Floods", "Hurricanes",
  "Earthquakes", "Wildfires", "Public Health", "Vaccines", "Hospitals", "Education", "Universities", "Science", "Space", "Artificial Intelligence",
  "Cybersecurity", "Privacy", "Social Media", "Telecommunications", "Semiconductors", "Electric Vehicles", "Automotive", "Aviation", "Railways", "Shipping",
  "Agriculture", "Food Prices", "Water", "Mining", "Lithium", "Banking", "Stock Markets", "Currencies", "Cryptocurrencies", "Taxes",
  "Budget", "Pensions", "Corruption", "Courts", "Supreme Court", "Human Rights", "Press Freedom", "Protests", "Labour Unions", "Strikes",
  "Cartels", "Organised Crime", "Police", "Prisons", "Defence", "Diplomacy", "Sanctions", "Refugees", "Tourism", "Football",
  "Baseball", "Olympics", "Tennis", "Formula 1", "Film", "Music", "Literature", "Art", "Archaeology", "Religion",
];

/** Institutions, people and events: the rest. */
const NAMED = [
  "United Nations", "European Union", "NATO", "World Bank", "IMF", "WHO", "OPEC", "G20", "G7", "Mercosur",
  "USMCA", "African Union", "ASEAN", "Federal Reserve", "Banxico", "European Central Bank", "Congress", "Senate", "Parliament", "White House",
  "Pemex", "CFE", "Petrobras", "Tesla", "Apple", "Google", "Microsoft", "Amazon", "Meta", "OpenAI",
  "Nvidia", "TSMC", "Samsung", "Toyota", "Volkswagen", "Boeing", "Airbus", "SpaceX", "NASA", "ESA",
  "World Cup", "Copa América", "Champions League", "Super Bowl", "Oscars", "Cannes", "Nobel Prize", "COP30", "Davos", "Tren Maya",
];

/** ~200 tags, in a fixed order: tag i is drawn with weight 1/(i+1), so a few tags are large. */
export const TAGS: readonly string[] = [...TOPICS.slice(0, 20), ...PLACES, ...TOPICS.slice(20), ...NAMED];

export const SECTIONS: readonly string[] = [
  "Politics", "World", "Business", "Technology", "Science", "Health", "Sports", "Culture", "Opinion", "Climate",
];

const FIRST_NAMES = [
  "Ana", "Luis", "María", "José", "Sofía", "Carlos", "Lucía", "Jorge", "Elena", "Miguel",
  "Laura", "Andrés", "Valeria", "Diego", "Camila", "Pablo", "Isabel", "Javier", "Paula", "Tomás",
  "Emily", "James", "Olivia", "Noah", "Grace", "Daniel", "Hannah", "Samuel", "Chloe", "Benjamin",
  "Aisha", "Kenji", "Mei", "Arjun", "Fatima", "Olusegun", "Ingrid", "Lars", "Zofia", "Dmitri",
  "Amélie", "François", "Giulia", "Matteo", "Leila", "Omar", "Yuki", "Hyun-woo", "Priya", "Chidi",
];

const LAST_NAMES = [
  "Pérez", "García", "Hernández", "López", "Martínez", "González", "Rodríguez", "Sánchez", "Ramírez", "Torres",
  "Flores", "Rivera", "Gómez", "Díaz", "Cruz", "Morales", "Reyes", "Ortiz", "Gutiérrez", "Chávez",
  "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clarke", "Walker", "Wright", "Hughes", "Bennett",
  "Okafor", "Tanaka", "Chen", "Sharma", "Haddad", "Adeyemi", "Lindqvist", "Nowak", "Ivanova", "Moreau",
  "Rossi", "Bianchi", "Nasser", "Yamamoto", "Park", "Kowalski", "Müller", "Schneider", "O'Brien", "Dubois",
];

/** 50 distinct bylines: a fixed pairing of the two lists. */
export const AUTHORS: readonly string[] = FIRST_NAMES.map((first, i) => `${first} ${LAST_NAMES[(i * 7) % LAST_NAMES.length]}`);

/** Sources quoted and linked in bodies. */
export const OUTLETS: readonly string[] = [
  "Reuters", "the Associated Press", "El Universal", "Reforma", "the Financial Times", "Le Monde", "the BBC", "Bloomberg",
  "El País", "Folha de S.Paulo", "the Guardian", "Al Jazeera", "NHK", "Der Spiegel", "La Jornada", "the Economist",
];

export const OUTLET_HOSTS: readonly string[] = [
  "www.reuters.example", "apnews.example", "www.eluniversal.example", "www.reforma.example", "www.ft.example",
  "www.lemonde.example", "www.bbc.example", "www.bloomberg.example", "elpais.example", "www.folha.example",
];

export const OFFICIALS: readonly string[] = [
  "the finance minister", "the president", "a government spokesperson", "the central bank governor", "the mayor",
  "an opposition senator", "the health secretary", "a senior diplomat", "the foreign minister", "union leaders",
  "the attorney general", "an industry group", "local residents", "economists", "analysts", "the defence ministry",
];

export const SUBJECTS: readonly string[] = [
  "The government", "Officials", "The ministry", "Lawmakers", "The company", "Investors", "Residents", "Negotiators",
  "The court", "Regulators", "Protesters", "The central bank", "Analysts", "Farmers", "Workers", "The agency",
  "Authorities", "Emergency crews", "The committee", "Researchers", "Voters", "The opposition", "Exporters", "Airlines",
];

export const VERBS: readonly string[] = [
  "announced", "rejected", "approved", "proposed", "delayed", "criticised", "defended", "expanded", "suspended",
  "confirmed", "questioned", "welcomed", "postponed", "reviewed", "blocked", "signed", "unveiled", "cut", "raised",
  "revised", "extended", "investigated", "challenged", "backed",
];

export const OBJECTS: readonly string[] = [
  "a new security plan", "the budget proposal", "tariffs on steel imports", "an emergency aid package",
  "the reform of the pension system", "a bilateral trade agreement", "plans for a new refinery", "the election timetable",
  "water rationing measures", "a ban on single-use plastics", "the minimum wage increase", "the border inspection regime",
  "fuel subsidies", "the lithium nationalisation law", "a vaccination campaign", "the rail concession",
  "new rules for ride-hailing apps", "the judicial overhaul", "a peso-denominated bond sale", "the energy transition plan",
  "a cease-fire proposal", "the fishing quota", "the airport expansion", "an inquiry into the contract",
];

export const CLAUSES: readonly string[] = [
  "after weeks of negotiations", "despite strong opposition", "amid rising prices", "ahead of the vote",
  "following the storm", "under pressure from business groups", "according to people familiar with the matter",
  "in a statement on Tuesday", "late on Friday", "for the second time this year", "as talks stalled",
  "while markets waited", "in a rare joint statement", "after the court's ruling", "on the eve of the summit",
  "as the deadline approached", "with little public debate", "in a move that surprised analysts",
];

export const DETAILS: readonly string[] = [
  "The measure would affect about 2.3 million households & hundreds of small firms.",
  "Prices rose 4.7% in the twelve months to March, the fastest pace since 2022.",
  "The plan is expected to cost roughly $1.2 billion over three years.",
  "Critics say the rules were drafted without consulting the communities most affected.",
  "Officials said the first phase would begin within 90 days.",
  "The figures could not be independently verified.",
  "Similar proposals failed in 2019 and again in 2021.",
  "Turnout in the region has historically been below the national average.",
  "The agency did not respond to a request for comment.",
  "Shares in the company fell 3% in early trading before recovering.",
  "More than 40 organisations signed a letter opposing the change.",
  "The decision can be appealed within 30 days.",
  "The ministry said the data would be published \u201cin due course\u201d.",
  "Imports from the region account for nearly a fifth of the total.",
  "Rescue teams worked through the night in heavy rain.",
  "The report runs to 240 pages and includes 57 recommendations.",
];

export const QUOTES: readonly string[] = [
  "We will not accept decisions that are made for us and without us.",
  "This is a question of sovereignty, and sovereignty is not for sale.",
  "The numbers speak for themselves: families are paying more for less.",
  "Nobody wants a trade war, but nobody will be bullied either.",
  "We have the resources; what we lacked was the political will.",
  "It is too early to say whether the policy is working.",
  "Our priority is the safety of the people who live here.",
  "This agreement is good for workers on both sides of the border.",
  "We were told one thing in public and another thing in private.",
  "The science is clear, and the window for action is closing.",
];

export const HEADLINE_ACTORS: readonly string[] = [
  "Lawmakers", "Central Bank", "Court", "Government", "Regulators", "Unions", "Governors", "Negotiators", "Farmers",
  "Investors", "Mayor", "Ministry", "Senate", "Automakers", "Airlines", "Protesters",
];

export const HEADLINE_VERBS: readonly string[] = [
  "Reject", "Approve", "Delay", "Back", "Weigh", "Block", "Unveil", "Challenge", "Expand", "Suspend", "Defend", "Question",
];

export const HEADLINE_OBJECTS: readonly string[] = [
  "Security Plan", "Budget Cuts", "Steel Tariffs", "Pension Reform", "Trade Deal", "Refinery Project", "Election Date",
  "Water Rationing", "Plastic Ban", "Wage Increase", "Border Checks", "Fuel Subsidies", "Lithium Law", "Rail Concession",
  "Judicial Overhaul", "Energy Plan", "Cease-Fire Proposal", "Airport Expansion", "Vaccine Campaign", "Mining Permits",
];
