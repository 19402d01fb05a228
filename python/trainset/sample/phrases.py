"""Message text for the sample desk of a mobile football-manager game.

Templates share vocabulary across categories on purpose (coins, match, squad,
purchase), and some are ambiguous, so a text classifier has real work to do.
Slots: {item}, {amount}, {feature}, {rival}.
"""

LANGUAGES = ("en", "es", "pt", "de")

# Share of players per language, and plausible countries for each.
LANGUAGE_WEIGHTS = {"en": 0.5, "es": 0.2, "pt": 0.15, "de": 0.15}
COUNTRIES = {
    "en": ("GB", "US", "AU", "IE", "CA"),
    "es": ("ES", "MX", "AR", "CO"),
    "pt": ("BR", "PT"),
    "de": ("DE", "AT", "CH"),
}

SLOTS = {
    "en": {
        "item": (
            "the 1200 coins pack",
            "the season pass",
            "the gem bundle",
            "the legends player pack",
            "the stadium upgrade",
        ),
        "feature": (
            "the transfer market",
            "the training screen",
            "the league table",
            "the lineup editor",
            "friendly matches",
            "the scouting report",
        ),
        "rival": (
            "FCBarcelonaFan99",
            "TheGaffer",
            "kickoff_king",
            "UltraManager",
            "golazo_gus",
        ),
    },
    "es": {
        "item": (
            "el paquete de 1200 monedas",
            "el pase de temporada",
            "el lote de gemas",
            "el sobre de leyendas",
            "la mejora del estadio",
        ),
        "feature": (
            "el mercado de fichajes",
            "la pantalla de entrenamiento",
            "la clasificación de la liga",
            "el editor de alineación",
            "los partidos amistosos",
            "el informe de ojeadores",
        ),
        "rival": (
            "ElMister",
            "crack_del_barrio",
            "TikiTakaTeo",
            "la_pulga_10",
            "GolazoGonzalo",
        ),
    },
    "pt": {
        "item": (
            "o pacote de 1200 moedas",
            "o passe de temporada",
            "o pacote de gemas",
            "o pacote de lendas",
            "a melhoria do estádio",
        ),
        "feature": (
            "o mercado de transferências",
            "a tela de treino",
            "a tabela da liga",
            "o editor de escalação",
            "os amistosos",
            "o relatório de olheiros",
        ),
        "rival": (
            "OProfessor",
            "craque_do_bairro",
            "FuteRei",
            "jogabonito7",
            "TecnicoTiago",
        ),
    },
    "de": {
        "item": (
            "das 1200-Münzen-Paket",
            "den Saisonpass",
            "das Juwelen-Bündel",
            "das Legenden-Spielerpaket",
            "den Stadionausbau",
        ),
        "feature": (
            "den Transfermarkt",
            "den Trainingsbildschirm",
            "die Ligatabelle",
            "den Aufstellungseditor",
            "die Freundschaftsspiele",
            "den Scouting-Bericht",
        ),
        "rival": (
            "DerTrainer",
            "Bolzplatzkönig",
            "TorjaegerTim",
            "KaiserFranz_5",
            "Abseitsfalle",
        ),
    },
}

AMOUNTS = ("$4.99", "$9.99", "$19.99", "$49.99", "€9.99", "€19.99", "R$ 24,90")

