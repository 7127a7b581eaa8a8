"""Requisitions written for the tests: one clear case per role, and some hard ones."""

CLEAR = {
    "data_scientist": (
        "Senior Data Analyst",
        "You will build Tableau dashboards and KPI reports for the marketing team, run ad hoc SQL "
        "analysis, design A/B tests and present findings to senior leadership.",
    ),
    "ml_engineer": (
        "Machine Learning Engineer",
        "Deploy machine learning models to production, build training pipelines and model serving on "
        "Kubernetes, monitor drift and automate retraining with MLflow and Kubeflow; CI/CD for ML.",
    ),
    "ai_engineer": (
        "AI Engineer",
        "Build LLM-powered features: RAG pipelines with embeddings and a vector database, prompt "
        "engineering, agents using LangChain and the OpenAI API, evaluation of hallucinations and guardrails.",
    ),
    "data_engineer": (
        "Data Engineer",
        "Design and build ETL pipelines into our Snowflake data warehouse with Airflow and dbt, streaming "
        "ingestion with Kafka and Spark, data modeling and data quality checks.",
    ),
    "research_scientist": (
        "Research Scientist",
        "PhD in machine learning with publications at NeurIPS, ICML or ICLR. Pursue a research agenda on "
        "novel algorithms for representation learning, publish papers and advance the state of the art.",
    ),
    "research_engineer": (
        "Research Engineer",
        "Work with researchers to scale distributed training of large models across thousands of GPUs, "
        "implement research papers, build research infrastructure and evaluation pipelines; JAX, CUDA, FSDP.",
    ),
    "applied_scientist": (
        "Applied Scientist",
        "Scope ambiguous business problems as ML problems, invent novel methods, train models on large "
        "datasets and work with engineers to deploy them into production; PhD preferred.",
    ),
    "ml_software_engineer": (
        "Software Engineer, ML Platform",
        "Build backend services, REST APIs and microservices in Java for the web application that hosts our "
        "ML features; code reviews, unit testing, system design and distributed systems.",
    ),
    "out_of_scope": (
        "Account Executive",
        "Own a sales quota and territory, cold calling, product demos to prospects, RFP responses and "
        "commission-based compensation. Manage the pipeline of accounts in Salesforce.",
    ),
}

UNICORN = (
    "Senior Data Scientist",
    "Responsibilities: design and analyse A/B tests and causal inference studies and present insights to "
    "executives; build predictive models with XGBoost; deploy models to production with Docker and "
    "Kubernetes, own model serving and monitor drift; integrate an LLM into our product with RAG, "
    "embeddings and prompt engineering; build the ETL pipelines into our Snowflake warehouse.",
)

GERMAN = ("Mitarbeiter Vertrieb", "Wir suchen einen engagierten Mitarbeiter für unser Team in München. "
          "Sie betreuen Kunden telefonisch und pflegen Stammdaten. Wir bieten ein attraktives Gehalt.")
