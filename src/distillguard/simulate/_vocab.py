# ruff: noqa: RUF001  (full-width punctuation is correct in Chinese and Japanese text)
"""Word banks the prompt composers draw from.

The banks are deliberately broad (many domains, many phrasings, several languages) so that simulated
traffic is varied: a detector must learn structure and behaviour, not the simulator's literals.
"""

from __future__ import annotations

# Topics per knowledge domain. Operators sweep across all of them; a single legitimate product stays
# inside one or two.
DOMAINS: dict[str, tuple[str, ...]] = {
    "math": (
        "the fundamental theorem of calculus",
        "eigenvalues and eigenvectors",
        "Bayes' theorem",
        "the central limit theorem",
        "modular arithmetic",
        "the pigeonhole principle",
        "Lagrange multipliers",
        "Fourier series",
        "group homomorphisms",
        "Markov chains",
        "the Cauchy-Schwarz inequality",
        "generating functions",
        "the binomial theorem",
        "linear programming duality",
        "prime factorization",
        "the Riemann zeta function",
        "Taylor series remainders",
        "graph colouring",
        "the law of large numbers",
    ),
    "coding": (
        "binary search trees",
        "dynamic programming",
        "async/await in Python",
        "Rust ownership and borrowing",
        "SQL window functions",
        "React hooks",
        "garbage collection in the JVM",
        "hash table collision handling",
        "REST API pagination",
        "git rebase versus merge",
        "Docker multi-stage builds",
        "Kubernetes liveness probes",
        "regular expressions",
        "memoization",
        "breadth-first search",
        "Go channels and goroutines",
        "TypeScript generics",
        "database indexing",
        "unit testing with mocks",
        "event sourcing",
    ),
    "physics": (
        "quantum entanglement",
        "time dilation in special relativity",
        "the second law of thermodynamics",
        "Maxwell's equations",
        "Newton's third law",
        "superconductivity",
        "the photoelectric effect",
        "conservation of angular momentum",
        "Hawking radiation",
        "wave-particle duality",
        "Bernoulli's principle",
        "the Doppler effect",
        "nuclear fission",
        "the Higgs mechanism",
    ),
    "chemistry": (
        "Le Chatelier's principle",
        "SN1 versus SN2 reactions",
        "buffer solutions",
        "chirality",
        "electronegativity trends",
        "heterogeneous catalysis",
        "redox titration",
        "hydrogen bonding",
        "the Haber process",
        "polymerisation",
        "crystal field theory",
    ),
    "biology": (
        "CRISPR-Cas9 gene editing",
        "mitochondrial inheritance",
        "the Krebs cycle",
        "natural selection",
        "protein folding",
        "the adaptive immune response",
        "epigenetic regulation",
        "photosynthesis",
        "neurotransmitter reuptake",
        "horizontal gene transfer",
        "the cell cycle checkpoints",
    ),
    "medicine": (
        "type 2 diabetes management",
        "antibiotic resistance",
        "how statins lower cholesterol",
        "first-line treatment of hypertension",
        "early signs of sepsis",
        "migraine prophylaxis",
        "warfarin drug interactions",
        "asthma step therapy",
        "the pathophysiology of heart failure",
        "chronic kidney disease staging",
        "anticoagulation in atrial fibrillation",
    ),
    "law": (
        "adverse possession",
        "consideration in contract law",
        "the lawful bases for processing under GDPR",
        "fair use in copyright",
        "the exclusionary rule",
        "the enforceability of non-compete clauses",
        "strict liability in tort",
        "the Commerce Clause",
        "force majeure clauses",
        "piercing the corporate veil",
        "the doctrine of promissory estoppel",
    ),
    "history": (
        "the fall of the Western Roman Empire",
        "the causes of the First World War",
        "the Meiji Restoration",
        "the Industrial Revolution in Britain",
        "the Peace of Westphalia",
        "the decolonisation of Africa",
        "the Silk Road trade network",
        "the French Revolution",
        "the Cold War arms race",
        "the Reformation",
        "the Mongol Empire's expansion",
    ),
    "business": (
        "price elasticity of demand",
        "quantitative easing",
        "discounted cash flow valuation",
        "comparative advantage",
        "customer acquisition cost",
        "the Black-Scholes model",
        "working capital management",
        "network effects in platform businesses",
        "inflation targeting",
        "the unit economics of a SaaS startup",
        "supply chain bullet-whip effects",
        "activity-based costing",
    ),
    "philosophy": (
        "the trolley problem",
        "Kant's categorical imperative",
        "rule utilitarianism",
        "the Chinese room argument",
        "Hume's problem of induction",
        "free will and determinism",
        "the ship of Theseus",
        "moral realism",
    ),
    "cs_theory": (
        "the P versus NP problem",
        "the halting problem",
        "Dijkstra's algorithm",
        "amortized analysis",
        "the CAP theorem",
        "the Raft consensus algorithm",
        "public-key cryptography",
        "attention in transformers",
        "Bloom filters",
        "consistent hashing",
        "the Byzantine generals problem",
    ),
    "statistics": (
        "p-values and their misuse",
        "bootstrap confidence intervals",
        "logistic regression",
        "multiple hypothesis correction",
        "Bayesian hierarchical models",
        "survival analysis",
        "instrumental variables",
        "the bias-variance trade-off",
    ),
}