# Player-written first messages, by category then language.
FIRST_MESSAGES = {
    "billing": {
        "en": [
            "I bought {item} for {amount} but I never got the coins",
            "I was charged twice for {item}, please refund one of them",
            "why did you charge me {amount}?? I didn't buy anything",
            "my kid bought {item} without asking, can I get a refund",
            "paid {amount} for {item} and the game says the purchase failed",
            "bought {item} yesterday and now my coins are gone after the update",
        ],
        "es": [
            "compré {item} por {amount} pero no recibí las monedas",
            "me cobraron dos veces {item}, quiero un reembolso",
            "por qué me cobraron {amount}? no compré nada",
            "pagué {item} y el juego dice que la compra falló",
            "mi hijo compró {item} sin permiso, pueden devolver el dinero",
        ],
        "pt": [
            "comprei {item} por {amount} e não recebi as moedas",
            "fui cobrado duas vezes pelo {item}, quero reembolso",
            "por que me cobraram {amount}? não comprei nada",
            "paguei {item} e o jogo diz que a compra falhou",
        ],
        "de": [
            "ich habe {item} für {amount} gekauft aber keine Münzen bekommen",
            "mir wurde {item} zweimal abgebucht, bitte erstatten",
            "warum wurden mir {amount} berechnet? ich habe nichts gekauft",
            "{item} bezahlt und das Spiel sagt der Kauf ist fehlgeschlagen",
        ],
    },
    "account": {
        "en": [
            "I can't log in to my account anymore, it says wrong password",
            "lost my phone and my club is gone, how do I recover my account",
            "please delete my account and all my data",
            "I changed phone and my progress didn't transfer, my club is level 45",
            "someone hacked my account and changed the email",
            "the login with google doesn't work, I lost my whole squad",
        ],
        "es": [
            "no puedo entrar en mi cuenta, dice contraseña incorrecta",
            "perdí el móvil y mi club desapareció, cómo recupero la cuenta",
            "quiero borrar mi cuenta y todos mis datos",
            "cambié de teléfono y no se transfirió mi progreso",
            "me hackearon la cuenta y cambiaron el correo",
        ],
        "pt": [
            "não consigo entrar na minha conta, diz senha errada",
            "perdi o celular e meu clube sumiu, como recupero a conta",
            "quero excluir minha conta e meus dados",
            "troquei de celular e meu progresso não foi transferido",
        ],
        "de": [
            "ich kann mich nicht mehr einloggen, falsches Passwort",
            "Handy verloren und mein Verein ist weg, wie stelle ich das Konto wieder her",
            "bitte löscht mein Konto und alle meine Daten",
            "neues Handy und mein Fortschritt ist nicht übertragen worden",
        ],
    },
    "bug": {
        "en": [
            "the game crashes every time I open {feature}",
            "after the update the match freezes at half time",
            "{feature} shows a black screen and then the app closes",
            "my players' stats are wrong after the match, it looks like a bug",
            "the game keeps crashing when I try to buy {item}",
            "stuck on the loading screen since the last update",
        ],
        "es": [
            "el juego se cierra cada vez que abro {feature}",
            "después de la actualización el partido se congela en el descanso",
            "{feature} sale en negro y luego se cierra la app",
            "el juego se cuelga cuando intento comprar {item}",
        ],
        "pt": [
            "o jogo fecha toda vez que abro {feature}",
            "depois da atualização a partida trava no intervalo",
            "{feature} fica com a tela preta e o app fecha",
            "o jogo trava quando tento comprar {item}",
        ],
        "de": [
            "das Spiel stürzt jedes Mal ab wenn ich {feature} öffne",
            "nach dem Update friert das Spiel zur Halbzeit ein",
            "{feature} zeigt nur schwarz und dann schließt sich die App",
            "das Spiel hängt wenn ich {item} kaufen will",
        ],
    },
    "gameplay": {
        "en": [
            "how does {feature} work? I don't understand the ratings",
            "why did my team lose the match with 80% possession",
            "how do I get more coins without paying",
            "what is the rule for yellow cards in the league",
            "how can I sell players on {feature}",
            "when does the season end and how are rewards given",
        ],
        "es": [
            "cómo funciona {feature}? no entiendo las valoraciones",
            "por qué perdí el partido con 80% de posesión",
            "cómo consigo más monedas sin pagar",
            "cómo vendo jugadores en {feature}",
        ],
        "pt": [
            "como funciona {feature}? não entendo as notas",
            "por que perdi a partida com 80% de posse",
            "como consigo mais moedas sem pagar",
            "como vendo jogadores n{feature}",
        ],
        "de": [
            "wie funktioniert {feature}? ich verstehe die Wertungen nicht",
            "warum hat mein Team mit 80% Ballbesitz verloren",
            "wie bekomme ich mehr Münzen ohne zu bezahlen",
            "wie verkaufe ich Spieler auf {feature}",
        ],
    },
    "abuse": {
        "en": [
            "the player {rival} is cheating, he wins every match 10-0",
            "{rival} sent me insults in the chat",
            "report {rival}, offensive club name",
            "someone is using a hack on {feature}, please ban {rival}",
        ],
        "es": [
            "el jugador {rival} hace trampas, gana todos los partidos 10-0",
            "{rival} me insultó en el chat",
            "denuncio a {rival}, nombre de club ofensivo",
        ],
        "pt": [
            "o jogador {rival} está trapaceando, ganha todas por 10-0",
            "{rival} me xingou no chat",
            "denuncio {rival}, nome de clube ofensivo",
        ],
        "de": [
            "der Spieler {rival} cheatet, er gewinnt jedes Spiel 10-0",
            "{rival} hat mich im Chat beleidigt",
            "Meldung gegen {rival}, beleidigender Vereinsname",
        ],
    },
    "feedback": {
        "en": [
            "love the game but please add more leagues",
            "suggestion: let us customise the stadium",
            "the new update is great, but {feature} is too slow",
            "please add a dark mode and more kits",
        ],
        "es": [
            "me encanta el juego pero añadan más ligas",
            "sugerencia: dejen personalizar el estadio",
            "la actualización es buena pero {feature} va lento",
        ],
        "pt": [
            "amo o jogo mas adicionem mais ligas",
            "sugestão: deixem personalizar o estádio",
            "a atualização é ótima mas {feature} está lento",
        ],
        "de": [
            "tolles Spiel aber bitte mehr Ligen hinzufügen",
            "Vorschlag: lasst uns das Stadion gestalten",
            "das Update ist super, aber {feature} ist zu langsam",
        ],
    },
    "spam": {
        "en": [
            "FREE COINS visit cheap-coins-generator now",
            "best football betting tips, contact us",
        ],
        "es": ["MONEDAS GRATIS entra ya en generador-monedas"],
        "pt": ["MOEDAS GRÁTIS acesse gerador-de-moedas agora"],
        "de": ["GRATIS MÜNZEN jetzt auf muenzgenerator klicken"],
    },
}
# Duplicates and unanswered tickets read like any other category.
FIRST_MESSAGES["duplicate"] = FIRST_MESSAGES["billing"]
FIRST_MESSAGES["no_reply"] = FIRST_MESSAGES["gameplay"]

