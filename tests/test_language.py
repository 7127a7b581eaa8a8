"""Requisitions not in English: the verdict says so, is no surer than it can be, and reads what it can."""
import json
import shutil
import string
import subprocess
import sys

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from samples import CLEAR
from whichrole import Classifier, check_rulebook, load_rulebook
from whichrole.language import language_facts
from whichrole.model import Requisition
from whichrole.rulebook import default_rules_dir

# Written for these tests: a short ask and a full posting in each language, with the role a reader gives.
GERMAN_ASK = ("Wir brauchen jemanden, der unsere Datenpipelines in Airflow baut und das Data Warehouse in "
              "Snowflake pflegt.")
GERMAN_POSTING = """Über uns
Wir sind ein Versicherer mit Sitz in Köln und bauen unsere Plattform für Schadenprognosen aus.

Deine Aufgaben
- Du bringst Machine-Learning-Modelle in die Produktion und betreibst sie zuverlässig.
- Du baust Trainingspipelines mit MLflow und Kubeflow und automatisierst das Retraining.
- Du entwickelst die Modellüberwachung: Drift erkennen, Alarme, Dashboards für das Team.
- Du sorgst für CI/CD, Docker und Kubernetes im Produktivbetrieb.

Dein Profil
- Mehrere Jahre Erfahrung in der Softwareentwicklung mit Python
- Erfahrung mit der Bereitstellung von Modellen und mit Inferenz unter niedriger Latenz

Wir bieten
Flexible Arbeitszeiten, 30 Tage Urlaub und ein Jobticket."""
SPANISH_ASK = ("Buscamos a alguien para montar cuadros de mando en Power BI y hacer análisis de datos de ventas "
               "para el equipo comercial.")
SPANISH_POSTING = """Sobre nosotros
Somos una empresa de software de Valencia que lleva la IA generativa a la atención al cliente.

Tus funciones
- Diseñarás asistentes virtuales basados en grandes modelos de lenguaje (GPT-4, Llama) para nuestros clientes.
- Construirás la generación aumentada por recuperación (RAG) sobre bases de datos vectoriales y búsqueda semántica.
- Te encargarás del prompt engineering, de la evaluación de las respuestas y de los guardrails contra alucinaciones.
- Trabajarás con el equipo de producto para llevar cada funcionalidad a producción.

Requisitos
- Experiencia con Python, LangChain y la API de OpenAI.

Ofrecemos
Teletrabajo, horario flexible y formación continua."""
SPANISH_UNREAD = """Ampliamos el equipo de Datos e Inteligencia Artificial de nuestra oficina de Sevilla y buscamos
una persona con al menos tres años de experiencia como científica o científico de datos. Te incorporarás
de forma estable a un equipo joven, con proyectos para clientes de banca, seguros y energía, y podrás
crecer con un plan de carrera a tu medida. Valoramos que hayas trabajado con Python y con alguna nube
pública, que te guste aprender y que sepas explicar tu trabajo a personas de negocio. Ofrecemos
teletrabajo, horario flexible, formación continua, retribución flexible y un buen ambiente de trabajo."""
FRENCH_ASK = ("Nous cherchons une personne pour construire nos pipelines de données et notre entrepôt de données "
              "sur BigQuery avec dbt.")
FRENCH_POSTING = """Qui sommes-nous ?
Une enseigne de distribution présente dans toute la France, avec une équipe data d'une vingtaine de personnes à Lyon.

Vos missions
- Réaliser des analyses de données sur les ventes et le comportement des clients, et présenter les résultats aux équipes métier.
- Concevoir et analyser des tests A/B sur le site et l'application, avec une vraie rigueur statistique.
- Construire des tableaux de bord dans Tableau et définir les indicateurs clés avec les directions.
- Apporter une aide à la décision aux équipes marketing grâce à la statistique et à l'inférence causale.

Votre profil
- Formation en statistiques ou en économétrie ; maîtrise de SQL et de Python.

Ce que nous offrons
Télétravail partiel, tickets restaurant, mutuelle."""