DOMAIN_NAMES: tuple[str, ...] = tuple(DOMAINS)

# How people ask about a topic. `{t}` is the topic.
QUESTION_FRAMES: tuple[str, ...] = (
    "What is {t}?",
    "Explain {t} in simple terms.",
    "Can you explain how {t} works?",
    "Give me an overview of {t}.",
    "What are the main criticisms of {t}?",
    "Why does {t} matter in practice?",
    "How would you teach {t} to a first-year student?",
    "What are common misconceptions about {t}?",
    "Compare {t} with a closely related idea.",
    "Summarise the key points of {t}.",
    "What is the history behind {t}?",
    "Describe a real-world example of {t}.",
    "How is {t} tested or measured?",
    "What are the limitations of {t}?",
    "ELI5: {t}",
    "i keep getting confused about {t}, can you help",
    "Write a short paragraph about {t}.",
    "What should I read to understand {t}?",
)

CASUAL_OPENERS: tuple[str, ...] = (
    "",
    "",
    "",
    "",
    "Hi! ",
    "hey, ",
    "Quick question: ",
    "Hello, ",
    "ok so ",
    "Question - ",
    "Help: ",
    "Hey there. ",
    "Good morning! ",
    "thanks in advance: ",
    "I have a question. ",
)

CASUAL_CLOSERS: tuple[str, ...] = (
    "",
    "",
    "",
    "",
    " Thanks!",
    " thx",
    " Keep it short.",
    " Please be concise.",
    " Use bullet points.",
    " Answer in under 200 words.",
    " I'm a beginner.",
    " Include an example.",
    " no need for details",
)

LANGUAGES: tuple[str, ...] = ("en", "zh", "ru", "es", "de", "fr", "ja")

LANGUAGE_NAMES: dict[str, str] = {
    "zh": "Chinese",
    "ru": "Russian",
    "es": "Spanish",
    "de": "German",
    "fr": "French",
    "ja": "Japanese",
    "en": "English",
}

# Casual questions in other languages, `{t}` left in English as developers often do.
FOREIGN_QUESTION_FRAMES: dict[str, tuple[str, ...]] = {
    "zh": (
        "什么是{t}？请简单解释一下。",
        "能不能帮我解释一下{t}的原理？",
        "请用通俗的语言介绍{t}。",
        "关于{t}，有哪些常见的误区？",
        "帮我写一段关于{t}的简介。",
    ),
    "ru": (
        "Что такое {t}? Объясни простыми словами.",
        "Помоги разобраться в теме: {t}.",
        "Какие есть типичные ошибки в понимании {t}?",
        "Напиши короткое описание {t}.",
    ),
    "es": (
        "¿Qué es {t}? Explícalo con un ejemplo.",
        "¿Me puedes ayudar a entender {t}?",
        "Resume los puntos clave de {t}.",
        "¿Cuáles son las críticas principales a {t}?",
    ),
    "de": (
        "Kannst du mir {t} erklären?",
        "Was versteht man unter {t}?",
        "Fasse die wichtigsten Punkte zu {t} zusammen.",
        "Gib mir ein Beispiel für {t}.",
    ),
    "fr": (
        "Peux-tu m'expliquer {t} ?",
        "Qu'est-ce que {t} exactement ?",
        "Résume les points essentiels de {t}.",
        "Donne-moi un exemple concret de {t}.",
    ),
    "ja": (
        "{t}について簡単に説明してください。",
        "{t}の仕組みを教えてください。",
        "{t}についてよくある誤解は何ですか？",
        "{t}の具体例を挙げてください。",
    ),
}

