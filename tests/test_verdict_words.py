"""What a verdict says, in words a hiring manager reads: title check, continuum, what would change it."""
import json
import re

from samples import CLEAR

FULL_STACK = ("Full-Stack Engineer, Analytics Dashboard",
              "Build the React and TypeScript front end and the Node.js REST APIs behind our customer analytics "
              "dashboard; write unit and integration tests, review code and keep the CI/CD pipeline green.")
CONTINUUM_ROLES = {"research_scientist", "research_engineer", "applied_scientist", "ml_engineer"}


def verdict_of(durable, role):
    title, description = CLEAR[role]
    return durable.classify({"title": title, "description": description})


def everything_shown(verdict) -> str:
    return verdict.text() + json.dumps(verdict.blocks())


def test_a_product_named_in_the_title_does_not_make_it_a_data_science_title(durable):
    verdict = durable.classify({"title": FULL_STACK[0], "description": FULL_STACK[1]})
    assert verdict.title_roles == ["ml_software_engineer"]
    assert not any(r.rule.startswith("title.data_scientist") for r in verdict.rationale)


def test_the_title_check_says_what_the_title_reads_as(durable):
    assert verdict_of(durable, "data_engineer").title_check == "matches the work: the title reads as Data Engineer"
    moved = durable.classify({"title": "Data Scientist", "description": CLEAR["ml_engineer"][1]})
    assert moved.title_check == "mismatch: the title reads as Data Scientist, the work is ML Engineer"
    assert durable.classify({"title": "Wizard", "description": CLEAR["ml_engineer"][1]}).title_check == \
        "the title names no data/ML/AI role"


def test_the_continuum_is_shown_only_for_the_roles_it_places(durable):
    for role in CLEAR:
        verdict = verdict_of(durable, role)
        shown = everything_shown(verdict)
        if role in CONTINUUM_ROLES:
            assert verdict.continuum is not None and "Research↔engineering: " in shown, role
        else:
            assert verdict.continuum is None and "Research↔engineering" not in shown, role


def test_the_continuum_is_in_words_without_raw_scores(durable):
    words = {role: verdict_of(durable, role).text().split("Research↔engineering: ")[1].splitlines()[0]
             for role in CONTINUUM_ROLES}
    assert words["research_scientist"] == "at the research end"
    assert words["research_engineer"] == "between research and production, nearer research"
    assert words["ml_engineer"] == "at the production end"
    for role in CLEAR:
        shown = everything_shown(verdict_of(durable, role))
        assert not re.search(r"\(\d+\.\d+\)|behind by", shown), role


def all_samples(durable):
    verdicts = [verdict_of(durable, role) for role in CLEAR]
    verdicts.append(durable.classify({"title": FULL_STACK[0], "description": FULL_STACK[1]}))
    for role in CLEAR:  # the work under another role's title, long and short
        verdicts.append(durable.classify({"title": "Data Scientist", "description": CLEAR[role][1]}))
        verdicts.append(durable.classify({"title": CLEAR[role][0], "description": CLEAR[role][1].split(",")[0]}))
    verdicts.append(durable.classify({"title": "Research Scientist", "mix": "5/30/50/15",
                                      "description": CLEAR["research_scientist"][1]}))
    return [v for v in verdicts if v.why_not]


def test_what_would_change_the_verdict_is_about_the_work(durable):
    verdicts = all_samples(durable)
    assert len(verdicts) > 5
    for verdict in verdicts:
        said = [m for rule in verdict.why_not.rules for m in rule.missing]
        for words in said:
            assert not re.search(r"title|number of|mix|[<>=]", words), (verdict.title, words)


def test_what_would_change_the_verdict_would_change_it(durable):
    """Each rule suggested fires once the requisition has what it lacks: nothing it says rules it out."""
    for verdict in all_samples(durable):
        for missed in verdict.why_not.rules:
            rule = durable.rulebook.rule(missed.rule)
            required, alternatives = rule.unmet(verdict.signals)
            granted = {**verdict.signals, **{c.name: max(c.value, 1) for c in (*required, *alternatives[:1])}}
            assert rule.holds(granted), (verdict.title, missed.rule)


