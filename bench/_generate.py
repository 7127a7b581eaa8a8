"""Realistic-looking requisitions for the benchmarks, generated from phrase pools (not real postings)."""
import random

_DUTIES = {
    "analysis": ["Build dashboards and KPI reports in Tableau for the commercial team.",
                 "Run ad hoc SQL analysis and present findings to senior leadership.",
                 "Design and analyse A/B tests, including power analysis and causal inference.",
                 "Translate business questions into analyses and clear recommendations."],
    "modeling": ["Build predictive models for churn and demand with XGBoost and scikit-learn.",
                 "Engineer features and improve model accuracy on large tabular datasets.",
                 "Prototype deep learning models in PyTorch for image classification.",
                 "Evaluate models with cross validation and explain them to stakeholders."],
    "production": ["Deploy machine learning models to production behind low latency APIs.",
                   "Own model serving, monitoring and drift detection, with automated retraining.",
                   "Build training pipelines with Kubeflow and track experiments in MLflow.",
                   "Maintain the feature store and CI/CD for models on Kubernetes."],
    "llm": ["Build LLM-powered assistants with retrieval augmented generation over our documents.",
            "Design prompts, evaluation suites and guardrails against hallucinations.",
            "Integrate the OpenAI API and open models with LangChain and a vector database.",
            "Build agents that call tools, with tracing and cost and latency budgets."],
    "data": ["Build ETL pipelines into the Snowflake data warehouse with Airflow and dbt.",
             "Run streaming ingestion with Kafka and Spark, with data quality checks.",
             "Model data for analytics with dimensional schemas and govern access to PII.",
             "Migrate legacy SQL Server databases to a lakehouse on Databricks."],
    "research": ["Publish at NeurIPS and ICML and pursue a research agenda on novel algorithms.",
                 "Scale distributed training across thousands of GPUs with JAX and FSDP.",
                 "Implement research papers and run ablations on large models.",
                 "Propose new architectures and advance the state of the art in speech."],
}
_TITLES = ["Data Scientist", "Senior Data Scientist", "Machine Learning Engineer", "AI Engineer", "Data Engineer",
           "Research Scientist", "Research Engineer", "Applied Scientist", "Software Engineer, ML", "Data Analyst"]
_COMPANY = ("About us: we are a growing company with offices in three cities, a strong culture of ownership and "
            "a mission to make our customers' lives easier. ")
_BENEFITS = ("Benefits include: health insurance, paid time off, a learning budget and a 401(k) match. We are an "
             "equal opportunity employer and value diversity at every level of the company. ")
_FILLER = ["You will collaborate with product managers, engineers and designers across the company.",
           "We value clear writing, curiosity and kindness.",
           "You will mentor colleagues and share what you learn in internal talks.",
           "Our stack runs on AWS and we deploy many times a day."]


def requisition(rng: random.Random, size: int = 3500) -> dict:
    areas = rng.sample(list(_DUTIES), k=rng.choice([1, 1, 2, 3]))
    parts = [_COMPANY, "Responsibilities: "]
    while sum(map(len, parts)) < size - len(_BENEFITS) - 200:
        pool = _DUTIES[rng.choice(areas)] if rng.random() < 0.6 else _FILLER
        parts.append(rng.choice(pool) + " ")
    parts.append("Requirements: Python, SQL and five years of relevant experience. ")
    parts.append(_BENEFITS)
    return {"title": rng.choice(_TITLES), "description": "".join(parts)}


def requisitions(count: int, seed: int = 7, size: int = 3500) -> list[dict]:
    rng = random.Random(seed)
    return [requisition(rng, size) for _ in range(count)]
