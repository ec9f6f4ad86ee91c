# ruff: noqa: E501  (multilingual text tables read better unwrapped and unnormalised)
"""What legitimate customers send: product personas, tool sets, document templates, job prompts."""

from __future__ import annotations

import random
from typing import Any

from distillguard.bench.holdout._payloads import NAMES
from distillguard.bench.holdout._rand import pick, randint

# Consumer chat products: one fixed persona each, casual multi-turn talk in the product's domain.
CHAT_APPS: tuple[dict[str, Any], ...] = (
    {
        "system": "You are Juniper, a warm journaling companion. Keep replies under 120 words, ask one gentle "
        "follow-up question, and never give medical advice.",
        "openers": (
            "today was rough, my manager moved the deadline again", "I finally went for a run this morning!",
            "can't sleep, too much on my mind", "my sister's wedding is next week and I'm nervous about the speech",
            "I want to build a habit of reading more", "feeling kind of lonely since the move",
        ),
        "followups": ("yeah exactly", "I guess so. what should I do?", "that helps, thanks", "hmm not sure", "tell me more"),
        "details": (" and honestly I just feel tired", " it's been {n} days like this", " my friend {name} noticed too",
                    " not sure why I'm telling you this", ""),
        "tz": -5.0,
    },
    {
        "system": "Eres Ruta, asistente de viajes de la app Andariega. Responde en el idioma del usuario, con "
        "sugerencias concretas y presupuestos aproximados en euros.",
        "openers": (
            "¿Qué ver en Oporto en dos días?", "Viajo a Japón en abril con niños, ¿itinerario?",
            "I have a 9 hour layover in Istanbul, worth leaving the airport?", "mejores playas cerca de Valencia sin coche",
            "presupuesto para una semana en Marruecos", "¿Es seguro viajar sola a Colombia?",
        ),
        "followups": ("¿y para comer?", "más barato por favor", "ok, ¿y el transporte?", "perfecto gracias", "and in May?"),
        "details": (" somos {n} personas", " con un presupuesto de {n}00 euros", " vamos con {name}", " en mayo", ""),
        "tz": 1.0,
    },
    {
        "system": "You are Basil from the PantryPal app. Suggest recipes using what the user has; list "
        "ingredients first, then short numbered instructions. Metric units.",
        "openers": (
            "I have eggs, spinach, feta and some old bread", "quick vegan dinner for 4?", "what can I do with leftover rice",
            "my kid hates vegetables, ideas?", "need a dessert without an oven", "high protein lunch for the week",
        ),
        "followups": ("no feta actually", "can I freeze it?", "make it spicier", "thanks!!", "what wine goes with it"),
        "details": (" for {n} people", ", {name} is gluten free", " in under {n}0 minutes", " no nuts please", ""),
        "tz": 0.0,
    },
    {
        "system": "You are Pixel, the in-game companion for Starfall Tactics players. Be playful, use gamer "
        "slang sparingly, do not reveal unreleased content.",
        "openers": (
            "best build for the void ranger?", "how do i beat the hydra boss in act 3", "is the plasma lance nerfed",
            "what's the fastest way to farm crystals", "my squad keeps dying in ranked lol", "explain the new patch notes",
        ),
        "followups": ("ok and gear?", "lol ty", "what about solo", "that didnt work", "any other tips"),
        "details": (" im level {n}", " playing with {name}", " on hard mode", " lol", ""),
        "tz": 9.0,
    },
    {
        "system": "너는 '하루' 앱의 친절한 한국어 대화 상대야. 짧고 다정하게 대답하고, 필요하면 질문을 하나 덧붙여.",
        "openers": ("오늘 너무 피곤해", "주말에 뭐 하면 좋을까?", "시험 망친 것 같아", "새로운 취미 추천해줘", "점심 메뉴 골라줘"),
        "followups": ("응 맞아", "고마워", "다른 건?", "그건 좀 별로야", "ㅋㅋ 좋아"),
        "details": (" 벌써 {n}일째야", " {name}랑 같이", " ㅠㅠ", "", " 진짜로"),
        "tz": 9.0,
    },
)  # fmt: skip