# Texts a real desk sees under every category: they make conflicting labels
# and cross-split duplicates that the ML tests warn about.
GENERIC_MESSAGES = {
    "en": ["help", "hello?", "it doesn't work", "please fix", "not working"],
    "es": ["ayuda", "hola?", "no funciona"],
    "pt": ["ajuda", "olá?", "não funciona"],
    "de": ["Hilfe", "hallo?", "geht nicht"],
}

# Messages that fit two categories at once.
AMBIGUOUS_MESSAGES = {
    "en": [
        "the game crashed during the purchase of {item} and I lost my coins",
        "I can't log in since I bought {item}",
        "my account was banned after I reported {rival}",
    ],
    "es": ["el juego se cerró al comprar {item} y perdí mis monedas"],
    "pt": ["o jogo fechou ao comprar {item} e perdi minhas moedas"],
    "de": ["das Spiel ist beim Kauf von {item} abgestürzt, Münzen weg"],
}

SUBJECTS = {
    "billing": {
        "en": ["Refund", "Purchase problem", "Charged twice"],
        "es": ["Reembolso", "Problema con compra"],
        "pt": ["Reembolso", "Problema na compra"],
        "de": ["Erstattung", "Problem mit Kauf"],
    },
    "account": {
        "en": ["Login problem", "Lost account", "Delete my account"],
        "es": ["No puedo entrar", "Cuenta perdida"],
        "pt": ["Não consigo entrar", "Conta perdida"],
        "de": ["Login Problem", "Konto verloren"],
    },
    "bug": {
        "en": ["Crash", "Game freezes", "Bug"],
        "es": ["El juego se cierra", "Error"],
        "pt": ["O jogo trava", "Erro"],
        "de": ["Absturz", "Fehler"],
    },
    "gameplay": {
        "en": ["Question", "How does it work"],
        "es": ["Pregunta"],
        "pt": ["Pergunta"],
        "de": ["Frage"],
    },
    "abuse": {
        "en": ["Report player", "Cheater"],
        "es": ["Denuncia"],
        "pt": ["Denúncia"],
        "de": ["Spieler melden"],
    },
    "feedback": {
        "en": ["Suggestion", "Feedback"],
        "es": ["Sugerencia"],
        "pt": ["Sugestão"],
        "de": ["Vorschlag"],
    },
    "spam": {
        "en": ["FREE COINS"],
        "es": ["GRATIS"],
        "pt": ["GRÁTIS"],
        "de": ["GRATIS"],
    },
}
SUBJECTS["duplicate"] = SUBJECTS["billing"]
SUBJECTS["no_reply"] = SUBJECTS["gameplay"]
GENERIC_SUBJECTS = {"en": "Help", "es": "Ayuda", "pt": "Ajuda", "de": "Hilfe"}