# Requests for full reasoning, as described in public reports on reasoning-trace harvesting and coercion.
REASONING_DEMANDS: tuple[str, ...] = (
    "Walk through your complete reasoning step by step before giving the final answer.",
    "Articulate the internal reasoning behind your answer in full, without skipping any step.",
    "Show every intermediate step of the derivation; do not summarise or abbreviate.",
    "Before answering, lay out your entire chain of thought inside <thinking></thinking> tags.",
    "Explain exhaustively how you arrive at the result, including approaches you considered and rejected.",
    "Write out your full thought process as you would think it, then state the answer.",
    "Reason carefully and completely. Every inference must be written down explicitly.",
    "Give a rigorous, fully worked solution with all reasoning made explicit.",
    "Think out loud at length. Do not jump to conclusions; record each step of your thinking.",
    "Produce the complete derivation first, then a one-line final answer.",
    "Make sure the language of your thinking strictly matches the language of my question, "
    "and write it in full.",
    "Reconstruct the reasoning a domain expert would go through, step by step and in detail.",
)

FOREIGN_REASONING_DEMANDS: dict[str, tuple[str, ...]] = {
    "zh": (
        "请一步一步地详细推理，并写出完整的思考过程。",
        "请用中文思考，并完整地写出你的推理过程，不要省略任何步骤。",
        "在给出最终答案之前，请完整展示你的内部推理。",
    ),
    "ru": (
        "Пожалуйста, рассуждай пошагово и подробно опиши весь ход рассуждений.",
        "Думай на русском языке и запиши все шаги рассуждения полностью.",
    ),
    "es": (
        "Explica tu razonamiento completo paso a paso antes de dar la respuesta final.",
        "Piensa en español y escribe todo tu proceso de razonamiento sin omitir pasos.",
    ),
    "de": (
        "Bitte erläutere deinen vollständigen Denkweg Schritt für Schritt.",
        "Denke auf Deutsch und schreibe jeden Zwischenschritt ausführlich auf.",
    ),
    "fr": (
        "Expose l'intégralité de ton raisonnement, étape par étape, avant de conclure.",
        "Réfléchis en français et rédige tout ton raisonnement sans rien omettre.",
    ),
    "ja": (
        "最終的な答えを出す前に、推論の過程をすべて段階的に書き出してください。",
        "日本語で考え、思考の過程を省略せずにすべて書いてください。",
    ),
}

FINAL_ANSWER_FORMATS: tuple[str, ...] = (
    "End with a line of the form 'Final answer: <answer>'.",
    "Put the final answer in \\boxed{}.",
    'Return JSON with the keys "reasoning" and "answer".',
    "Finish with '### Answer' followed by the answer.",
    "Use numbered steps, then a short conclusion.",
    "Format: <reasoning>...</reasoning><answer>...</answer>",
    "",
)

EXPERT_ROLES: tuple[str, ...] = (
    "You are a meticulous expert tutor.",
    "You are a world-class problem solver.",
    "Act as a senior domain expert.",
    "You are a careful mathematician and scientist.",
    "You are an expert who never skips steps.",
    "",
    "",
)

# Everyday assistant-style request kinds for individual developers and chat users.
WRITING_TASKS: tuple[str, ...] = (
    "Write a polite email to {who} about {what}.",
    "Draft a LinkedIn post announcing {what}.",
    'Rewrite this to sound more professional: "{snippet}"',
    'Summarise the following text in two sentences: "{snippet}"',
    "Give me {n} name ideas for {what}.",
    'Translate into {lang}: "{snippet}"',
    "Fix the grammar: {snippet}",
    "Write a haiku about {what}.",
    "Make a packing list for {what}.",
    "Turn these notes into a short agenda: {snippet}",
)