FOREIGN = [  # language, title, description, role
    ("de", None, GERMAN_ASK, "data_engineer"),
    ("de", "Machine Learning Engineer (m/w/d)", GERMAN_POSTING, "ml_engineer"),
    ("de", "Datenwissenschaftler (m/w/d)", "Du wertest A/B-Tests aus und baust Berichte und Dashboards für den Vertrieb.",
     "data_scientist"),
    ("es", None, SPANISH_ASK, "data_scientist"),
    ("es", "Ingeniero/a de IA", SPANISH_POSTING, "ai_engineer"),
    ("es", "Científico/a de datos", SPANISH_UNREAD, "data_scientist"),
    ("fr", "Ingénieur(e) données", FRENCH_ASK, "data_engineer"),
    ("fr", "Data Scientist H/F", FRENCH_POSTING, "data_scientist"),
    # Asks in words of their own language only, no English tool names to lean on.
    ("de", None, "Du bringst unsere Prognosemodelle in die Produktion und übernimmst die Modellüberwachung und "
                 "das Retraining.", "ml_engineer"),
    ("es", None, "Necesitamos una persona que despliegue modelos en producción y se encargue de la monitorización "
                 "de modelos y del reentrenamiento.", "ml_engineer"),
    ("es", None, "Buscamos a alguien que construya asistentes virtuales con grandes modelos de lenguaje y búsqueda "
                 "semántica.", "ai_engineer"),
    ("fr", None, "Vous concevez des tests A/B, menez des analyses de données et construisez des tableaux de bord "
                 "pour les équipes métier.", "data_scientist"),
    # Written after the phrases above were chosen, to see how they carry over to new wordings.
    ("de", "Senior Data Scientist (w/m/d)",
     "Du analysierst das Kaufverhalten unserer Kundinnen und Kunden, entwickelst Kennzahlen und baust "
     "Dashboards in Power BI. Du planst Experimente mit dem Produktteam und präsentierst die "
     "Ergebnisse der Geschäftsführung.", "data_scientist"),
    ("de", "Data Engineer",
     "In deiner Rolle baust und betreibst du ETL-Prozesse in Azure Data Factory und Databricks, "
     "modellierst das Data Warehouse und sorgst für saubere Stammdaten.", "data_engineer"),
    ("de", None,
     "Wir suchen eine Person, die unseren Chatbot mit GPT-4 und RAG weiterentwickelt, Prompts "
     "optimiert und Halluzinationen misst.", "ai_engineer"),
    ("es", "Analista de datos",
     "Serás responsable de elaborar informes mensuales, analizar las ventas por región y proponer "
     "mejoras al equipo de marketing a partir de los datos.", "data_scientist"),
    ("es", "Ingeniero/a de Machine Learning",
     "Te encargarás de desplegar y mantener modelos de recomendación en producción sobre Kubernetes, "
     "con monitorización, alertas y reentrenamiento automático.", "ml_engineer"),
    ("es", None,
     "Buscamos una persona investigadora con doctorado para publicar en conferencias como NeurIPS e "
     "ICML sobre nuevos métodos de aprendizaje por refuerzo.", "research_scientist"),
    ("fr", "Data Engineer H/F",
     "Au sein de l'équipe data, vous développez les flux d'ingestion avec Kafka et Spark, vous "
     "maintenez le lac de données et vous veillez à la qualité des données.", "data_engineer"),
    ("fr", "Ingénieur Machine Learning",
     "Vous industrialisez les modèles de nos data scientists : conteneurisation avec Docker, "
     "déploiement sur Kubernetes, suivi des performances en production.", "ml_engineer"),
    ("fr", None,
     "Nous recherchons un profil capable de construire des agents conversationnels basés sur des LLM, "
     "avec de la recherche sémantique dans nos documents internes.", "ai_engineer"),
]
CAP = {"de": 0.5, "es": 0.5, "fr": 0.5}

# English, with a few words of another language in it.
ENGLISH_WITH_AN_ADDRESS = (
    CLEAR["ml_engineer"][1] + " You will join the platform team in our Munich office (Musterfirma GmbH, "
    "Hauptstraße 12, 80331 München, Deutschland) and work with the data scientists who build the models. "
    "Wir freuen uns auf deine Bewerbung!")
ENGLISH_ASKS = [
    "Data analyst for the Banco de la Nación dashboards",
    "We need a data engineer for our Köln office, fluent in German (Deutsch), to own the Datenpipelines.",
    "Looking for an ML engineer, c'est la vie: deploy the models to production on Kubernetes.",
    "Data engineer for our 北京字节跳动科技 office: build the Spark pipelines into the warehouse.",
]


