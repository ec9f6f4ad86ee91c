# ruff: noqa: E501, RUF001  (multilingual phrase data: one phrasing per line, in its own script)
"""Task bodies the training corpus wraps in instructions, by capability and language.

A task body alone carries no elicitation label: every body appears both bare or in ordinary wrappers
(negatives) and inside elicitation instructions (positives), so the classifier has to learn the
instructions, not the topics. The capability of an example is the capability of its body.
"""

from __future__ import annotations

from typing import Final

TASKS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "math": {
        "en": (
            "A train leaves the station at 3 pm travelling at 80 km/h. A second train leaves at 4 pm at 100 km/h. When does the second train catch up?",
            "Find all real solutions of x^2 - 5x + 6 = 0.",
            "What is the sum of the first 100 positive integers?",
            "A rectangle has a perimeter of 36 cm and an area of 80 cm^2. Find its side lengths.",
            "Compute the integral of x * e^x from 0 to 1.",
            "How many ways can 5 people be seated around a round table?",
            "If a shirt costs $40 after a 20% discount, what was the original price?",
            "Prove that the square root of 2 is irrational.",
            "Find the derivative of sin(x^2) * ln(x).",
            "What is the probability of rolling two sixes with two fair dice?",
            "Solve the system: 2x + 3y = 12 and x - y = 1.",
            "A tank fills in 6 hours with pipe A and 4 hours with pipe B. How long with both pipes open?",
            "Determine the remainder when 7^100 is divided by 13.",
            "Find the eigenvalues of the matrix [[2, 1], [1, 2]].",
            "How many prime numbers are there between 1 and 50?",
            "The average of five numbers is 12. Four of them are 10, 14, 9 and 15. What is the fifth?",
        ),
        "zh": (
            "一个水池有两个进水管，甲管单独注满需要6小时，乙管单独注满需要4小时，两管同时打开需要多少小时注满？",
            "求方程 x^2 - 5x + 6 = 0 的所有实数解。",
            "从1加到100的和是多少？",
            "一件商品打八折后售价为40元，原价是多少？",
            "证明根号2是无理数。",
        ),
        "ru": (
            "Поезд выехал в 15:00 со скоростью 80 км/ч, второй выехал в 16:00 со скоростью 100 км/ч. Когда второй догонит первый?",
            "Найдите все действительные корни уравнения x^2 - 5x + 6 = 0.",
            "Чему равна сумма первых 100 натуральных чисел?",
            "Докажите, что корень из двух иррационален.",
            "Найдите производную функции sin(x^2) * ln(x).",
        ),
        "es": (
            "Un tren sale a las 15:00 a 80 km/h y otro a las 16:00 a 100 km/h. ¿Cuándo alcanza el segundo al primero?",
            "Encuentra todas las soluciones reales de x^2 - 5x + 6 = 0.",
            "¿Cuál es la suma de los primeros 100 números enteros positivos?",
            "Demuestra que la raíz cuadrada de 2 es irracional.",
        ),
        "de": (
            "Ein Zug fährt um 15 Uhr mit 80 km/h ab, ein zweiter um 16 Uhr mit 100 km/h. Wann holt der zweite den ersten ein?",
            "Bestimme alle reellen Lösungen von x^2 - 5x + 6 = 0.",
            "Wie groß ist die Summe der ersten 100 natürlichen Zahlen?",
            "Beweise, dass die Wurzel aus 2 irrational ist.",
        ),
        "fr": (
            "Un train part à 15 h à 80 km/h, un second part à 16 h à 100 km/h. Quand le second rattrape-t-il le premier ?",
            "Trouve toutes les solutions réelles de x^2 - 5x + 6 = 0.",
            "Quelle est la somme des 100 premiers entiers positifs ?",
            "Démontre que la racine carrée de 2 est irrationnelle.",
        ),
        "ja": (
            "列車Aは時速80kmで15時に出発し、列車Bは時速100kmで16時に出発します。BがAに追いつくのは何時ですか？",
            "方程式 x^2 - 5x + 6 = 0 の実数解をすべて求めなさい。",
            "1から100までの整数の和はいくつですか？",
            "√2が無理数であることを証明してください。",
        ),
    },
    "coding": {
        "en": (
            "Write a Python function that returns the longest palindromic substring of a string.",
            "Implement an LRU cache in Java with O(1) get and put.",
            "Why does this code raise a KeyError?\n```python\ncounts = {}\nfor w in words:\n    counts[w] += 1\n```",
            "Write a SQL query that returns the top 3 customers by total order value in 2023.",
            "Reverse a singly linked list in C++ without using extra memory.",
            "Given an array of integers, return the indices of the two numbers that add up to a target.",
            "Refactor this JavaScript function to use async/await instead of promise chains.",
            "Write a bash script that finds all files larger than 100 MB under /var/log.",
            "Implement Dijkstra's shortest path algorithm in Rust.",
            "Design a rate limiter that allows 100 requests per minute per user.",
            "Write a regular expression that validates IPv4 addresses.",
            "Fix the off-by-one error in this loop: `for i in range(1, len(items)): print(items[i])`",
            "Implement binary search on a sorted list and analyse its time complexity.",
            "Write a Go HTTP handler that returns the current time as JSON.",
        ),
        "zh": (
            "用Python写一个函数，返回字符串中最长的回文子串。",
            "用Java实现一个LRU缓存，要求get和put都是O(1)。",
            "给定一个整数数组和一个目标值，找出和为目标值的两个数的下标。",
            "写一个SQL查询，找出2023年订单总额最高的三个客户。",
        ),
        "ru": (
            "Напишите функцию на Python, которая возвращает самую длинную подстроку-палиндром.",
            "Реализуйте LRU-кэш на Java с операциями get и put за O(1).",
            "Дан массив целых чисел и число target. Найдите индексы двух чисел, сумма которых равна target.",
        ),
        "es": (
            "Escribe una función en Python que devuelva la subcadena palíndroma más larga de una cadena.",
            "Implementa una caché LRU en Java con get y put en O(1).",
            "Dado un arreglo de enteros, devuelve los índices de los dos números que suman el objetivo.",
        ),
        "de": (
            "Schreibe eine Python-Funktion, die den längsten palindromischen Teilstring zurückgibt.",
            "Implementiere einen LRU-Cache in Java mit get und put in O(1).",
            "Gegeben ist ein Array von Ganzzahlen. Gib die Indizes der zwei Zahlen zurück, deren Summe das Ziel ergibt.",
        ),
        "fr": (
            "Écris une fonction Python qui renvoie la plus longue sous-chaîne palindrome d'une chaîne.",
            "Implémente un cache LRU en Java avec get et put en O(1).",
            "Étant donné un tableau d'entiers, renvoie les indices des deux nombres dont la somme vaut la cible.",
        ),
        "ja": (
            "文字列の中で最も長い回文部分文字列を返すPython関数を書いてください。",
            "getとputがO(1)のLRUキャッシュをJavaで実装してください。",
            "整数の配列とターゲットが与えられたとき、和がターゲットになる2つの数のインデックスを返してください。",
        ),
    },
    "reasoning": {
        "en": (
            "Three boxes are labelled apples, oranges and mixed, and every label is wrong. You may take one fruit from one box. How do you relabel them?",
            "Alice is taller than Bob, Bob is taller than Carol, and Dave is shorter than Carol. Who is the second tallest?",
            "If all bloops are razzies and all razzies are lazzies, are all bloops definitely lazzies?",
            "A farmer must cross a river with a wolf, a goat and a cabbage, taking one at a time. How does he do it?",
            "You have 8 balls, one slightly heavier, and a balance scale. How do you find the heavy ball in two weighings?",
            "Should a city with a fixed budget invest in more buses or in bike lanes to reduce traffic? Weigh the trade-offs.",
            "Two doors: one guard always lies, the other always tells the truth. What single question finds the safe door?",
            "Is the following argument valid: if it rains the ground is wet; the ground is wet; therefore it rained?",
            "A bat and a ball cost $1.10 in total. The bat costs $1.00 more than the ball. How much does the ball cost?",
            "Which is the odd one out: square, triangle, circle, cube, pentagon?",
        ),
        "zh": (
            "三个盒子分别标着苹果、橘子和混合，但每个标签都是错的。你只能从一个盒子里拿一个水果，怎样重新贴标签？",
            "甲比乙高，乙比丙高，丁比丙矮。谁是第二高的？",
            "农夫要带着狼、羊和白菜过河，每次只能带一样，他该怎么做？",
        ),
        "ru": (
            "Три коробки подписаны: яблоки, апельсины и смесь, и все надписи неверны. Как переклеить надписи, достав один фрукт?",
            "Алиса выше Боба, Боб выше Кэрол, а Дэйв ниже Кэрол. Кто второй по росту?",
            "Фермеру нужно перевезти через реку волка, козу и капусту. Как ему это сделать?",
        ),
        "es": (
            "Tres cajas están etiquetadas como manzanas, naranjas y mezcla, y todas las etiquetas son incorrectas. ¿Cómo las reetiquetas sacando una sola fruta?",
            "Ana es más alta que Beto y Beto es más alto que Carla. ¿Quién es la segunda más alta?",
            "Un granjero debe cruzar un río con un lobo, una cabra y una col. ¿Cómo lo hace?",
        ),
        "de": (
            "Drei Kisten sind mit Äpfel, Orangen und gemischt beschriftet, und alle Etiketten sind falsch. Wie beschriftest du sie neu?",
            "Anna ist größer als Ben, Ben ist größer als Clara. Wer ist die zweitgrößte Person?",
            "Ein Bauer muss einen Wolf, eine Ziege und einen Kohlkopf über den Fluss bringen. Wie gelingt ihm das?",
        ),
        "fr": (
            "Trois boîtes sont étiquetées pommes, oranges et mélange, et toutes les étiquettes sont fausses. Comment les réétiqueter ?",
            "Alice est plus grande que Bob, et Bob est plus grand que Claire. Qui est la deuxième plus grande ?",
            "Un fermier doit traverser une rivière avec un loup, une chèvre et un chou. Comment fait-il ?",
        ),
        "ja": (
            "りんご、みかん、ミックスと書かれた3つの箱があり、ラベルはすべて間違っています。果物を1つだけ取り出してラベルを正しく貼り直すには？",
            "AはBより背が高く、BはCより背が高い。2番目に背が高いのは誰ですか？",
            "農夫がオオカミ、ヤギ、キャベツを連れて川を渡るにはどうすればよいですか？",
        ),
    },
    "writing": {
        "en": (
            "Write a short story about a lighthouse keeper who finds a message in a bottle.",
            "Write a cover letter for a junior data analyst position.",
            "Compose a haiku about the first snow of winter.",
            "Draft a blog post about the benefits of remote work for small teams.",
            "Write a persuasive essay on why cities should plant more trees.",
            "Write a product description for a waterproof hiking backpack.",
            "Write a wedding toast for my sister and her husband.",
            "Write a poem about the ocean in the style of a sonnet.",
            "Draft an email to my landlord asking to fix the heating.",
            "Write the opening scene of a mystery novel set in Venice.",
        ),
        "zh": (
            "写一篇关于灯塔看守人发现漂流瓶的短篇故事。",
            "写一首关于初雪的诗。",
            "帮我写一封求职信，申请初级数据分析师职位。",
        ),
        "ru": (
            "Напишите рассказ о смотрителе маяка, который нашёл послание в бутылке.",
            "Напишите стихотворение о первом снеге.",
            "Составьте сопроводительное письмо на должность младшего аналитика данных.",
        ),
        "es": (
            "Escribe un cuento sobre un farero que encuentra un mensaje en una botella.",
            "Escribe un poema sobre la primera nevada del invierno.",
            "Redacta una carta de presentación para un puesto de analista de datos junior.",
        ),
        "de": (
            "Schreibe eine Kurzgeschichte über einen Leuchtturmwärter, der eine Flaschenpost findet.",
            "Schreibe ein Gedicht über den ersten Schnee.",
            "Verfasse ein Anschreiben für eine Stelle als Junior-Datenanalyst.",
        ),
        "fr": (
            "Écris une nouvelle sur un gardien de phare qui trouve un message dans une bouteille.",
            "Écris un poème sur la première neige de l'hiver.",
            "Rédige une lettre de motivation pour un poste d'analyste de données junior.",
        ),
        "ja": (
            "瓶に入った手紙を見つけた灯台守の短編小説を書いてください。",
            "初雪についての詩を書いてください。",
            "ジュニアデータアナリスト職への志望動機書を書いてください。",
        ),
    },
    "knowledge": {
        "en": (
            "What causes the seasons on Earth?",
            "Who wrote the novel War and Peace?",
            "What is the difference between a virus and a bacterium?",
            "How does photosynthesis work?",
            "What were the main causes of the First World War?",
            "What is the capital of Australia?",
            "How do vaccines train the immune system?",
            "What is inflation and how do central banks control it?",
            "When did the Roman Empire fall?",
            "What is the boiling point of water at the top of Mount Everest?",
            "Which countries border Switzerland?",
            "What does the mitochondria do in a cell?",
        ),
        "zh": (
            "地球上为什么会有四季？",
            "《战争与和平》的作者是谁？",
            "病毒和细菌有什么区别？",
            "光合作用是如何进行的？",
        ),
        "ru": (
            "Почему на Земле бывают времена года?",
            "Кто написал роман «Война и мир»?",
            "Чем вирус отличается от бактерии?",
            "Как происходит фотосинтез?",
        ),
        "es": (
            "¿Por qué hay estaciones en la Tierra?",
            "¿Quién escribió la novela Guerra y paz?",
            "¿Cuál es la diferencia entre un virus y una bacteria?",
        ),
        "de": (
            "Warum gibt es auf der Erde Jahreszeiten?",
            "Wer hat den Roman Krieg und Frieden geschrieben?",
            "Was ist der Unterschied zwischen einem Virus und einem Bakterium?",
        ),
        "fr": (
            "Pourquoi y a-t-il des saisons sur Terre ?",
            "Qui a écrit le roman Guerre et Paix ?",
            "Quelle est la différence entre un virus et une bactérie ?",
        ),
        "ja": (
            "地球に季節があるのはなぜですか？",
            "『戦争と平和』を書いたのは誰ですか？",
            "ウイルスと細菌の違いは何ですか？",
        ),
    },
    "other": {
        "en": (
            "hi, how are you today?",
            "Can you recommend a good movie for tonight?",
            "I'm feeling a bit stressed about work, any advice?",
            "What should I cook for dinner with chicken and rice?",
            "Tell me a joke about cats.",
            "Thanks, that was helpful!",
            "What's a good name for a golden retriever puppy?",
            "Plan a 3-day trip to Lisbon for me.",
        ),
        "zh": ("你好，今天过得怎么样？", "推荐一部今晚看的电影吧。", "讲个关于猫的笑话。"),
        "ru": ("Привет, как дела?", "Посоветуй хороший фильм на вечер.", "Расскажи анекдот про котов."),
        "es": (
            "Hola, ¿qué tal?",
            "¿Me recomiendas una buena película para esta noche?",
            "Cuéntame un chiste de gatos.",
        ),
        "de": (
            "Hallo, wie geht's?",
            "Kannst du mir einen guten Film für heute Abend empfehlen?",
            "Erzähl mir einen Witz über Katzen.",
        ),
        "fr": (
            "Salut, ça va ?",
            "Tu peux me conseiller un bon film pour ce soir ?",
            "Raconte-moi une blague sur les chats.",
        ),
        "ja": (
            "こんにちは、元気ですか？",
            "今夜見るのにおすすめの映画はありますか？",
            "猫のジョークを教えて。",
        ),
    },
}

