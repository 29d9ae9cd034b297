"""The official `openai` Python package against the LLM simulator, to check that the simulator speaks
the chat completions wire format (whole and streamed) the way OpenAI-compatible providers do.

    openai_peer.py < request.json

request.json: {"base": url, "key": key, "model": model, "prompt": text, "stream": bool}
Prints one JSON line: {"content", "model", "finish_reason", "usage": {...}} or {"error": {"class", "status"}}.
"""

import json
import sys

import openai


def main() -> None:
    request = json.load(sys.stdin)
    client = openai.OpenAI(base_url=request["base"], api_key=request["key"], max_retries=0, timeout=20)
    messages = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": request["prompt"]}]
    try:
        if request.get("stream"):
            pieces, usage, finish, model = [], None, None, None
            stream = client.chat.completions.create(
                model=request["model"], messages=messages, stream=True, stream_options={"include_usage": True}
            )
            for chunk in stream:
                model = chunk.model
                if chunk.usage is not None:
                    usage = chunk.usage.model_dump()
                for choice in chunk.choices:
                    if choice.delta.content:
                        pieces.append(choice.delta.content)
                    if choice.finish_reason:
                        finish = choice.finish_reason
            print(json.dumps({"content": "".join(pieces), "model": model, "finish_reason": finish, "usage": usage, "chunks": len(pieces)}))
        else:
            completion = client.chat.completions.create(model=request["model"], messages=messages, max_tokens=50, temperature=0.2)
            choice = completion.choices[0]
            print(json.dumps({
                "content": choice.message.content, "model": completion.model, "finish_reason": choice.finish_reason,
                "usage": completion.usage.model_dump(),
            }))
    except openai.APIStatusError as error:
        print(json.dumps({"error": {"class": type(error).__name__, "status": error.status_code, "message": error.message}}))


if __name__ == "__main__":
    main()