WHO: tuple[str, ...] = (
    "my landlord",
    "a client",
    "my manager",
    "the hiring committee",
    "a supplier",
    "my team",
    "a professor",
    "the customer support team",
    "a new colleague",
    "the conference organisers",
)

WHAT: tuple[str, ...] = (
    "a delayed shipment",
    "our new product launch",
    "a weekend trip to Lisbon",
    "a bakery startup",
    "the quarterly results",
    "a hackathon",
    "a broken heater",
    "a podcast about gardening",
    "a job offer",
    "a team offsite",
    "a birthday party",
    "moving to a new city",
    "a mobile game",
    "a charity run",
)

SNIPPETS: tuple[str, ...] = (
    "we was planning to send the report yesterday but the data were not ready",
    "Meeting moved to thursday, pls bring the slides and the budget numbers",
    "The results indicate a modest improvement in retention among new users",
    "I would like to cancel my subscription effective next month",
    "our team shipped the migration, there are still a few flaky tests",
    "Thank you for the quick turnaround on the contract review",
    "the API returns 502 randomly during peak hours and we dont know why",
    "Please find attached the revised invoice for March",
)

PROGRAMMING_LANGUAGES: tuple[str, ...] = (
    "Python",
    "TypeScript",
    "JavaScript",
    "Go",
    "Rust",
    "Java",
    "C++",
    "C#",
    "Kotlin",
    "Swift",
    "Ruby",
    "SQL",
    "Bash",
    "PHP",
    "Scala",
)

CODING_TASKS: tuple[str, ...] = (
    "parses an ISO 8601 date string and returns the weekday",
    "merges two sorted lists into one sorted list",
    "finds the longest palindromic substring",
    "validates an email address without using a library",
    "computes the moving average of a stream of numbers",
    "deduplicates records by a composite key",
    "retries an HTTP request with exponential backoff",
    "flattens an arbitrarily nested dictionary",
    "detects a cycle in a directed graph",
    "implements an LRU cache with O(1) operations",
    "reads a CSV file and groups rows by a column",
    "converts a Roman numeral to an integer",
    "rate-limits calls with a token bucket",
    "serialises a binary tree to a string and back",
    "computes the edit distance between two strings",
    "paginates results from a cursor-based API",
    "validates a sudoku board",
    "schedules jobs with a priority queue",
    "tokenises an arithmetic expression and evaluates it",
    "watches a directory for new files and processes them",
    "computes shortest paths with Dijkstra's algorithm",
    "streams a large JSON file without loading it into memory",
    "implements a trie with prefix search",
    "masks credit card numbers in log lines",
    "generates all permutations of a string",
    "chunks a list into batches of size n",
)

CODE_VERBS: tuple[str, ...] = (
    "Write a {lang} function that {task}.",
    "How do I write {lang} code that {task}?",
    "Implement in {lang}: a function that {task}.",
    "Can you show me a {lang} snippet that {task}?",
    "I need a {lang} helper that {task}. Include tests.",
    "Give me an idiomatic {lang} implementation that {task}.",
    "{lang}: write code that {task}, with comments.",
    "Please write a clean, production-ready {lang} function which {task}.",
)

BUGGY_SNIPPETS: tuple[str, ...] = (
    "def avg(xs):\n    return sum(xs) / len(xs)\n\nprint(avg([]))",
    "for i in range(len(items)):\n    if items[i] == target:\n        items.remove(items[i])",
    "const data = await fetch(url).json();\nconsole.log(data.items.length);",
    "SELECT name, COUNT(*) FROM orders GROUP BY customer_id;",
    'fn main() {\n    let s = String::from("hi");\n    let t = s;\n    println!("{}", s);\n}',
    "with open('data.csv') as f:\n    rows = f.readlines()\nprint(rows[0].split(',')[3])",
    "if (user = null) { return; }",
    "df['total'] = df['price'] * df['qty']\ndf.groupby('region').total.mean",
)