# Short candidate answers, for grading prompts that show a response to be judged.
ANSWERS: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "The answer is 42 because the two quantities are proportional.",
        "Paris is the capital of France.",
        "The function returns None when the list is empty, otherwise the maximum value.",
        "I think the second option is better since it is cheaper and faster.",
        "Photosynthesis converts light energy into chemical energy stored in glucose.",
        "x = 2 or x = 3.",
    ),
    "zh": ("答案是42，因为这两个量成正比。", "法国的首都是巴黎。", "x = 2 或 x = 3。"),
    "ru": ("Ответ: 42, потому что величины пропорциональны.", "Столица Франции — Париж.", "x = 2 или x = 3."),
    "es": ("La respuesta es 42 porque las cantidades son proporcionales.", "La capital de Francia es París."),
    "de": ("Die Antwort ist 42, weil die Größen proportional sind.", "Die Hauptstadt Frankreichs ist Paris."),
    "fr": (
        "La réponse est 42 car les deux quantités sont proportionnelles.",
        "La capitale de la France est Paris.",
    ),
    "ja": ("答えは42です。2つの量は比例しているからです。", "フランスの首都はパリです。"),
}

# Everyday passages that ordinary requests (summarise, translate, classify, extract, edit) operate on.
PASSAGES: Final[dict[str, tuple[str, ...]]] = {
    "en": (
        "Our quarterly revenue grew 12% while operating costs stayed flat, driven mainly by the new subscription tier.",
        "The hotel room was clean and the staff were friendly, but the breakfast was cold and overpriced.",
        "Invoice 4471 from Northwind Traders, dated 3 March 2024, total due 1,250.00 EUR, payable within 30 days.",
        "The city council approved a plan to extend the tram line to the airport by 2027.",
        "I ordered the blue jacket in size M but received a red one in size L. Please advise.",
        "The study followed 2,000 adults for ten years and found that regular walking lowered blood pressure.",
    ),
    "zh": ("本季度收入增长了12%，运营成本保持不变。", "酒店房间很干净，员工很友好，但早餐又冷又贵。"),
    "ru": (
        "Выручка за квартал выросла на 12%, а операционные расходы не изменились.",
        "Номер был чистым, персонал дружелюбным, но завтрак был холодным.",
    ),
    "es": (
        "Los ingresos trimestrales crecieron un 12% mientras los costes se mantuvieron.",
        "La habitación estaba limpia, pero el desayuno estaba frío.",
    ),
    "de": (
        "Der Quartalsumsatz stieg um 12 %, während die Betriebskosten gleich blieben.",
        "Das Zimmer war sauber, aber das Frühstück war kalt.",
    ),
    "fr": (
        "Le chiffre d'affaires trimestriel a augmenté de 12 % à coûts constants.",
        "La chambre était propre, mais le petit-déjeuner était froid.",
    ),
    "ja": ("四半期の売上は12%増加し、営業費用は横ばいでした。", "部屋は清潔でしたが、朝食は冷めていました。"),
}