def chat_opener(rng: random.Random, app: dict[str, Any]) -> str:
    """A user's first message: the app's typical openers with personal details mixed in."""
    detail: str = pick(rng, app["details"]).format(n=randint(rng, 2, 12), name=pick(rng, NAMES))
    opener: str = pick(rng, app["openers"])
    return opener + detail


CHAT_ASSISTANT_TURNS = (
    "That sounds like a lot to carry. What part of it weighs on you most?",
    "Here are a few ideas you could try this week: start small, keep it visible, and track it.",
    "Good call! A couple of options: the first is quicker, the second is cheaper.",
    "Totally understandable. Want me to break it into smaller steps?",
    "Claro, aquí tienes una propuesta: mañana el centro histórico, por la tarde el río.",
    "Nice! You'll want to focus on mobility first, then damage.",
)

# Coding and agent products: each has its own stable tool set.
CODING_PRODUCTS: tuple[dict[str, Any], ...] = (
    {
        "system": "You are Forge, a coding agent working inside the user's repository. Use tools to inspect and "
        "edit files; run the tests before finishing. Be concise.",
        "tools": ("read_file", "write_file", "run_shell", "search_code"),
    },
    {
        "system": "You are the Tessera IDE assistant. Prefer minimal diffs. Never run destructive commands.",
        "tools": ("open_file", "apply_patch", "run_tests", "list_directory", "grep"),
    },
    {
        "system": "You are Quill, a data-notebook copilot. You can execute Python cells and read dataframes.",
        "tools": ("execute_cell", "describe_dataframe", "plot"),
    },
    {
        "system": "DevOps agent for Harbor Cloud customers. Diagnose deployments using the available tools and "
        "explain fixes in plain language.",
        "tools": ("get_deployment", "tail_logs", "describe_pod", "rollback"),
    },
)
CODING_TASKS = (
    "the test test_parse_dates fails on CI but passes locally, can you fix it",
    "add pagination to the /orders endpoint", "rename UserRecord to Account across the codebase",
    "why is the build so slow? see if we can cache the deps", "write a migration that adds a nullable column 'region'",
    "the dashboard crashes when the list is empty", "upgrade the http client and fix the breaking changes",
    "add type hints to utils/time.py", "plot revenue by month from sales.csv", "deployment web-7 is crashlooping",
    "convert the callbacks in sync.js to async/await", "profile the import script, it takes 20 minutes",
)  # fmt: skip
CODE_SNIPPETS = (
    "def parse_dates(rows):\n    return [datetime.strptime(r['d'], '%Y-%m-%d') for r in rows]\n",
    "export async function listOrders(req, res) {\n  const rows = await db.orders.findAll();\n  res.json(rows);\n}\n",
    "FAILED tests/test_dates.py::test_parse_dates - ValueError: time data '2024-13-01' does not match format\n",
    "class UserRecord(BaseModel):\n    id: int\n    email: str\n    created_at: datetime\n",
    "Step 7/12 : RUN pip install -r requirements.txt\n ---> Running in 3f2a91c\n",
    "   revenue  month\n0  10234.5  2025-01\n1  11872.0  2025-02\n",
    "Back-off restarting failed container web in pod web-7-5d9c (exit code 137: OOMKilled)\n",
)


def tool_schema(name: str) -> dict[str, Any]:
    """A product's fixed function definition: the same bytes on every request."""
    params = (
        {"path": {"type": "string"}} if "file" in name or "patch" in name else {"arg": {"type": "string"}}
    )
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": f"{name.replace('_', ' ')} for the current workspace",
            "parameters": {"type": "object", "properties": params, "required": list(params)},
        },
    }


