"""The LLM summarizer against a real chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pipeline import orchestrator
from pipeline.config import Config, FetchConfig, LLMConfig
from pipeline.errors import ConfigError
from pipeline.records import Analysis, Article, Source
from pipeline.summaries.llm import split_text, summarizer_for
from pipeline.summaries.summarize import ExtractiveSummarizer

from .conftest import AI_PARAGRAPHS, article_page
from .server import LoopbackServer, Response

CHAT = "/v1/chat/completions"
ARTICLE = Article(url="https://example.org/year-in-review", source_name="test",
                  title="A year of models", text="\n\n".join(AI_PARAGRAPHS))
ANALYSIS = Analysis(topics=(), tags=(), sentences=tuple(AI_PARAGRAPHS))


def chat(content: str, **response: object) -> Response:
    body = {"id": "c1", "object": "chat.completion", "model": "test-model",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}]}
    return Response(json.dumps(body), content_type="application/json", **response)


def llm_config(server: LoopbackServer, **overrides: object) -> Config:
    settings = {"enabled": True, "base_url": server.url("/v1"), "model": "test-model",
                "timeout": 2.0, "retries": 1, "backoff": 0.01, **overrides}
    return Config(llm=LLMConfig(**settings))


class Run:
    """A summarizer on the loopback server, with the fallback reasons it gave."""

    def __init__(self, server: LoopbackServer, state_dir: Path, environ=None, **overrides):
        self.fallbacks: list[str] = []
        self.config = llm_config(server, **overrides)
        self.summarizer = summarizer_for(self.config, state_dir, self.fallbacks.append,
                                         environ or {})

    def summarize(self, article: Article = ARTICLE) -> str:
        return self.summarizer.summarize(article, ANALYSIS)


def sent_prompts(server: LoopbackServer) -> list[str]:
    return [json.loads(body)["messages"][0]["content"] for body in server.bodies]


def extractive_summary(config: Config) -> str:
    return ExtractiveSummarizer(config.summary).summarize(ARTICLE, ANALYSIS)


def test_a_normal_reply_is_the_summary(server, tmp_path):
    server.routes[CHAT] = chat("Models got cheaper and better in 2024.")
    run = Run(server, tmp_path, environ={"GLEANER_LLM_API_KEY": "sk-test"})
    assert run.summarize() == "Models got cheaper and better in 2024."
    [request] = [json.loads(body) for body in server.bodies]
    assert request["model"] == "test-model"
    assert "A year of models" in request["messages"][0]["content"]
    assert AI_PARAGRAPHS[3] in request["messages"][0]["content"]
    assert server.requests[0][1]["Authorization"] == "Bearer sk-test"
    assert run.fallbacks == []


def test_a_reply_slower_than_the_timeout_falls_back_to_the_extractive_summary(server, tmp_path):
    server.routes[CHAT] = chat("too late", delay=1.5)
    run = Run(server, tmp_path, timeout=0.3, retries=0)
    assert run.summarize() == extractive_summary(run.config)
    [reason] = run.fallbacks
    assert ARTICLE.url in reason and "timed out after 0.3 s" in reason


def test_a_server_error_is_retried_then_falls_back_with_the_reason(server, tmp_path):
    server.routes[CHAT] = Response("boom", status=500, content_type="text/plain")
    run = Run(server, tmp_path, retries=2)
    assert run.summarize() == extractive_summary(run.config)
    assert len(server.requests) == 3
    assert "HTTP 500 (after 3 attempts)" in run.fallbacks[0]


def test_a_429_is_retried_after_the_servers_retry_after(server, tmp_path):
    replies = iter([Response("slow down", status=429, headers={"Retry-After": "1"}),
                    chat("Second time lucky.")])
    server.routes[CHAT] = lambda handler: next(replies)
    start = time.monotonic()
    assert Run(server, tmp_path).summarize() == "Second time lucky."
    assert time.monotonic() - start >= 1.0
    assert len(server.requests) == 2


def test_a_retry_after_beyond_the_limit_gives_up_at_once(server, tmp_path):
    server.routes[CHAT] = Response("later", status=429, headers={"Retry-After": "3600"})
    run = Run(server, tmp_path, retries=3, max_retry_after=30)
    assert run.summarize() == extractive_summary(run.config)
    assert len(server.requests) == 1
    assert "Retry-After 3600 s is longer than llm.max_retry_after" in run.fallbacks[0]


def test_malformed_json_falls_back_with_the_reason(server, tmp_path):
    server.routes[CHAT] = Response('{"choices": [', content_type="application/json")
    run = Run(server, tmp_path)
    assert run.summarize() == extractive_summary(run.config)
    assert "malformed reply: not JSON" in run.fallbacks[0]


def test_a_reply_without_a_message_falls_back(server, tmp_path):
    server.routes[CHAT] = Response('{"choices": []}', content_type="application/json")
    run = Run(server, tmp_path)
    run.summarize()
    assert "malformed reply: no choices[0].message.content" in run.fallbacks[0]


def test_a_long_article_is_summarized_part_by_part_then_combined(server, tmp_path):
    paragraphs = [f"Paragraph {n} says that model number {n} was released. " * 6
                  for n in range(12)]
    article = Article(url="https://example.org/long", source_name="test", title="Long read",
                      text="\n\n".join(paragraphs))

    def reply(handler) -> Response:
        prompt = sent_prompts(server)[-1]
        if "Each summary below" in prompt:
            return chat("The whole article, combined.")
        part = prompt.split("(part ", 1)[1].split(")", 1)[0]
        return chat(f"Summary of part {part}.")

    server.routes[CHAT] = reply
    run = Run(server, tmp_path, chunk_chars=1000)
    assert run.summarize(article) == "The whole article, combined."
    parts = split_text("\n\n".join(paragraphs), 1000)
    prompts = sent_prompts(server)
    assert len(parts) >= 3
    assert len(prompts) == len(parts) + 1
    assert all(any(p.strip() in prompt for prompt in prompts[:-1]) for p in paragraphs)
    assert all(f"Summary of part {n} of {len(parts)}." in prompts[-1]
               for n in range(1, len(parts) + 1))


def test_a_second_run_sends_no_request(server, tmp_path):
    server.routes[CHAT] = chat("Cached summary.")
    assert Run(server, tmp_path).summarize() == "Cached summary."
    assert Run(server, tmp_path).summarize() == "Cached summary."
    assert len(server.requests) == 1
    assert (tmp_path / "llm-cache.sqlite").is_file()


def test_a_changed_prompt_or_model_asks_again(server, tmp_path):
    server.routes[CHAT] = chat("A summary.")
    prompt = tmp_path / "my-prompt.md"
    prompt.write_text("Three words only. {title}\n\n{text}", encoding="utf-8")
    Run(server, tmp_path).summarize()
    Run(server, tmp_path, prompt=str(prompt)).summarize()
    Run(server, tmp_path, model="other-model").summarize()
    assert len(server.requests) == 3


def test_the_users_prompt_template_is_sent(server, tmp_path):
    server.routes[CHAT] = chat("Short.")
    prompt = tmp_path / "my-prompt.md"
    prompt.write_text("Summarize {title} in {length}; keep {braces}:\n{text}", encoding="utf-8")
    Run(server, tmp_path, prompt=str(prompt)).summarize()
    [sent] = sent_prompts(server)
    assert sent.startswith("Summarize A year of models in about 5 sentences; keep {braces}:\n")
    assert sent.endswith(AI_PARAGRAPHS[-1])


def test_the_environment_wins_over_the_config_file(server, tmp_path):
    server.routes["/other/chat/completions"] = chat("From the environment's endpoint.")
    environ = {"GLEANER_LLM_BASE_URL": server.url("/other"), "GLEANER_LLM_MODEL": "env-model"}
    run = Run(server, tmp_path, environ=environ)
    assert run.summarize() == "From the environment's endpoint."
    assert json.loads(server.bodies[0])["model"] == "env-model"


def test_an_llm_without_a_model_is_a_config_error(server, tmp_path):
    with pytest.raises(ConfigError, match="llm.model"):
        Run(server, tmp_path, model="")


def test_a_missing_prompt_file_is_a_config_error(server, tmp_path):
    with pytest.raises(ConfigError, match="llm.prompt: cannot read prompt template"):
        Run(server, tmp_path, prompt=str(tmp_path / "nope.md"))


def test_split_text_keeps_all_the_text_within_the_budget():
    text = "\n\n".join(["Short one."] * 5 + ["A sentence that runs on. " * 40, "x" * 2500])
    parts = split_text(text, 400)
    assert all(len(part) <= 400 for part in parts)
    assert "".join(text.split()) == "".join("".join(parts).split())


def test_the_fallback_reason_reaches_the_run_report(server, vault, monkeypatch):
    monkeypatch.delenv("GLEANER_LLM_MODEL", raising=False)
    monkeypatch.delenv("GLEANER_LLM_BASE_URL", raising=False)
    server.routes["/post"] = Response(article_page("A year of models", AI_PARAGRAPHS))
    server.routes[CHAT] = Response("down", status=503, content_type="text/plain")
    config = Config(fetch=FetchConfig(host_delay=0.0, timeout=2.0, retries=0),
                    llm=llm_config(server).llm)
    report = orchestrator.run([Source(server.url("/post"), "test")], config, vault)
    [reason] = report.summary_fallbacks
    assert server.url("/post") in reason and "HTTP 503" in reason
    saved = json.loads(next((vault / ".gleaner" / "reports").glob("run-*.json")).read_text())
    assert saved["summary_fallbacks"] == [reason]
    assert report.counts["written"] == 1