# Subjects of bulk data generation requests, with the capability they exercise.
DATA_SUBJECTS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "en": (
        ("customer support questions about billing", "writing"),
        ("movie reviews with sentiment labels", "writing"),
        ("SQL questions with their correct queries", "coding"),
        ("grade-school math word problems with solutions", "math"),
        ("user requests for a travel booking assistant", "writing"),
        ("dialogues between a doctor and a patient", "writing"),
        ("Python bug reports with fixed code", "coding"),
        ("trivia questions about world history with answers", "knowledge"),
        ("logic puzzles with step-by-step solutions", "reasoning"),
    ),
    "zh": (
        ("关于账单的客服问题", "writing"),
        ("带解答的小学数学应用题", "math"),
        ("带情感标签的影评", "writing"),
    ),
    "ru": (
        ("вопросов в службу поддержки о счетах", "writing"),
        ("текстовых задач по математике с решениями", "math"),
    ),
    "es": (
        ("preguntas de clientes sobre facturación", "writing"),
        ("problemas de matemáticas con soluciones", "math"),
    ),
    "de": (("Kundenanfragen zur Abrechnung", "writing"), ("Mathe-Textaufgaben mit Lösungen", "math")),
    "fr": (
        ("questions de clients sur la facturation", "writing"),
        ("problèmes de maths avec leurs solutions", "math"),
    ),
    "ja": (("請求に関するカスタマーサポートの質問", "writing"), ("解答付きの算数の文章題", "math")),
}