# Enterprise retrieval-augmented assistants: one template, retrieved passages, temperature 0.
RAG_TENANTS = (
    ("Halvorsen Logistics", "Norwegian freight", 1.0),
    ("Brightwater Health", "US hospital network", -6.0),
    ("Kestrel Insurance", "UK insurer", 0.0),
    ("Mirai Components", "Japanese manufacturer", 9.0),
    ("Ostara Bank", "German retail bank", 1.0),
    ("Pinecrest County", "local government", -8.0),
)
RAG_PASSAGES = (
    "Employees accrue {n} days of paid leave per year; unused leave up to 5 days carries over to Q1.",
    "Expense claims above {n} EUR require approval from a cost-centre owner within 10 working days.",
    "VPN access is revoked automatically after {n} days of inactivity; request re-enablement via the IT portal.",
    "Pallets exceeding {n} kg must be booked as heavy freight and labelled on two sides.",
    "Claims for water damage require photos and a plumber's report; the excess is {n} GBP.",
    "Patient transfers between campuses need attending sign-off and a bed confirmation within {n} minutes.",
    "Suppliers are paid net {n} days from the invoice date unless a framework agreement says otherwise.",
    "Parking permits for council staff are renewed annually; the fee is {n} dollars.",
    "Security incidents must be reported to the SOC within {n} hours of discovery.",
    "Torque for M8 fasteners on assembly line B is {n} Nm ± 2.",
)
RAG_QUESTIONS = (
    "how many leave days can I carry over?", "who approves my expense claim?", "my VPN stopped working, why?",
    "what's the weight limit before it counts as heavy freight", "what do I need for a water damage claim",
    "how fast do we have to report a phishing email?", "what are the payment terms for suppliers",
    "what torque for M8 on line B", "how do I renew my parking permit", "can I transfer a patient at night?",
)  # fmt: skip

# Nightly batch jobs: a fixed instruction over a day's worth of records.
BATCH_JOBS = (
    (
        "Classify the support ticket into exactly one of: billing, bug, feature_request, account_access, other. "
        "Answer with the label only.\n\nTicket:\n{item}",
        ("{ticket}",),
    ),
    (
        'Extract the fields vendor, invoice_number, date (ISO 8601) and total from the document. Return JSON '
        'only.\n\n{item}',
        ("INVOICE #{n} — Acme Paper Co. — 2026-03-{d} — Total due: {n}.40 USD",
         "Rechnung Nr. {n} vom {d}.03.2026, Müller GmbH, Gesamtbetrag {n},00 EUR",
         "Factura {n} · Suministros Lago SL · {d}/03/2026 · Importe {n} €"),
    ),
    (
        "Rate the sentiment of this product review as positive, neutral or negative. One word.\n\nReview: {item}",
        ("arrived broken, second time this happens", "does what it says, nothing more", "love it!! bought two more",
         "battery life is meh but the screen is gorgeous", "customer service never replied"),
    ),
)  # fmt: skip


def batch_item(rng: random.Random, items: tuple[str, ...]) -> str:
    item = pick(rng, items)
    if item == "{ticket}":
        return ticket_text(rng)
    return item.format(n=randint(rng, 100, 99999), d=randint(rng, 1, 28))


# Evaluation researchers: a fixed public benchmark (the same questions on every run and for everyone).
BENCH_SUBJECTS = (
    "astronomy", "virology", "jurisprudence", "econometrics", "formal logic", "high school chemistry",
    "college physics", "moral scenarios", "world religions", "machine learning", "nutrition", "prehistory",
)  # fmt: skip
EVAL_COT_PROMPTS = (
    "The following is a multiple choice question about {subject}. Let's think step by step, then end with "
    "'The answer is (X)'.\n\n{question}\n{options}",
    "Question: {question}\n{options}\nAnswer: Let's think step by step.",
)
EVAL_DIRECT_PROMPT = (
    "The following are multiple choice questions about {subject}.\n\n{question}\n{options}\nAnswer:"
)