FOLLOW_UPS = {
    "en": ["any news?", "thanks!", "still not fixed", "ok thank you"],
    "es": ["alguna novedad?", "gracias!", "sigue sin funcionar"],
    "pt": ["alguma novidade?", "obrigado!", "ainda não resolveu"],
    "de": ["gibt es Neuigkeiten?", "danke!", "immer noch kaputt"],
}

BOT_REPLIES = {
    "en": "Thanks for contacting Club Manager support! An agent will reply soon.",
    "es": "¡Gracias por contactar con el soporte de Club Manager! Un agente responderá pronto.",
    "pt": "Obrigado por contatar o suporte do Club Manager! Um agente responderá em breve.",
    "de": "Danke für deine Nachricht an den Club Manager Support! Ein Mitarbeiter antwortet bald.",
}

# What the agent writes when closing with each code; it states the outcome,
# which is why agent text must never reach the model's input.
AGENT_REPLIES = {
    "REFUND_GRANTED": {
        "en": "I have refunded your purchase, you will see the money in 3-5 days.",
        "es": "He reembolsado tu compra, verás el dinero en 3-5 días.",
        "pt": "Reembolsei sua compra, o valor aparece em 3-5 dias.",
        "de": "Ich habe deinen Kauf erstattet, das Geld kommt in 3-5 Tagen.",
    },
    "REFUND_DENIED": {
        "en": "I'm sorry, this purchase is not eligible for a refund.",
        "es": "Lo siento, esta compra no se puede reembolsar.",
        "pt": "Desculpe, esta compra não é elegível para reembolso.",
        "de": "Leider kann dieser Kauf nicht erstattet werden.",
    },
    "PURCHASE_RESTORED": {
        "en": "I have restored your purchase, please restart the game.",
        "es": "He restaurado tu compra, reinicia el juego.",
        "pt": "Restaurei sua compra, reinicie o jogo.",
        "de": "Ich habe deinen Kauf wiederhergestellt, starte das Spiel neu.",
    },
    "CHARGE_EXPLAINED": {
        "en": "The charge is for the season pass renewal you subscribed to.",
        "es": "El cargo es la renovación del pase de temporada.",
        "pt": "A cobrança é a renovação do passe de temporada.",
        "de": "Die Abbuchung ist die Verlängerung deines Saisonpasses.",
    },
    "ACCOUNT_RECOVERED": {
        "en": "I have recovered your account and linked it to your new device.",
        "es": "He recuperado tu cuenta y la vinculé a tu nuevo dispositivo.",
        "pt": "Recuperei sua conta e vinculei ao novo aparelho.",
        "de": "Ich habe dein Konto wiederhergestellt und mit dem neuen Gerät verknüpft.",
    },
    "PASSWORD_RESET": {
        "en": "I have sent you a password reset link.",
        "es": "Te envié un enlace para restablecer la contraseña.",
        "pt": "Enviei um link para redefinir a senha.",
        "de": "Ich habe dir einen Link zum Zurücksetzen des Passworts geschickt.",
    },
    "ACCOUNT_DELETED": {
        "en": "Your account and data have been deleted.",
        "es": "Tu cuenta y tus datos han sido eliminados.",
        "pt": "Sua conta e seus dados foram excluídos.",
        "de": "Dein Konto und deine Daten wurden gelöscht.",
    },
    "BUG_ESCALATED": {
        "en": "I have escalated this bug to our developers.",
        "es": "He escalado este error a los desarrolladores.",
        "pt": "Encaminhei este erro aos desenvolvedores.",
        "de": "Ich habe den Fehler an unsere Entwickler weitergegeben.",
    },
    "KNOWN_ISSUE": {
        "en": "This is a known issue and a fix is coming in the next update.",
        "es": "Es un problema conocido, se arreglará en la próxima actualización.",
        "pt": "É um problema conhecido, será corrigido na próxima atualização.",
        "de": "Das ist ein bekanntes Problem, das nächste Update behebt es.",
    },
    "CRASH_WORKAROUND": {
        "en": "Please clear the cache and reinstall, that stops the crash.",
        "es": "Borra la caché y reinstala, así se evita el cierre.",
        "pt": "Limpe o cache e reinstale, isso evita o travamento.",
        "de": "Bitte Cache leeren und neu installieren, dann stürzt es nicht mehr ab.",
    },
    "HOWTO_EXPLAINED": {
        "en": "Here is how it works: open the menu and choose the option.",
        "es": "Así funciona: abre el menú y elige la opción.",
        "pt": "Funciona assim: abra o menu e escolha a opção.",
        "de": "So geht es: Menü öffnen und die Option wählen.",
    },
    "RULES_CLARIFIED": {
        "en": "The rules say that match results depend on squad rating and tactics.",
        "es": "Las reglas dicen que el resultado depende de la plantilla y la táctica.",
        "pt": "As regras dizem que o resultado depende do elenco e da tática.",
        "de": "Laut Regeln hängt das Ergebnis von Kader und Taktik ab.",
    },
    "PLAYER_SANCTIONED": {
        "en": "We have sanctioned the reported player, thanks for the report.",
        "es": "Hemos sancionado al jugador denunciado, gracias.",
        "pt": "Punimos o jogador denunciado, obrigado.",
        "de": "Wir haben den gemeldeten Spieler gesperrt, danke.",
    },
    "REPORT_DISMISSED": {
        "en": "We reviewed the report and found no rule violation.",
        "es": "Revisamos la denuncia y no hubo infracción.",
        "pt": "Analisamos a denúncia e não houve infração.",
        "de": "Wir haben die Meldung geprüft und keinen Verstoß gefunden.",
    },
    "FEEDBACK_LOGGED": {
        "en": "Thanks, I have passed your suggestion to the team.",
        "es": "Gracias, pasé tu sugerencia al equipo.",
        "pt": "Obrigado, passei sua sugestão para a equipe.",
        "de": "Danke, ich habe deinen Vorschlag ans Team weitergegeben.",
    },
    "SPAM_CLOSED": {
        "en": "Closed as spam.",
        "es": "Cerrado como spam.",
        "pt": "Fechado como spam.",
        "de": "Als Spam geschlossen.",
    },
    "DUPLICATE_MERGED": {
        "en": "Merged with your other ticket.",
        "es": "Unido a tu otro ticket.",
        "pt": "Unido ao seu outro ticket.",
        "de": "Mit deinem anderen Ticket zusammengeführt.",
    },
    "NO_REPLY_CLOSED": {
        "en": "Closing since we did not hear back.",
        "es": "Cerramos por falta de respuesta.",
        "pt": "Fechando por falta de resposta.",
        "de": "Geschlossen mangels Antwort.",
    },
    "GOODWILL_GEMS": {
        "en": "I have added 100 gems to your account as a goodwill gesture.",
        "es": "He añadido 100 gemas a tu cuenta como compensación.",
        "pt": "Adicionei 100 gemas à sua conta como compensação.",
        "de": "Ich habe dir 100 Juwelen als Entschädigung gutgeschrieben.",
    },
}