def test_research_is_not_suggested_where_nothing_points_to_it(durable):
    suggested = []
    for title, description in (("Data Scientist", CLEAR["ml_engineer"][1]), FULL_STACK):
        verdict = durable.classify({"title": title, "description": description})
        said = " ".join(m for rule in verdict.why_not.rules for m in rule.missing) if verdict.why_not else ""
        assert not re.search("PhD|novel|research", said), (title, said)
        suggested.append(said)
    assert any(suggested), "something is suggested, so the test can fail"


MODEL_DEVELOPMENT = ("Data Scientist",
                     "Own KPI dashboards and reports in Looker, answer business questions with SQL, and train a "
                     "demand forecasting model with feature engineering in Python.")
HANDED_OVER = ("Senior Data Scientist",
               "Analyse customer behaviour, design and read A/B tests, and build churn and propensity models in "
               "Python with scikit-learn. {production} Present findings to product leadership.")


def test_the_reasons_shown_are_for_the_headline_role_and_flavour(durable):
    verdict = durable.classify({"title": MODEL_DEVELOPMENT[0], "description": MODEL_DEVELOPMENT[1]})
    assert verdict.role == "data_scientist"
    flavours = {r.flavour for r in verdict.rationale} - {None}
    assert flavours == {"analytical", "model_development"}  # evidence both ways, and it is all kept
    assert verdict.top_reasons and all(r.flavour in (None, verdict.flavour) for r in verdict.top_reasons)
    for verdict in all_samples(durable):
        assert all(r.role == verdict.role and r.flavour in (None, verdict.flavour) for r in verdict.top_reasons)


def test_a_title_is_counted_once_by_the_rule_for_the_length_of_its_text(durable):
    verdict = durable.classify({"title": "Applied Scientist", "description": "Join our science team in Seattle."})
    assert [r.rule for r in verdict.rationale if r.reads_title] == ["title.applied_scientist.short_text"]
    described = durable.classify({"title": "Applied Scientist", "description": " ".join(
        ["Train ranking models on our search logs and deploy them to production with the platform team."] * 5)})
    assert [r.rule for r in described.rationale if r.reads_title] == ["title.applied_scientist"]


def test_no_deploys_alone_warning_when_an_ml_engineering_team_runs_production(durable):
    def warnings(production: str) -> set:
        title, text = HANDED_OVER
        verdict = durable.classify({"title": title, "description": text.format(production=production)})
        assert verdict.role == "data_scientist"
        return {w.id for w in verdict.warnings}

    assert "ds_deploys_alone" in warnings("You deploy them to production yourself and keep them running.")
    for production in ("You hand your models to the ML engineering team, who deploy them and run them in production.",
                       "Machine learning engineers deploy your models to production and run them."):
        assert "ds_deploys_alone" not in warnings(production), production


TECHNICIAN = ("Data Centre Technician",
              "Rack and cable servers in our data centre, replace failed disks, memory and power supplies, run "
              "hardware diagnostics, keep the asset inventory up to date and escort vendors on site. Night shifts on "
              "a rota; you will lift equipment up to 25 kg and follow the change-management process for every "
              "intervention. We value safety, punctuality and careful documentation, and you will train new "
              "colleagues on the safety procedures of the hall, report incidents to the shift lead and order spare "
              "parts from our suppliers when the stock runs low.")
LAB = ("Laboratory Technician", "Prepare samples, calibrate the instruments and keep the lab clean and stocked.")