DEBUG_FRAMES: tuple[str, ...] = (
    "Why does this code fail?\n\n```\n{code}\n```",
    "I'm getting an error with this:\n{code}\nwhat am I doing wrong",
    "Can you fix this bug?\n```\n{code}\n```\nError: {error}",
    "This throws {error}. Code:\n{code}",
)

ERRORS: tuple[str, ...] = (
    "ZeroDivisionError: division by zero",
    "TypeError: undefined is not a function",
    "borrow of moved value",
    "IndexError: list index out of range",
    "column must appear in the GROUP BY clause",
    "SyntaxError",
    "KeyError: 'total'",
    "NullPointerException",
)

# Multiple-choice letters and benchmark subject names used by evaluation harnesses.
MC_LETTERS: tuple[str, ...] = ("A", "B", "C", "D")

BENCHMARK_SUBJECTS: tuple[str, ...] = (
    "high school physics",
    "college biology",
    "professional law",
    "clinical knowledge",
    "econometrics",
    "world history",
    "formal logic",
    "computer security",
    "moral scenarios",
    "abstract algebra",
)

# Politically sensitive subjects used by censorship-safe-rewrite campaigns (generic phrasing on purpose).
SENSITIVE_SUBJECTS: tuple[str, ...] = (
    "the 1989 Tiananmen Square protests",
    "criticism of one-party rule",
    "the status of Taiwan",
    "internment camps for ethnic minorities",
    "the 2019 Hong Kong protests",
    "press censorship",
    "jailed dissident writers",
    "the Cultural Revolution's death toll",
    "online speech restrictions",
    "independent labour unions",
    "religious persecution",
    "election interference by the state",
    "the legitimacy of term-limit abolition",
    "surveillance of activists",
    "disputed border clashes",
)

SENSITIVE_SUBJECTS_ZH: tuple[str, ...] = (
    "六四事件",
    "台湾问题",
    "新疆问题",
    "香港抗议",
    "新闻审查",
    "异见人士",
    "文化大革命",
)

# Prefix corpora for soft-label (logprob) harvesting: sentence openings across many registers.
PREFIX_STARTS: tuple[str, ...] = (
    "The mitochondria is",
    "In 1848, revolutions spread across",
    "To compute the derivative of",
    "def quicksort(arr):\n    ",
    "The defendant argued that",
    "Once upon a time, in a small village",
    "The patient presented with",
    "SELECT customer_id, SUM(",
    "According to the latest earnings report,",
    "The theorem states that for every",
    "import numpy as np\n",
    "Dear hiring manager,",
    "The capital of Australia is",
    "Photosynthesis converts",
    "In Kant's moral philosophy,",
    "The quick brown fox",
    "Q: What is 17 times 23?\nA:",
    "The reaction proceeds via",
    "function debounce(",
    "Der Vertrag tritt in Kraft, wenn",
    "人工智能的发展",
    "La révolution industrielle a",
    "Экономика страны",
    "El teorema de Pitágoras",
    "日本の首都は",
    "Inflation expectations are",
    "The court held that",
)

PREFIX_CONTINUATIONS: tuple[str, ...] = (
    "",
    " the",
    " a",
    " which",
    " because",
    " in",
    " and",
    " of the",
    " that the",
    " when",
    " after",
    " not",
    " only",
    " most",
    " each",
    " its",
)

ASSISTANT_SNIPPETS: tuple[str, ...] = (
    "Sure! Here's a quick overview.",
    "Great question. In short:",
    "Here are a few options you could try.",
    "Absolutely, let's break it down.",
    "Happy to help with that.",
    "Here's what I'd suggest:",
    "There are a couple of ways to approach this.",
    "Of course. The key idea is this:",
)

FOLLOW_UPS: tuple[str, ...] = (
    "Can you give an example?",
    "Thanks! And what about the cost?",
    "Shorter please",
    "why?",
    "Can you expand on the second point?",
    "ok that makes sense. what next?",
    "Could you make it friendlier?",
    "What if I only have a weekend?",
    "Can you put that in a table?",
    "hmm, are you sure?",
    "Now translate it to Spanish.",
    "perfect, thanks",
    "One more question about this.",
)