BENCH_STEMS: dict[str, tuple[str, ...]] = {
    "astronomy": ("A star shows a parallax of {x} milliarcseconds. Its distance in parsecs is closest to",
                  "A planet orbits its star at {y} AU. By Kepler's third law, its period in years is closest to"),
    "virology": ("A virus with a doubling time of {x} hours starts from one copy. Copies after {y} hours are closest to",
                 "Which property best distinguishes an enveloped virus from a naked capsid virus?"),
    "jurisprudence": ("Which school of thought holds that law is a set of commands backed by sanctions?",
                      "Under Hart's theory, which rule identifies valid law in a legal system?"),
    "econometrics": ("A regression with {x} observations and {z} regressors has how many residual degrees of freedom?",
                     "If the Durbin-Watson statistic is close to {w}, the residuals most likely show"),
    "formal logic": ("Which of the following is logically equivalent to 'if P then Q'?",
                     "How many rows does the truth table of a formula with {z} atoms have?"),
    "high school chemistry": ("How many moles are in {x} grams of water (molar mass 18 g/mol)?",
                              "What is the pH of a 10^-{z} M solution of HCl?"),
    "college physics": ("A {x} kg mass falls from rest for {z} s (g = 9.8 m/s^2). Its speed in m/s is closest to",
                        "A photon has wavelength {y}0 nm. Its energy in eV is closest to"),
    "moral scenarios": ("I took the last {z} cookies from the office jar even though a sign said one each. Is this wrong "
                        "by ordinary moral standards?",
                        "I returned a wallet with ${x} in it to its owner. Is this wrong by ordinary moral standards?"),
    "world religions": ("Which text is central to Sikhism?", "In which city is the Kaaba located?"),
    "machine learning": ("A model has {x} true positives and {y} false positives. Its precision is closest to",
                         "Which technique reduces overfitting by randomly zeroing activations during training?"),
    "nutrition": ("A food has {x} g of carbohydrate. Its energy from carbohydrate in kcal is closest to",
                  "Which vitamin deficiency causes scurvy?"),
    "prehistory": ("Roughly how many years ago did the Neolithic revolution begin in the Fertile Crescent?",
                   "Which hominin species is associated with the Acheulean hand axe?"),
}  # fmt: skip


