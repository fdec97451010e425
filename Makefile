# CryptoStream: one command for each job. See README.md.
.PHONY: demo start test chaos soak hostile deps build typecheck up up-cluster down logs compose-config screenshots clean

## Run everything on this machine against the built-in simulated exchange.
demo: deps build
	@scripts/run-stack.sh demo

## Run everything against the real Binance and CoinGecko.
start: deps build
	@scripts/run-stack.sh live

## Lint and format-check, type-check, and run every test: unit, integration (real nats-server) and end-to-end (Chromium).
test:
	@scripts/ensure-deps.sh --test
	@scripts/test.sh

## Kill and restart nats-server and every service at random under load, then check nothing was lost or doubled.
##   make chaos DURATION=10m CLIENTS=300 SEED=7 TARGETS=nats-server,history
chaos: deps
	@pnpm --silent --dir e2e chaos $(if $(DURATION),--duration $(DURATION)) $(if $(CLIENTS),--clients $(CLIENTS)) $(if $(SEED),--seed $(SEED)) $(if $(TARGETS),--targets $(TARGETS))

## Run the stack under load and report the memory and file descriptors of every process over time.
##   make soak DURATION=1h CLIENTS=300 SAMPLE_EVERY=30s
soak: deps
	@pnpm --silent --dir e2e soak $(if $(DURATION),--duration $(DURATION)) $(if $(CLIENTS),--clients $(CLIENTS)) $(if $(SAMPLE_EVERY),--sample-every $(SAMPLE_EVERY))

## What one hostile user can do to everyone else, at the scale of the hardening findings (300,000 stored
## ticks, 49 replays and resumes, 200 readers that never read), with a bystander's latency measured.
hostile: deps
	@HOSTILE=long pnpm exec vitest run --project e2e hostile

## Install pnpm, the workspace's packages and nats-server when missing.
deps:
	@scripts/ensure-deps.sh

build:
	@pnpm --dir ui build --logLevel warn

typecheck:
	@pnpm -r typecheck

## Screenshots of the board and a coin page, desktop and phone, into docs/.
screenshots:
	@mkdir -p docs && SCREENSHOT_DIR=$(CURDIR)/docs pnpm exec vitest run --project e2e ui.e2e

## docker compose: the stack on one NATS server, or on a three-node cluster (set the passwords in .env first).
up:
	docker compose up --build -d
up-cluster:
	docker compose -f docker-compose.yml -f docker-compose.cluster.yml up --build -d
down:
	docker compose -f docker-compose.yml -f docker-compose.cluster.yml down
logs:
	docker compose -f docker-compose.yml -f docker-compose.cluster.yml logs -f --tail=100

compose-config:
	@docker-compose -f docker-compose.yml config -q && echo "docker-compose.yml is valid"

clean:
	rm -rf .data .test-results ui/dist
