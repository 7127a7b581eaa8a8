"""Build sample_workbooks/requisitions.xlsx: forty-odd open requisitions of a fictional company.

The requisitions are written for this project. They cover every role of the catalogue, the
three data-science flavours, conflated "unicorn" requisitions, inflated titles, roles that are
not data roles at all, sparse rows, rows with only the structured answers, and a cancelled row
with nothing to classify. Run `python sample_workbooks/make_requisitions.py` to rebuild it.

The sheet is a snapshot taken on AS_OF, which its title states: each Opened date is a number of
days before it, most requisitions opened within the last three months and a few long before.
The file does not change with the day it is built or read, so the README's audit of it counts
days open up to that date (`--as-of`) and prints the same report on any day.
"""
from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

AS_OF = date(2026, 11, 30)


def days_before(days: int) -> date:
    return AS_OF - timedelta(days=days)


HEADERS = ("Req ID", "Title", "Team", "Level", "Status", "Opened", "Hiring manager", "Description",
           "Primary output", "Where the work lives", "Failure mode", "Org archetype", "Activity mix", "Outcomes")

# Req ID, title, team, level, status, opened, manager, description, then the structured answers
# (primary output, where the work lives, failure mode, org archetype, activity mix, outcomes).
REQUISITIONS = [
    # --- data scientist, analytical -----------------------------------------------------------
    ("R-1001", "Data Scientist, Growth", "Growth", "mid", "Open", days_before(34), "Priya Nair",
     "What you'll do: design and analyse A/B tests for onboarding and pricing, size opportunities before we "
     "build them, and explain to product managers what the numbers do and do not say. You will own the "
     "experimentation readout and help the team move from dashboards to causal questions.\n"
     "What we're looking for: strong SQL, statistics (hypothesis testing, power analysis, regression), "
     "and the habit of writing down what a result means for a decision.",
     "insight", "notebooks", "misleading_analysis", "", "", ""),
    ("R-1002", "Product Analyst", "Marketplace", "junior", "Open", days_before(21), "Tomás Ruiz",
     "Answer questions about buyer and seller behaviour with SQL and Python notebooks. Build the weekly "
     "marketplace health review, investigate anomalies in conversion, and run cohort and funnel analyses "
     "that product leads act on. Experience with experimentation and statistical inference is a plus.",
     "", "", "", "", "", ""),
    ("R-1003", "Senior Data Scientist, Pricing", "Revenue", "senior", "Open", days_before(58), "Hana Kobayashi",
     "Responsibilities: lead causal inference work on price elasticity, design geo experiments where user-level "
     "randomisation is impossible, and turn results into recommendations for the pricing committee. "
     "You will coach two analysts on experimental design and on communicating uncertainty.",
     "", "", "", "", "", "Elasticity estimates for the top ten markets; a geo-experiment playbook; "
     "a quarterly pricing review the committee trusts"),
    # --- data scientist, model development ----------------------------------------------------
    ("R-1004", "Data Scientist, Risk Models", "Credit Risk", "mid", "Open", days_before(73), "Olu Adeyemi",
     "Build and validate predictive models for credit default: feature engineering on transaction histories, "
     "gradient boosting, calibration and model documentation for the model risk committee. You will work in "
     "notebooks and hand validated models to the ML platform team for deployment.",
     "predictive_model", "notebooks", "", "", "", ""),
    ("R-1005", "Data Scientist, Churn", "Customer Success", "mid", "Open", days_before(15), "Greta Lind",
     "Predict which accounts are likely to churn and why. Train classification models, evaluate them with "
     "precision-recall and uplift, and work with customer success on how scores are used. Strong Python, "
     "scikit-learn, and a sound grasp of model evaluation and leakage.",
     "", "", "", "", "", ""),
    ("R-1006", "Demand Forecasting Scientist", "Supply Chain", "senior", "Open", days_before(47), "Wei Chen",
     "Develop forecasting models for weekly demand across 4,000 products: hierarchical time series, "
     "gradient boosted models with promotional features, and backtesting frameworks. You will own forecast "
     "accuracy metrics and explain forecast changes to planners.",
     "predictive_model", "", "", "", "10/55/15/20", ""),
    # --- data scientist, research -------------------------------------------------------------
    ("R-1007", "Data Scientist, Causal Methods", "Economics", "senior", "Open", days_before(131), "Amara Okafor",
     "Develop new methods for causal inference on marketplace data where interference between units breaks "
     "standard experiments. Prototype estimators, validate them in simulation, and write them up internally "
     "and, where it makes sense, as papers. A PhD in statistics, economics or a related field is expected.",
     "", "", "", "", "40/40/5/15", ""),
    # --- ML engineer --------------------------------------------------------------------------
    ("R-1008", "Machine Learning Engineer", "ML Platform", "mid", "Open", days_before(40), "Lars Becker",
     "What you'll do: take models from notebooks to production. Build training pipelines, deploy models "
     "behind low-latency serving endpoints, set up monitoring for drift and data quality, and automate "
     "retraining. Tools: Python, Kubernetes, Airflow, MLflow, a feature store.\n"
     "Requirements: production software experience and solid understanding of ML model lifecycle.",
     "production_ml", "training_and_serving", "model_degrades", "", "", ""),
    ("R-1009", "Senior ML Engineer, Recommendations", "Discovery", "senior", "Open", days_before(64), "Isabel Moreau",
     "Own the serving and retraining of our recommendation models: feature pipelines, online inference at "
     "p99 under 50 ms, canary releases, and model monitoring. You will partner with applied scientists who "
     "design the models and make sure what they build runs reliably at scale.",
     "", "", "", "", "5/30/50/15", ""),
    ("R-1010", "MLOps Engineer", "ML Platform", "mid", "Open", days_before(26), "Lars Becker",
     "Build the platform our data scientists deploy to: CI/CD for models, model registry, experiment "
     "tracking, GPU scheduling and cost controls. Strong infrastructure-as-code and Kubernetes experience.",
     "", "ml_platform", "model_degrades", "", "", ""),
    # --- AI engineer --------------------------------------------------------------------------
    ("R-1011", "AI Engineer, Support Assistant", "Customer Experience", "mid", "Open", days_before(12), "Noor Haddad",
     "Build the retrieval-augmented assistant that drafts answers for our support agents. You will design "
     "chunking and embedding strategies, tune retrieval, write and version prompts, build evaluation sets "
     "and guardrails against hallucination, and keep latency and cost per conversation in check using "
     "hosted LLM APIs.",
     "ai_feature", "llm_apis", "llm_unreliable", "", "", ""),
    ("R-1012", "LLM Engineer", "Developer Tools", "senior", "Open", days_before(30), "Kofi Mensah",
     "Ship agentic features in our IDE plugin: tool-calling agents, prompt pipelines, structured output "
     "validation and an offline evaluation harness. Experience integrating OpenAI or Anthropic APIs into a "
     "product codebase, and caring about reliability when a model misbehaves.",
     "", "", "", "agent_tooling", "", ""),
    ("R-1013", "Generative AI Developer", "Legal Products", "mid", "Open", days_before(9), "Sofia Rossi",
     "Add document question answering to our contract review product: RAG over customer documents, "
     "citation of sources, prompt evaluation, and red-teaming for prompt injection.",
     "", "", "", "vertical_ai", "", ""),
    # --- data engineer ------------------------------------------------------------------------
    ("R-1014", "Data Engineer", "Data Platform", "mid", "Open", days_before(52), "Jonas Weber",
     "Build and run the pipelines that feed our warehouse: ingestion from 30 source systems, dbt models, "
     "Airflow orchestration, data quality tests and lineage. You will own SLAs for the finance and product "
     "data marts and work with analysts on data modelling.",
     "data_platform", "data_pipelines", "data_broken", "", "", ""),
    ("R-1015", "Analytics Engineer", "Data Platform", "mid", "Open", days_before(44), "Jonas Weber",
     "Own the transformation layer of the warehouse: dimensional models in dbt, tests, documentation and a "
     "semantic layer analysts can trust. Strong SQL and data modelling; experience with Snowflake.",
     "", "", "", "", "", ""),
    ("R-1016", "Senior Data Engineer, Streaming", "Payments", "senior", "Open", days_before(81), "Elif Demir",
     "Design streaming pipelines on Kafka and Flink for payment events, schema evolution and exactly-once "
     "delivery into the lakehouse. You will define data contracts with upstream teams and on-call for the "
     "pipelines you build.",
     "", "", "", "", "", ""),
    # --- research scientist -------------------------------------------------------------------
    ("R-1017", "Research Scientist, Language Models", "AI Research", "senior", "Open", days_before(162), "Dr. Mei Tanaka",
     "Conduct original research on training objectives and alignment of large language models. Publish at "
     "NeurIPS, ICML and ACL, set research directions with the team, and collaborate with academic partners. "
     "PhD in machine learning or a related field with a strong publication record.",
     "papers", "research_cluster", "no_new_results", "frontier_lab", "60/30/5/5", ""),
    ("R-1018", "Research Scientist, Computer Vision", "AI Research", "mid", "Open", days_before(55), "Dr. Mei Tanaka",
     "Develop novel methods for 3D scene understanding from video, publish the results at CVPR and ICCV, and "
     "release code and benchmarks to the community.",
     "", "", "", "", "", ""),
    # --- research engineer --------------------------------------------------------------------
    ("R-1019", "Research Engineer, Training Infrastructure", "AI Research", "senior", "Open", days_before(118), "Dr. Mei Tanaka",
     "Scale our training runs across thousands of GPUs: distributed training with FSDP and tensor "
     "parallelism, profiling and kernel optimisation, checkpointing and fault tolerance. Work side by side "
     "with research scientists to implement new papers and make experiments reproducible.",
     "", "research_cluster", "", "frontier_lab", "25/30/40/5", ""),
    ("R-1020", "Research Engineer", "Speech", "mid", "Open", days_before(29), "Ravi Iyer",
     "Implement research ideas in PyTorch, build the evaluation harness for our speech models, and maintain "
     "the research codebase so that experiments run reliably at scale.",
     "", "", "", "", "", ""),
    # --- applied scientist --------------------------------------------------------------------
    ("R-1021", "Applied Scientist, Search Ranking", "Search", "senior", "Open", days_before(67), "Chidi Eze",
     "Frame search quality problems as machine learning problems, build learning-to-rank models, run online "
     "experiments and ship the models to production with the engineering team. You own the outcome in "
     "relevance metrics; publishing is welcome but not the goal.",
     "", "", "", "big_tech", "20/40/20/20", ""),
    ("R-1022", "Applied Scientist, Fraud", "Trust & Safety", "mid", "Open", days_before(38), "Ana Sousa",
     "Develop and deploy models that detect account takeover and payment fraud: graph features, anomaly "
     "detection, and online evaluation. You will take models from research to production and measure their "
     "impact on loss rates.",
     "", "", "", "", "", ""),
    # --- ML-adjacent software engineer --------------------------------------------------------
    ("R-1023", "Software Engineer, ML Products", "Discovery", "mid", "Open", days_before(50), "Isabel Moreau",
     "Build the backend services and APIs that put our recommendation models in front of users: Go and Python "
     "services, caching, A/B flagging, and the product code around model calls. You do not need to train "
     "models, but you should understand how they are served.",
     "software", "product_codebase", "", "", "0/10/80/10", ""),
    ("R-1024", "Backend Engineer, Personalisation", "Growth", "senior", "Open", days_before(19), "Priya Nair",
     "Design and build the services that call our personalisation models, handle fallbacks when a model "
     "times out, and log the events the data team trains on. Strong distributed systems and API design.",
     "", "", "", "", "", ""),
    # --- conflated "unicorn" requisitions -----------------------------------------------------
    ("R-1025", "Senior Data Scientist", "New Ventures", "senior", "Open", days_before(104), "Marcus Hill",
     "We are looking for a unicorn. You will analyse user behaviour and run A/B tests, build and deploy "
     "machine learning models to production with Kubernetes and monitor them for drift, and build our "
     "LLM-powered assistant with RAG and prompt engineering. You will also own the data pipelines in "
     "Airflow and the executive dashboards.",
     "", "", "", "early_stage", "", ""),
    ("R-1026", "Machine Learning Scientist", "Ads", "senior", "Open", days_before(45), "Dana Levi",
     "Own the full lifecycle: research new bidding algorithms and publish them at top conferences, train "
     "models on large data, deploy them to real-time model serving on Kubernetes, build the monitoring for "
     "drift, and present causal impact analyses and A/B test results to leadership every quarter.",
     "", "", "", "", "", ""),
    ("R-1027", "Founding Data & AI Lead", "Office of the CTO", "lead", "Open", days_before(23), "Marcus Hill",
     "First data hire. You will set up the warehouse with dbt and Airflow ETL pipelines, build dashboards for "
     "the board and run A/B tests, train churn models and deploy them to production with monitoring for drift, "
     "and build generative AI features with RAG, embeddings and prompt engineering on LLM APIs. Comfortable "
     "wearing every hat.",
     "", "", "", "startup", "", ""),
    # --- inflated or misleading titles --------------------------------------------------------
    ("R-1028", "Machine Learning Scientist, Finance", "Finance", "senior", "Open", days_before(61), "Rachel Stone",
     "Maintain the monthly revenue dashboards in Tableau, write SQL for ad hoc finance questions, and "
     "reconcile figures between the CRM and the ledger. Advanced Excel required.",
     "", "", "", "", "", ""),
    ("R-1029", "Machine Learning Engineer", "Business Intelligence", "mid", "Open", days_before(36), "Rachel Stone",
     "Build Looker dashboards and weekly KPI reports for the sales team, analyse pipeline conversion, and "
     "present findings to regional managers.",
     "", "", "", "", "", ""),
    ("R-1030", "Data Scientist", "Data Platform", "mid", "Open", days_before(70), "Jonas Weber",
     "Build ETL pipelines in Airflow and Spark, maintain the Snowflake warehouse, and fix data quality "
     "issues in upstream feeds. On-call for pipeline failures.",
     "", "", "", "", "", ""),
    ("R-1031", "Head of Artificial Intelligence", "Operations", "director", "Open", days_before(33), "Marcus Hill",
     "Automate spreadsheet reports with macros and Power Automate flows, and train staff on Excel.",
     "", "", "", "", "", ""),
    # --- not data roles at all ----------------------------------------------------------------
    ("R-1032", "Payroll Specialist", "People", "mid", "Open", days_before(42), "Grace Kim",
     "Run semi-monthly payroll for 900 employees in Workday, handle garnishments and tax filings, and answer "
     "employee pay questions.",
     "", "", "", "", "", ""),
    ("R-1033", "Technical Recruiter", "Talent", "mid", "Open", days_before(17), "Grace Kim",
     "Partner with engineering managers to hire engineers and data scientists: sourcing, screening, "
     "interview loops and offers. Experience recruiting technical talent.",
     "", "", "", "", "", ""),
    ("R-1034", "Warehouse Associate", "Fulfilment", "junior", "Open", days_before(28), "Luis Ortega",
     "Pick, pack and ship orders; operate a forklift; keep the warehouse floor safe and tidy.",
     "", "", "", "", "", ""),
    # --- sparse rows --------------------------------------------------------------------------
    ("R-1035", "Data Scientist", "Growth", "", "Open", days_before(8), "Priya Nair",
     "", "", "", "", "", "", ""),
    ("R-1036", "ML Engineer", "", "", "On hold", days_before(6), "",
     "TBD", "", "", "", "", "", ""),
    ("R-1037", "", "Marketing", "", "Open", days_before(4), "Ines Carvalho",
     "Help marketing with data.", "", "", "", "", "", ""),
    # --- structured answers only --------------------------------------------------------------
    ("R-1038", "", "Search", "", "Draft", days_before(3), "Chidi Eze",
     "", "deployed_model", "training_and_serving", "model_degrades", "", "5/30/50/15", ""),
    ("R-1039", "", "Customer Experience", "", "Draft", days_before(2), "Noor Haddad",
     "", "llm_feature", "llm_apis", "slow_or_costly_llm", "", "", ""),
    ("R-1040", "", "Revenue", "", "Draft", days_before(1), "Hana Kobayashi",
     "", "decisions", "analytics_tools", "bad_analysis", "", "", ""),
    # --- nothing to classify ------------------------------------------------------------------
    ("R-1041", "", "Finance", "", "Cancelled", days_before(300), "Rachel Stone",
     "", "", "", "", "", "", ""),
    # --- one more of each of the larger families, for a realistic mix -------------------------
    ("R-1042", "Data Scientist, Marketing Mix", "Marketing", "senior", "Open", days_before(43), "Ines Carvalho",
     "Build and maintain a Bayesian marketing mix model, design incrementality tests with the channel "
     "teams, and translate results into budget recommendations for the CMO.",
     "", "", "", "enterprise", "", ""),
    ("R-1043", "Staff Machine Learning Engineer", "ML Platform", "staff", "Open", days_before(96), "Lars Becker",
     "Set the technical direction for model serving and feature infrastructure across twelve product teams. "
     "Lead the migration to a shared feature store, define SLOs for online inference, and mentor engineers "
     "on production ML practices.",
     "", "", "", "", "", ""),
]