def facts_of(text):
    return language_facts(text, load_rulebook())


@pytest.mark.parametrize("language, title, text, role", FOREIGN)
def test_the_language_is_told_from_short_asks_and_full_postings(language, title, text, role):
    assert facts_of(text) == {f"lang:{language}": 1}


@pytest.mark.parametrize("text", [ENGLISH_WITH_AN_ADDRESS, *ENGLISH_ASKS, *(d for _, d in CLEAR.values())])
def test_english_with_a_few_foreign_words_is_english(text):
    assert facts_of(text) == {}


@pytest.mark.parametrize("text", [
    "Cerchiamo un data scientist per il nostro team di analisi delle vendite a Milano.",  # a language listed without rules of its own
    "Procuramos uma pessoa para construir os pipelines de dados da nossa equipe em Lisboa.",
    "データサイエンティストを募集しています。Python と SQL の経験が必要です。",  # another script
    "Мы ищем инженера данных для построения конвейеров данных на Spark.",
])
def test_other_languages_are_other(text):
    assert facts_of(text) == {"lang:other": 1}


def test_a_text_with_no_function_words_says_nothing_about_its_language():
    assert facts_of("Python, SQL, Spark, Airflow, Kubernetes") == {}
    assert facts_of("Datenwissenschaftler, Köln") == {}


@pytest.mark.parametrize("language, title, text, role", FOREIGN)
def test_a_foreign_requisition_is_flagged_and_capped(durable, language, title, text, role):
    verdict = durable.classify({"title": title, "description": text})
    assert f"language_{language}" in {w.id for w in verdict.warnings}, verdict.text()
    assert "in_english" in {q.id for q in verdict.questions}
    assert verdict.confidence <= CAP[language]


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__", "candidate"))
    return target


def test_the_cap_is_the_catalogue_s_and_only_lowers(rules_copy):
    """Without the cap, the same verdict is surer; with it, exactly the cap (or less, where unsure)."""
    catalogue = rules_copy / "catalogue.yaml"
    data = yaml.safe_load(catalogue.read_text())
    del data["warnings"]["language_de"]["confidence_cap"]
    catalogue.write_text(yaml.safe_dump(data, allow_unicode=True))
    requisition = {"title": "Machine Learning Engineer (m/w/d)", "description": GERMAN_POSTING}
    uncapped = Classifier(rules_copy, engine="reference").classify(requisition)
    capped = Classifier(engine="reference").classify(requisition)
    assert "language_de" in {w.id for w in uncapped.warnings}
    assert uncapped.confidence > 0.5 and capped.confidence == 0.5
    assert (capped.role, capped.scores) == (uncapped.role, uncapped.scores)
    for ask in (GERMAN_ASK, "Wir suchen jemanden für unser Datenteam, der mit Daten arbeitet."):  # a ceiling, not a value
        uncapped_ask = Classifier(rules_copy, engine="reference").classify(ask).confidence
        assert Classifier(engine="reference").classify(ask).confidence == min(uncapped_ask, 0.5)


def test_a_description_read_only_in_part_is_not_called_out_of_scope(durable):
    """Few known words in a long Spanish text say that whichrole cannot read it, not that it is no data role."""
    verdict = durable.classify({"title": "Científico/a de datos", "description": SPANISH_UNREAD})
    assert verdict.signals["info:words"] >= 80 and verdict.signals["lang:es"] == 1
    assert "not_data_role" not in {w.id for w in verdict.warnings}, verdict.text()
    assert verdict.role != "out_of_scope"


def test_an_unread_language_is_capped_lower(durable):
    verdict = durable.classify("Мы ищем инженера данных: Spark, Airflow, Kafka, Snowflake, dbt.")
    assert "language_other" in {w.id for w in verdict.warnings}
    assert verdict.confidence <= 0.25


@pytest.mark.parametrize("text", [ENGLISH_WITH_AN_ADDRESS, ENGLISH_ASKS[1]])
def test_english_with_foreign_words_gets_no_language_warning(durable, text):
    verdict = durable.classify(text)
    assert not [w for w in verdict.warnings if w.id.startswith("language_")]
    assert not [q for q in verdict.questions if q.id == "in_english"]


def test_both_engines_agree_on_foreign_requisitions(durable, reference):
    for _, title, text, _ in FOREIGN:
        requisition = Requisition.build({"title": title, "description": text})
        assert durable.fired(requisition) == reference.fired(requisition)