def test_another_profession_is_asked_whether_it_is_data_work_at_all(durable):
    for title, description in (TECHNICIAN, LAB):
        verdict = durable.classify({"title": title, "description": description})
        assert verdict.role == "out_of_scope", title
        warnings = {w.id for w in verdict.warnings}
        assert "not_data_role" in warnings and "low_information" not in warnings, (title, warnings)
        asked = [q.id for q in verdict.questions]
        assert asked == (["data_work"] if verdict.confidence < 0.6 else []), (title, verdict.confidence, asked)
    unsure = durable.classify({"title": "Technical Account Manager", "description": "Help customers deploy models "
                               "on our platform and debug their training pipelines, own renewals and the account "
                               "relationship."})
    assert unsure.role == "out_of_scope" and unsure.confidence < 0.6, unsure.confidence
    assert [q.id for q in unsure.questions] == ["data_work"]
    assert verdict_of(durable, "out_of_scope").questions == []  # sure of it: nothing to ask


def test_nothing_is_suggested_from_a_runner_up_far_off(durable):
    verdict = durable.classify({"title": TECHNICIAN[0], "description": TECHNICIAN[1]})
    assert verdict.runner_up and verdict.scores[verdict.runner_up] < 1.5
    assert verdict.why_not is None and "What would make it" not in verdict.text()


def test_too_little_and_another_profession_are_never_said_together(durable):
    texts = [TECHNICIAN, LAB, *CLEAR.values(), ("Account Executive", "Sell."), ("Nurse", "Care for patients."),
             ("Data Scientist", "Analyse data."), (None, "We need someone great for our data team.")]
    for title, description in texts:
        warnings = {w.id for w in durable.classify({"title": title, "description": description}).warnings}
        assert not {"low_information", "not_data_role"} <= warnings, (title, warnings)


def test_a_rulebook_without_the_why_not_threshold_still_classifies(tmp_path):
    import shutil

    from whichrole import Classifier, load_rulebook

    rules = tmp_path / "rules"
    shutil.copytree(load_rulebook().directory, rules)
    catalogue = rules / "catalogue.yaml"
    catalogue.write_text("".join(line for line in catalogue.read_text().splitlines(keepends=True)
                                 if not line.lstrip().startswith("why_not_from:")))
    verdict = Classifier(rules, engine="reference").classify({"title": TECHNICIAN[0], "description": TECHNICIAN[1]})
    assert verdict.why_not is not None  # without the threshold: every runner-up's


def test_the_work_s_reasons_come_before_the_title_s(durable):
    verdict = durable.classify({"title": "Data Engineer", "description": CLEAR["data_engineer"][1]})
    shown = verdict.top_reasons
    assert shown and not shown[0].reads_title
    assert [r.reads_title for r in shown] == sorted(r.reads_title for r in shown)


def test_a_title_whichrole_has_no_role_for_is_placed_where_the_documents_place_it(durable):
    dashboards = "Build dashboards in Looker and SQL models in dbt for the finance team; answer weekly revenue questions."
    shown = {title: durable.classify({"title": title, "description": dashboards}).cells()["Title check"]
             for title in ("Senior Data Analyst", "BI Analyst", "Analytics Engineer")}
    assert shown["Senior Data Analyst"].endswith("place it nearest the analytical Data Scientist")
    assert shown["BI Analyst"].endswith("place it nearest the analytical Data Scientist")
    assert shown["Analytics Engineer"].endswith("place it nearest the Data Engineer")
    assert not any("reads as Data Scientist" in check for check in shown.values())
    serving = durable.classify({"title": "Data Analyst", "description": CLEAR["ml_engineer"][1]})
    assert serving.cells()["Title check"].startswith("mismatch") and "nearest the analytical" in serving.text()


def test_no_title_is_said_to_be_no_data_role_when_the_catalogue_has_no_role_for_it(durable):
    for title in ("Head of Data", "Head of Artificial Intelligence", "Quantitative Researcher"):
        check = durable.classify({"title": title, "description": CLEAR["data_engineer"][1]}).cells()["Title check"]
        assert "no data/ML/AI role" not in check, title