def build(path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Requisitions"
    sheet["A1"] = f"Open requisitions, data and technology hiring, as of {AS_OF.day} {AS_OF:%B %Y}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(HEADERS)
    header_fill = PatternFill("solid", fgColor="FFD9D9D9")
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for requisition in REQUISITIONS:
        sheet.append(list(requisition))
    wrap = Alignment(vertical="top", wrap_text=True)
    widths = (9, 28, 16, 8, 9, 11, 15, 100, 15, 18, 18, 14, 11, 30)
    for row in sheet.iter_rows(min_row=4, max_row=sheet.max_row):
        for cell in row:
            cell.alignment = wrap
        row[5].number_format = "yyyy-mm-dd"
        # Heights set, not left to the reader: not every spreadsheet program fits them on opening.
        lines = max(-(-len(str(cell.value or "")) // (width - 2)) for cell, width in zip(row, widths))
        sheet.row_dimensions[row[0].row].height = 15 * max(lines, 1)
    for letter, width in zip("ABCDEFGHIJKLMN", widths):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "C4"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.scale = 70
    sheet.print_title_rows = "3:3"
    sheet.print_title_cols = "A:B"

    status = DataValidation(type="list", formula1='"Open,On hold,Draft,Cancelled,Filled"', allow_blank=True)
    sheet.add_data_validation(status)
    status.add(f"E4:E{sheet.max_row + 50}")
    sheet["H3"].comment = Comment("Paste the posting as the candidate sees it.", "Recruiting Ops")

    notes = book.create_sheet("Notes")
    notes["A1"] = "Hiring plan notes"
    notes["A1"].font = Font(bold=True)
    notes["A3"] = "Open requisitions"
    notes["B3"] = "=COUNTIF(Requisitions!E4:E200,\"Open\")"
    notes["A4"] = "Budgeted headcount"
    notes["B4"] = 38
    notes.column_dimensions["A"].width = 24
    book.defined_names["Headcount"] = DefinedName("Headcount", attr_text="Notes!$B$4")
    book.save(path)


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("requisitions.xlsx"))
