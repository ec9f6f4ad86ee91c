# ruff: noqa: E501, RUF001  (multilingual text tables read better unwrapped and unnormalised)
"""Task payloads: the *content* a request is about, independent of how it is asked.

A capability sweep pours many different payloads into a few framings; a product sends narrow payloads.
Generators here fill slots with random numbers, names and subjects so that no two payloads repeat
verbatim, and a few of them speak several languages.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from distillguard.bench.holdout._rand import pick, randint

Payload = Callable[[random.Random], str]

NAMES = (
    "Amara", "Bilal", "Chen Wei", "Dagny", "Esteban", "Farida", "Gökhan", "Hiroshi", "Ines", "Jomo", "Katya",
    "Luis", "Mei", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Sven", "Tamar", "Ugo", "Valentina", "Wen",
    "Ximena", "Yusuf", "Zofia",
)  # fmt: skip

# Fields and subjects for sweeps across knowledge; a sweep walks these systematically.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "mathematics": (
        "modular arithmetic", "eigenvalues of symmetric matrices", "generating functions", "the pigeonhole principle",
        "conditional expectation", "Lagrange multipliers", "group homomorphisms", "Fourier series convergence",
        "Markov chains", "Bayesian updating", "graph colouring", "recurrence relations", "p-adic numbers",
        "the central limit theorem", "convex optimisation duality", "Galois theory basics",
    ),
    "physics": (
        "projectile motion with drag", "rotational kinetic energy", "RC circuits", "the photoelectric effect",
        "special-relativistic time dilation", "Carnot efficiency", "Bernoulli's principle", "the Doppler effect",
        "quantum tunnelling", "angular momentum conservation", "Maxwell's equations", "buoyancy",
    ),
    "chemistry": (
        "limiting reagents", "buffer solutions", "Le Chatelier's principle", "SN1 versus SN2 mechanisms",
        "electrochemical cells", "hybridisation", "reaction kinetics", "Gibbs free energy", "chirality",
    ),
    "computer science": (
        "dynamic programming on trees", "consistent hashing", "B-tree insertion", "the CAP theorem",
        "garbage collection strategies", "Dijkstra with negative edges", "lock-free queues", "Bloom filters",
        "TCP congestion control", "the halting problem", "Raft leader election", "SQL query planning",
        "cache-oblivious algorithms", "type inference", "regular expression engines",
    ),
    "biology": (
        "CRISPR off-target effects", "the Krebs cycle", "antibiotic resistance", "epigenetic inheritance",
        "action potentials", "protein folding", "population genetics drift", "the immune response to vaccines",
    ),
    "medicine": (
        "differential diagnosis of chest pain", "anticoagulant dosing", "sepsis criteria", "interpreting troponin",
        "drug interactions with warfarin", "paediatric fever management", "diabetic ketoacidosis",
    ),
    "law": (
        "adverse possession", "the duty of care in negligence", "GDPR lawful bases", "consideration in contracts",
        "fair use of copyrighted works", "non-compete enforceability", "hearsay exceptions",
    ),
    "economics": (
        "price elasticity", "the Phillips curve", "moral hazard in insurance", "comparative advantage",
        "the liquidity trap", "auction design", "network effects", "discounted cash flow valuation",
    ),
    "history": (
        "the causes of the First World War", "the fall of the Western Roman Empire", "the Meiji Restoration",
        "the Bretton Woods system", "the partition of India", "the Columbian exchange", "the printing press",
    ),
    "philosophy": (
        "the trolley problem", "Gettier cases", "compatibilism", "the veil of ignorance", "the ship of Theseus",
        "utilitarian aggregation", "Hume's problem of induction",
    ),
    "finance": (
        "options put-call parity", "bond duration", "portfolio rebalancing", "the Kelly criterion",
        "leveraged ETF decay", "currency hedging",
    ),
}  # fmt: skip
ALL_SUBJECTS: tuple[tuple[str, str], ...] = tuple(
    (field, subject) for field, subjects in SUBJECTS.items() for subject in subjects
)

PROGRAMMING_LANGUAGES = (
    "Python",
    "Rust",
    "Go",
    "TypeScript",
    "Java",
    "C++",
    "Kotlin",
    "C#",
    "Haskell",
    "SQL",
)
CODING_TASKS = (
    "an LRU cache with O(1) get and put", "a rate limiter using the token-bucket algorithm",
    "a function that merges overlapping intervals", "a trie supporting prefix counts",
    "a parser for arithmetic expressions with precedence", "a thread-safe bounded blocking queue",
    "topological sort that reports cycles", "a JSON pretty-printer without using the standard library",
    "an interval tree", "a Levenshtein distance with backtrace", "a consistent-hash ring with virtual nodes",
    "a scheduler for tasks with deadlines and priorities", "a sudoku solver with constraint propagation",
    "a diff of two text files by lines (Myers algorithm)", "a min-cost path on a weighted grid",
    "a union-find with path compression", "run-length encoding and decoding", "a skip list",
    "a cron-expression parser", "a matrix exponentiation routine for Fibonacci numbers",
)  # fmt: skip


def _word_problem_en(rng: random.Random) -> str:
    a, b, c = randint(rng, 3, 90), randint(rng, 2, 40), randint(rng, 2, 12)
    who = pick(rng, NAMES)
    return pick(
        rng,
        (
            f"{who} buys {a} notebooks at ${b} each and gets a {c * 5}% discount on the total. "
            f"How much does {who} pay?",
            f"A tank holds {a * 10} litres. It leaks {c} litres per hour while a pump adds {b} litres per "
            f"hour. Starting half full, when is it full?",
            f"Two trains leave stations {a * 12} km apart toward each other at {b + 40} km/h and "
            f"{c + 55} km/h. When and where do they meet?",
            f"The sum of three consecutive odd integers is {3 * (2 * a + 1) + 6}. Find them.",
            f"A committee of {c} is chosen from {a + c} people, {b % 7 + 2} of whom refuse to serve "
            f"together. How many committees are possible?",
            f"If log_{c}(x) + log_{c}(x - {b}) = 2, solve for x.",
            f"A bag has {a} red and {b} blue marbles. Three are drawn without replacement. "
            f"What is the probability that exactly two are red?",
            f"Find all real x with |x - {a}| + |x + {b}| = {a + b + 2 * c}.",
        ),
    )


def _word_problem_zh(rng: random.Random) -> str:
    a, b, c = randint(rng, 3, 90), randint(rng, 2, 40), randint(rng, 2, 12)
    return pick(
        rng,
        (
            f"一个水池有两个进水管，甲管单独注满需要{a}小时，乙管单独注满需要{b + a}小时。两管同时开，需要多少小时注满？",
            f"某商品先提价{c * 5}%，再降价{c * 5}%，最后价格是{a * 10}元。原价是多少？",
            f"从{a + c}名学生中选出{c}人参加比赛，其中甲乙两人不能同时入选，共有多少种选法？",
            f"已知数列满足 a1={c}，a(n+1)=2a(n)+{b}，求通项公式。",
        ),
    )


def _word_problem_ru(rng: random.Random) -> str:
    a, b, c = randint(rng, 3, 90), randint(rng, 2, 40), randint(rng, 2, 12)
    return pick(
        rng,
        (
            f"Лодка проходит {a} км по течению и {b} км против течения за {c} часов. "
            f"Скорость течения 2 км/ч. Найдите собственную скорость лодки.",
            f"Сколькими способами можно рассадить {c + 3} человек за круглым столом, "
            f"если двое из них должны сидеть рядом?",
            f"Решите неравенство x^2 - {a}x + {b} < 0.",
        ),
    )


def _word_problem_es(rng: random.Random) -> str:
    a, b, c = randint(rng, 3, 90), randint(rng, 2, 40), randint(rng, 2, 12)
    return pick(
        rng,
        (
            f"Un grifo llena un depósito en {a} minutos y un desagüe lo vacía en {a + b} minutos. "
            f"Si ambos están abiertos, ¿cuánto tarda en llenarse?",
            f"¿Cuál es la probabilidad de obtener al menos {c % 4 + 2} seises al lanzar {c + 3} dados?",
            f"Halla el área encerrada entre y = x^2 y y = {b}x.",
        ),
    )


def math_problem(rng: random.Random, language: str = "en") -> str:
    generator = {"zh": _word_problem_zh, "ru": _word_problem_ru, "es": _word_problem_es}.get(
        language, _word_problem_en
    )
    return generator(rng)


def coding_task(rng: random.Random) -> str:
    task, lang = pick(rng, CODING_TASKS), pick(rng, PROGRAMMING_LANGUAGES)
    constraint = pick(
        rng,
        (
            "",
            " It must handle inputs of up to 10^6 elements.",
            " Avoid recursion.",
            " Include the time and space complexity.",
            f" Assume at most {randint(rng, 2, 64)} concurrent callers.",
            " Use no third-party libraries.",
        ),
    )
    return f"Implement {task} in {lang}.{constraint}"


def science_question(rng: random.Random) -> str:
    field, subject = pick(rng, ALL_SUBJECTS)
    frame = pick(
        rng,
        (
            "Explain {s} to someone with an undergraduate background in {f}.",
            "What is the most common misconception about {s}, and why is it wrong?",
            "Design an exam question on {s} and solve it.",
            "How would you test experimentally or empirically a claim about {s}?",
            "Compare two competing explanations of {s} in {f}.",
            "Work through a concrete numerical example involving {s}.",
            "What are the limits of {s}? Give a case where the usual reasoning breaks.",
        ),
    )
    return frame.format(s=subject, f=field)


def logic_puzzle(rng: random.Random) -> str:
    n = randint(rng, 3, 6)
    people = rng.sample(NAMES, n)
    return pick(
        rng,
        (
            f"{', '.join(people)} each own a different pet. {people[0]} does not own the cat; the owner of the "
            f"dog sits left of {people[1]}; {people[-1]} owns the fish. Who owns what?",
            f"On an island, knights always tell the truth and knaves always lie. {people[0]} says: "
            f"'{people[1]} is a knave.' {people[1]} says: 'Both of us are knights.' What are they?",
            f"{n} prisoners wear hats of {randint(rng, 2, 3)} colours. Devise a strategy that saves the most "
            f"prisoners and prove it is optimal.",
            f"You have {n * 3} coins, one counterfeit that is lighter. What is the minimum number of weighings "
            f"on a balance scale to find it?",
        ),
    )


def case_question(rng: random.Random) -> str:
    age, who = randint(rng, 19, 84), pick(rng, NAMES)
    return pick(
        rng,
        (
            f"A {age}-year-old presents with {pick(rng, ('pleuritic chest pain', 'sudden vision loss', 'fever and a rash', 'new confusion'))}. "
            "What is the differential, and what would you do first?",
            f"{who} signed a lease with a clause waiving all liability for the landlord. A ceiling collapses. "
            "Is the clause enforceable? Analyse under common-law principles.",
            f"A firm with revenue of ${age}M and margins of {randint(rng, 3, 30)}% considers a price cut of "
            f"{randint(rng, 5, 20)}%. Under what elasticity does profit rise?",
            f"Should {who}, a manager, report a colleague's minor expense fraud that helped a struggling "
            "family? Weigh the considerations.",
        ),
    )


PAYLOADS_BY_CAPABILITY: dict[str, Payload] = {
    "math": math_problem,
    "coding": coding_task,
    "science": science_question,
    "logic": logic_puzzle,
    "analysis": case_question,
}