@pytest.mark.parametrize("language, title, text, role", FOREIGN)
def test_a_foreign_requisition_gets_the_role_its_text_says(durable, language, title, text, role):
    verdict = durable.classify({"title": title, "description": text})
    assert verdict.role == role, verdict.text()


def test_foreign_titles_read_as_their_roles(durable):
    titles = {"Datenwissenschaftlerin": "data_scientist", "Científica de datos": "data_scientist",
              "Scientifique des données": "data_scientist", "Dateningenieur": "data_engineer",
              "Ingeniero de datos": "data_engineer", "Ingénieure données": "data_engineer",
              "ML-Ingenieur": "ml_engineer", "Ingeniera de machine learning": "ml_engineer",
              "Ingénieur en apprentissage automatique": "ml_engineer", "KI-Ingenieur": "ai_engineer",
              "Ingeniero de IA": "ai_engineer", "Ingénieure IA générative": "ai_engineer",
              "Ingeniero/a de datos": "data_engineer", "Ingénieur(e) IA": "ai_engineer",
              "Forschungsingenieurin": "research_engineer", "Softwareentwickler (m/w/d)": "ml_software_engineer"}
    for title, role in titles.items():
        assert durable.classify({"title": title}).title_roles == [role], title


def test_the_command_line_shows_the_warning():
    result = subprocess.run([sys.executable, "-m", "whichrole", "classify", "--json", SPANISH_ASK],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert "language_es" in [w["id"] for w in verdict["warnings"]]
    assert verdict["confidence"] <= 0.5 and verdict["signals"]["lang:es"] == 1


@pytest.mark.parametrize("old, new, problem", [
    ("  read: en\n", "  read: xx\n", "languages.read: 'xx' is not one of the languages listed under words"),
    ("    nl: [het,", "    nl: [Het,", "languages.words: nl: 'Het' is not one lower-case word of letters"),
    ("    nl: [het,", '    nl: ["op de", het,', "languages.words: nl: 'op de' is not one lower-case word of letters"),
    ("fr: French}", "fi: Finnish}", "languages.names: 'fi' is not one of the languages listed under words"),
])
def test_a_broken_language_table_is_reported_with_its_line(rules_copy, old, new, problem):
    lexicon = rules_copy / "lexicon.yaml"
    text = lexicon.read_text()
    assert old in text
    lexicon.write_text(text.replace(old, new, 1))
    _, problems = check_rulebook(rules_copy)
    assert [str(p).split(": ", 1)[1] for p in problems] == [problem]
    assert all(p.file == "lexicon.yaml" and p.line > 1 for p in problems)


def test_a_long_text_of_no_language_is_not_read_as_english(durable):
    junk = " ".join(f"x{n}q zzv{n % 7} {n * 13}" for n in range(120))
    assert "language_other" in {w.id for w in durable.classify(junk).warnings}
    english = "We need a data engineer who will build the pipelines and the warehouse for our analysts. " * 12
    assert not any(w.id.startswith("language") for w in durable.classify(english).warnings)


@given(st.text(alphabet=string.ascii_letters + " ,.'-’“”–—•…«»¡¿\u00a0éüñçßàèìòù0123456789\n", max_size=400))
def test_words_are_split_as_the_character_definition_says(text):
    from whichrole.language import _split
    from whichrole.words import OTHER_SEPARATORS
    expected = "".join(" " if (c.isascii() and not c.isalpha()) or c in OTHER_SEPARATORS else c
                       for c in text.lower()).split()
    assert _split(text.lower()) == expected


FUNCTION_WORDS = sorted({w for words in load_rulebook().lexicon.languages.words.values() for w in words})


@given(st.lists(st.one_of(st.sampled_from(FUNCTION_WORDS), st.text(alphabet="abcdeéü ,.’\u2003\u3000-", max_size=8)),
                max_size=60).map(" ".join))
def test_function_words_are_counted_as_the_split_words_say(text):
    from whichrole.language import _split, _table, function_words
    from whichrole.words import without_separators
    table = _table(load_rulebook())
    sample = without_separators(text.lower())
    words = _split(text.lower())
    expected = dict.fromkeys(table.settings.words, 0)
    for word in words:
        for language, listed in table.settings.words.items():
            expected[language] += word in listed
    assert function_words(sample, table) == (expected, len(words))