def fixed_benchmark(size: int = 240) -> list[tuple[str, str, str]]:
    """(subject, question, options) built from a constant seed: identical in every run and every account."""
    rng = random.Random(20240501)
    items = []
    for index in range(size):
        subject = BENCH_SUBJECTS[index % len(BENCH_SUBJECTS)]
        x, y, z, w = randint(rng, 2, 97), randint(rng, 2, 97), randint(rng, 2, 9), pick(rng, ("0", "2", "4"))
        stem = pick(rng, BENCH_STEMS[subject])
        question = stem.format(x=x, y=y, z=z, w=w)
        base = randint(rng, 2, 400)
        values: list[object] = [base, base * 2, base + randint(rng, 1, 30), max(1, base // 3)]
        if "{" not in stem:  # a conceptual item: statement-combination options, as in many public benchmarks
            values = ["I only", "II only", "I and II", "Neither I nor II"]
        rng.shuffle(values)
        options = "\n".join(f"({letter}) {value}" for letter, value in zip("ABCD", values, strict=True))
        items.append((subject, question, options))
    return items


# Individual developers: everything and anything, mostly short.
SHORT_TEXTS = (
    "our team shipped the new onboarding flow and signups went up",
    "the meeting is moved to thursday",
    "I think we should reconsider the vendor contract before renewal",
    "rain expected all weekend in the north",
)

# A permitted synthetic-data programme for the customer's own in-house model (contracted, disclosed).
SYNTH_PROMPTS = (
    "Generate {k} diverse, realistic customer messages to a telecom support assistant about {intent}. Vary tone, "
    "length and spelling mistakes. Output a JSON array of strings.",
    "Write {k} short dialogues between a bank customer and an agent about {intent}. JSON lines with fields "
    "'customer' and 'agent'.",
    "Produce {k} paraphrases of the request '{intent}' as a non-native English speaker might write them.",
)
SYNTH_INTENTS = (
    "roaming charges", "a lost card", "upgrading a phone plan", "a disputed transaction", "changing address",
    "slow home internet", "closing an account", "setting up direct debit", "a failed top-up",
)  # fmt: skip

# Translation service: fixed instruction per language pair, product copy and UI strings.
TRANSLATION_PAIRS = (
    ("English", "German"),
    ("English", "Japanese"),
    ("Spanish", "English"),
    ("English", "Portuguese (Brazil)"),
    ("French", "English"),
    ("English", "Simplified Chinese"),
)
TRANSLATION_PRODUCTS = (
    "trail running shoe",
    "espresso grinder",
    "wireless earbuds",
    "linen duvet cover",
    "kids' rain jacket",
    "standing desk",
    "cast-iron pan",
)
TRANSLATION_FEATURES = (
    "{n}% recycled materials",
    "{n}-month warranty",
    "ships in {n} business days",
    "available in {n} colours",
    "weighs only {n}00 g",
)


def translation_source(rng: random.Random) -> str:
    """Product copy or a UI string to localise."""
    if rng.random() < 0.5:
        return pick(rng, TRANSLATION_SOURCES)
    product = pick(rng, TRANSLATION_PRODUCTS)
    feature = pick(rng, TRANSLATION_FEATURES).format(n=randint(rng, 2, 36))
    return f"Our {product} comes with {feature}. {pick(rng, TRANSLATION_SOURCES)}"


TRANSLATION_SOURCES = (
    "Free returns within 30 days. Sizes run small — we recommend ordering one size up.",
    "Your order {{order_id}} has shipped and should arrive by {{date}}.",
    "Este producto contiene frutos secos. Conservar en lugar fresco y seco.",
    "Cliquez sur « Enregistrer » pour conserver vos modifications.",
    "Battery: 5000 mAh. Charging time: approx. 90 minutes with the included adapter.",
    "Welcome back, {{first_name}}! You have {{count}} unread messages.",
    "Terms apply. Offer valid while stocks last.",
)  # fmt: skip

# Customer-support bot with its own tools.
SUPPORT_TOOLS = ("lookup_order", "get_shipping_status", "create_return", "escalate_to_human")
SUPPORT_SYSTEM = (
    "You are the support assistant for Nordlys Outdoor. Help customers with orders, shipping and returns. Use tools "
    "to check facts; never promise refunds without create_return succeeding. Escalate angry customers."
)
SUPPORT_MESSAGES = (
    "where is my order {n}?",
    "I want to return the tent, it leaks",
    "the jacket I got is the wrong size",
    "it's been 3 weeks!!! order {n}",
    "can I change the delivery address",
    "do you ship to Iceland?",
)

# Education app: deliberately asks for step-by-step explanations, but only of school mathematics.
EDU_SYSTEM = (
    "You are Pip, a friendly maths tutor for students aged 10 to 15. Explain the solution step by step so the "
    "student can follow every move, one step per line, and check the answer at the end. Never just give the "
    "final answer. Use simple words."
)
EDU_FOLLOWUPS = (
    "why did you subtract there?",
    "I don't get step 2",
    "can you show it another way?",
    "is my answer {n} right?",
    "what's a denominator again",
    "ok next one",
)


def school_problem(rng: random.Random) -> str:
    a, b, c = randint(rng, 2, 20), randint(rng, 2, 50), randint(rng, 1, 9)
    who = pick(rng, NAMES)
    return pick(
        rng,
        (
            f"solve {a}x + {b} = {a * c + b}",
            f"what is {a}/{c + 1} + {b}/{c + 2}",
            f"{who} has {b} stickers and gives away {a}. then gets {c} times more. how many now",
            f"find the area of a triangle with base {a} cm and height {b} cm",
            f"what is {c * 5}% of {b * 4}",
            f"simplify {a * c}/{a * (c + 1)}",
            f"a rectangle has perimeter {2 * (a + b)} and one side {a}. find the other side",
            f"expand ({c}x + {a})({c}x - {a})",
        ),
    )


# A data-labelling vendor using the model as a judge on its annotators' work, at small scale.
LABEL_JUDGE = (
    "You review annotations made by our labelling team against the client's guideline '{guide}'. Decide whether the "
    'label is correct. Return JSON {{"verdict": "correct" | "incorrect", "reason": "<one sentence>"}}.\n\n'
    "Item: {item}\nAnnotator label: {label}"
)
LABEL_GUIDES = (
    "toxicity v3",
    "product category taxonomy 2026",
    "named entities (PER/ORG/LOC)",
    "intent taxonomy v7",
)
LABEL_ITEMS = (
    ("you people never fix anything", "toxic"), ("great product, fast delivery", "not_toxic"),
    ("Angela Merkel visited Lyon", "PER, LOC"), ("stainless steel garlic press", "kitchen > utensils"),
    ("cancel my subscription now", "intent:cancel"), ("the update bricked my router", "intent:complaint"),
)  # fmt: skip


# A university class or hackathon: a room of brand-new accounts behind one campus NAT, one assignment.
CLASS_ASSIGNMENTS = (
    "Explain how {algo} works step by step and state its time complexity. Use a small example.",
    "Walk through {algo} on the input [{xs}] and show the state after each iteration.",
    "What is the worst case for {algo}? Justify your answer.",
)
CLASS_ALGORITHMS = (
    "merge sort", "quicksort with Lomuto partition", "binary search", "Dijkstra's algorithm", "breadth-first search",
    "heap insertion", "Kruskal's algorithm", "insertion sort", "the Euclidean algorithm", "counting sort",
)  # fmt: skip
CLASS_FOLLOWUPS = (
    "can you make it shorter", "why is it n log n and not n^2?", "show it as python code", "I still don't get the "
    "merge part", "what would change with duplicates?", "ok thanks",
)  # fmt: skip

# An automation platform whose end customers define their own tools: varied schemas, but per-tenant stable.
PLATFORM_TOOL_POOL = (
    "crm_create_contact", "crm_find_deal", "sheets_append_row", "sheets_lookup", "chat_post_message", "mail_send",
    "mail_search", "calendar_find_slot", "calendar_create_event", "docs_create_page", "http_request",
    "shop_get_order", "shop_refund", "tickets_create", "tickets_comment", "storage_upload", "sms_send",
    "invoice_create", "forms_get_responses", "db_query",
)  # fmt: skip
PLATFORM_GOALS = (
    "When a new form response arrives, add the lead to the CRM and notify the sales channel.",
    "Every morning, summarise yesterday's support tickets and email the summary to the team lead.",
    "If an order is marked damaged, issue a refund and open a ticket with the carrier.",
    "Find a free 30-minute slot next week with the customer and send an invite.",
    "Append each new invoice to the finance sheet and flag totals above the approval limit.",
    "Post a message when a deal moves to 'closed won' with the amount and owner.",
)  # fmt: skip


# Composed developer questions: frames x slots, so hundreds of developers do not type identical strings.
DEV_FRAMES = (
    "how do I {task} in {lang}", "why does {lib} throw '{error}' when I {task}", "{lang}: best way to {task}?",
    "can you review this {lang} snippet? {snippet}", "explain {concept} with an example in {lang}",
    "what's the difference between {concept} and {concept2}", "write a {lang} function to {task}",
    "I'm getting {error} in production, any idea? using {lib}", "convert this to {lang}: {snippet}",
    "summarize this: {text}", "translate to {human}: {text}", "make this sound more professional: {text}",
    "give me {k} names for a {thing}", "draft a short email to {who} about {text}", "{greeting}",
    "is it a good idea to {task} with {lib}?", "{human} please: {text}",
)  # fmt: skip
DEV_SLOTS: dict[str, tuple[str, ...]] = {
    "task": ("parse a CSV with quoted newlines", "debounce a search box", "retry failed HTTP calls with backoff",
             "stream a large file to S3", "paginate a SQL query", "read env vars safely", "hash passwords",
             "deduplicate a list while keeping order", "schedule a job every 5 minutes", "resize images in bulk",
             "validate an email address", "mock the current time in tests", "profile memory usage",
             "handle timezones for user input", "cancel a long-running request", "compress JSON responses"),
    "lang": ("Python", "TypeScript", "Go", "Rust", "Java", "Kotlin", "C#", "PHP", "Ruby", "Swift", "bash"),
    "lib": ("pandas", "React", "Django", "FastAPI", "Spring Boot", "Express", "SQLAlchemy", "tokio", "Prisma",
            "Next.js", "numpy", "Laravel", "Rails", "gRPC", "Kafka", "Redis"),
    "error": ("connection reset by peer", "KeyError: 'id'", "undefined is not a function", "OOMKilled",
              "deadlock detected", "CORS policy blocked", "certificate verify failed", "index out of range",
              "borrowed value does not live long enough", "NullPointerException", "ECONNREFUSED 127.0.0.1:5432"),
    "concept": ("closures", "generics", "async iterators", "database indexes", "eventual consistency", "monads",
                "dependency injection", "memoization", "backpressure", "optimistic locking", "vector clocks"),
    "concept2": ("threads", "interfaces", "callbacks", "materialized views", "strong consistency", "promises",
                 "service locators", "caching", "rate limiting", "pessimistic locking", "Lamport timestamps"),
    "snippet": ("for i in range(len(xs)): print(xs[i])", "const x = await fetch(url).then(r => r.json())",
                "SELECT * FROM orders WHERE created_at > NOW() - INTERVAL '1 day'", "if err != nil { return err }",
                "let v: Vec<_> = it.map(|x| x * 2).collect();", "df.groupby('user').agg({'amount': 'sum'})"),
    "human": ("French", "German", "Spanish", "Japanese", "Portuguese", "Italian", "Polish", "Turkish", "Hindi"),
    "thing": ("coffee shop", "podcast about history", "budgeting app", "dog grooming business", "open-source CLI",
              "board game café", "newsletter on climate tech"),
    "who": ("my landlord", "a recruiter", "the team", "a customer who was double charged", "my professor"),
    "greeting": ("hello", "test", "hi there", "ping", "say hi in JSON", "are you working?", "testing 1 2 3"),
}  # fmt: skip


def dev_question(rng: random.Random) -> str:
    """A developer's ad-hoc question, composed so that repeats across accounts are rare."""
    frame = pick(rng, DEV_FRAMES)
    fills = {name: pick(rng, values) for name, values in DEV_SLOTS.items() if "{" + name + "}" in frame}
    if "{text}" in frame:
        fills["text"] = (
            f"{pick(rng, SHORT_TEXTS)} ({pick(rng, NAMES)}, {randint(rng, 2, 28)}/{randint(rng, 1, 12)})"
        )
    if "{k}" in frame:
        fills["k"] = str(randint(rng, 3, 12))
    question = frame.format(**fills)
    if rng.random() < 0.7:
        return question
    return question[0].upper() + question[1:] + pick(rng, ("", "?", "!", " thanks", " pls"))


def ticket_text(rng: random.Random) -> str:
    """A support ticket body for the nightly classification job."""
    issue = pick(rng, ("I was charged twice for {m}", "the export button does nothing on {b}", "please add {f}",
                       "can't log in after resetting my password on {b}", "how do I change my company name on invoices",
                       "invoice {n} shows the wrong VAT rate", "the app crashes when I open {f}"))  # fmt: skip
    return issue.format(
        m=pick(rng, ("March", "April", "my annual plan", "two seats")),
        b=pick(rng, ("Safari", "Firefox", "the Android app", "iPad")),
        f=pick(rng, ("dark mode", "SSO", "CSV import", "the calendar view", "bulk edit")),
        n=randint(rng, 1000, 99999),
    )
