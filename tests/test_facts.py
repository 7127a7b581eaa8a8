"""Every derived fact a rulebook declares is worked out from some requisition or profile, and every
fact worked out is either a signal of the lexicon or declared (whichrole.facts)."""
from itertools import permutations

from samples import CLEAR, GERMAN

from whichrole.candidate.fit import Fitter
from whichrole.candidate.profile import Profile
from whichrole.candidate.signals import profile_facts
from whichrole.classifier import Classifier
from whichrole.facts import TITLE, TITLE_MATCHES, TITLE_MISMATCH
from whichrole.model import MIX_PARTS, Requisition
from whichrole.evidence import second_stage_facts

OTHER_LANGUAGES = [
    ("Analista de datos", "Buscamos una persona para el equipo de datos: analizar las ventas con SQL y presentar "
                          "los resultados a la dirección de la empresa cada mes."),
    ("Analyste de données", "Nous recherchons une personne pour notre équipe : analyser les ventes avec SQL et "
                            "présenter les résultats à la direction chaque mois."),
    ("Analista dati", "Cerchiamo una persona per il nostro gruppo: analizzare le vendite della società e presentare "
                      "i risultati alla direzione, con esperienza di SQL."),
]


def worked_out(facts: dict[str, float], rulebook) -> set[str]:
    return {name for name in facts if name not in rulebook.lexicon.signals}


def test_every_declared_requisition_fact_is_worked_out_and_none_other():
    classifier = Classifier(engine="reference")
    book = classifier.rulebook
    requisitions = [Requisition(title=role.aliases[0], description=CLEAR.get(role_id, CLEAR["data_scientist"])[1],
                                mix=role.mix, primary_output="analysis")
                    for role_id, role in book.roles.items()]
    requisitions += [Requisition(title=title, description=text) for title, text in (GERMAN, *OTHER_LANGUAGES)]
    produced: set[str] = set()
    for requisition in requisitions:
        facts, first, _ = classifier.fired(requisition)
        produced |= worked_out(second_stage_facts(facts, [book.rule(i) for i in first], book), book)
    # Each role leading, and each the runner-up, with a title that names the lead and one that does not.
    evidence = {role: [r for r in book.stage(1) if r.then.role == role and r.then.weight > 0] for role in book.roles}
    for lead, runner in permutations(book.roles, 2):
        for named in (lead, runner):
            facts = {TITLE.stem + named: 1}
            produced |= worked_out(second_stage_facts(facts, evidence[lead] + evidence[runner][:1], book), book)
    declared = set(book.derived_facts())
    assert produced - declared == set(), "worked out but not declared in whichrole.facts"
    assert declared - produced == set(), "declared but never worked out"
    assert {TITLE_MATCHES.name, TITLE_MISMATCH.name, "lang:de", "lang:other", "mix:research"} <= produced


def test_every_declared_candidate_fact_is_worked_out_and_none_other():
    fitter = Fitter(engine="reference")
    book = fitter.rulebook
    profiles = [{"mix": "/".join(str(role.mix[part]) for part in MIX_PARTS), "papers": 3, "years": 5,
                 "orgs": ["big tech"], "about": "I like building data pipelines and dashboards."}
                for role in book.roles.values() if role.mix]
    produced: set[str] = set()
    for profile in profiles:
        facts = profile_facts(Profile.build(profile), book)
        first, _ = fitter.stages.fire(facts)
        produced |= worked_out(second_stage_facts(facts, [book.rule(i) for i in first], book), book)
    evidence = {role: [r for r in book.stage(1) if r.then.role == role and r.then.weight > 0] for role in book.roles}
    for lead, runner in permutations(book.roles, 2):
        produced |= worked_out(second_stage_facts({}, evidence[lead] + evidence[runner][:1], book), book)
    declared = set(book.derived_facts())
    assert produced - declared == set(), "worked out but not declared"
    assert declared - produced == set(), "declared but never worked out"