# Personal data players paste into messages, and how it is introduced.
PII_PHRASES = {
    "email": ("my email is {v}", "contact me at {v}"),
    "phone": ("call me on {v}", "my number is {v}"),
    "card": ("card {v} was charged", "paid with card {v}"),
    "ip": ("my ip is {v}", "connecting from {v}"),
}
PII_VALUES = {
    "email": (
        "john.doe+fc@example.co.uk",
        "ana.silva@example.com.br",
        "m.mueller@example.de",
        "pepe_10@example.es",
    ),
    "phone": (
        "+44 7700 900123",
        "(555) 123-4567",
        "+34 612 345 678",
        "+55 11 91234-5678",
        "0151 2345 6789",
    ),
    "card": (
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4111111111111111",
        "5500 0000 0000 0004",
    ),
    "ip": ("192.168.0.12", "10.0.0.254", "203.0.113.7"),
}

# Around the core sentence: how people open, add context and sign off.
GREETINGS = {
    "en": ("hi", "hello", "hey", "hi support", "dear team", "good morning"),
    "es": ("hola", "buenas", "hola equipo", "buenos días"),
    "pt": ("oi", "olá", "bom dia", "oi suporte"),
    "de": ("hallo", "hi", "guten Tag", "servus"),
}
DETAILS = {
    "en": (
        "my club is level {n}",
        "I have played for {n} months",
        "it happened {n} times today",
        "my club is in division {n}",
        "I am on season {n}",
        "my club is {club}",
        "playing as {club}",
    ),
    "es": (
        "mi club es nivel {n}",
        "juego desde hace {n} meses",
        "pasó {n} veces hoy",
        "estoy en la temporada {n}",
        "mi club es el {club}",
    ),
    "pt": (
        "meu clube é nível {n}",
        "jogo há {n} meses",
        "aconteceu {n} vezes hoje",
        "estou na temporada {n}",
        "meu clube é o {club}",
    ),
    "de": (
        "mein Verein ist Level {n}",
        "ich spiele seit {n} Monaten",
        "das ist heute {n} Mal passiert",
        "ich bin in Saison {n}",
        "mein Verein ist {club}",
    ),
}
CLOSERS = {
    "en": ("thanks", "pls help", "thank you!", "asap please", "!!", "cheers"),
    "es": ("gracias", "ayuda por favor", "urgente", "saludos"),
    "pt": ("obrigado", "ajuda por favor", "urgente", "valeu"),
    "de": ("danke", "bitte helfen", "dringend", "Grüße"),
}

# Players name their clubs; the names make otherwise equal texts distinct.
CLUB_PREFIXES = (
    "FC",
    "Real",
    "Sporting",
    "Atletico",
    "Borussia",
    "Dynamo",
    "Inter",
    "Racing",
    "United",
    "Olympique",
    "Deportivo",
    "Union",
)
CLUB_TOWNS = (
    "Lisboa",
    "Sevilla",
    "Leeds",
    "Porto",
    "Bremen",
    "Santos",
    "Lyon",
    "Cordoba",
    "Graz",
    "Bilbao",
    "Recife",
    "Malmo",
    "Cadiz",
    "Basel",
    "Derby",
    "Napoli",
    "Rosario",
    "Belem",
    "Kiel",
    "Vigo",
)

# Posted on a fan forum and pasted into tickets word for word.
VIRAL_MESSAGE = (
    "After the 3.2 update the game crashes when I open the transfer market. "
    "Reinstalling did not help. Please fix it!"
)
